// The zone the check-dns benchmarks serve: N federating domains `d<i>.bench`, each with an SRV
// record to itself on 5269, an A and an AAAA record. Writes `bench.zone` into `dir`; returns the
// domain names.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeBenchZone(dir, n, nsAddress) {
  const zone = ['$ORIGIN bench.', '$TTL 3600', '@ IN SOA ns.bench. h.bench. 1 3600 600 86400 300', '@ IN NS ns.bench.', `ns IN A ${nsAddress}`];
  const domains = [];
  for (let i = 0; i < n; i++) {
    const d = `d${i}`;
    domains.push(`${d}.bench`);
    zone.push(`_xmpp-server._tcp.${d} IN SRV 0 0 5269 ${d}.bench.`, `${d} IN A 203.0.113.${i % 250}`, `${d} IN AAAA 2001:db8::${i.toString(16)}`);
  }
  writeFileSync(join(dir, 'bench.zone'), zone.join('\n') + '\n');
  return domains;
}
