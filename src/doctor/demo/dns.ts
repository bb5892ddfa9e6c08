/**
 * The demo's authoritative DNS server: dns2's UDP server on 127.0.0.1 with an ephemeral port,
 * answering from an in-memory zone (A, AAAA, SRV, CNAME with chasing, NXDOMAIN, NODATA).
 */
import dns2 from 'dns2';

export type ZoneRecord =
  | { name: string; type: 'A' | 'AAAA'; address: string; ttl?: number }
  | { name: string; type: 'CNAME'; domain: string; ttl?: number }
  | { name: string; type: 'SRV'; priority: number; weight: number; port: number; target: string; ttl?: number };

export interface DemoDns {
  host: string;
  port: number;
  /** `127.0.0.1:port`, as a resolver spec. */
  resolver: string;
  /** Questions answered, for the report and tests. */
  readonly queries: number;
  close(): Promise<void>;
}

const norm = (n: string) => n.toLowerCase().replace(/\.$/, '');

export async function startDemoDns(zone: ZoneRecord[], origin: string[]): Promise<DemoDns> {
  const { Packet } = dns2;
  const names = new Set(zone.map((r) => norm(r.name)));
  const inZone = (n: string) => origin.some((o) => n === o || n.endsWith(`.${o}`));
  // Empty non-terminals (e.g. _tcp.acme.example) exist: NOERROR without data, not NXDOMAIN (RFC 8020).
  const exists = (n: string) => names.has(n) || [...names].some((x) => x.endsWith(`.${n}`));
  let queries = 0;

  const toResource = (r: ZoneRecord) => {
    const base = { name: norm(r.name), class: Packet.CLASS.IN, ttl: r.ttl ?? 300 };
    switch (r.type) {
      case 'A':
        return { ...base, type: Packet.TYPE.A, address: r.address };
      case 'AAAA':
        return { ...base, type: Packet.TYPE.AAAA, address: r.address };
      case 'CNAME':
        return { ...base, type: Packet.TYPE.CNAME, domain: norm(r.domain) };
      case 'SRV':
        return { ...base, type: Packet.TYPE.SRV, priority: r.priority, weight: r.weight, port: r.port, target: norm(r.target) };
    }
  };

  const server = dns2.createUDPServer((request, send) => {
    queries++;
    const response = Packet.createResponseFromRequest(request);
    response.header.aa = 1;
    response.header.ra = 0;
    const q = request.questions[0];
    if (!q) return void send(response);
    const qtype = Object.entries(Packet.TYPE).find(([, v]) => v === q.type)?.[0];
    let name = norm(q.name);
    if (!inZone(name)) {
      response.header.rcode = 5; // REFUSED: not ours, and the demo never recurses
      return void send(response);
    }
    // Follow CNAMEs inside the zone (at most 8), as an authoritative server does.
    for (let hops = 0; hops < 8; hops++) {
      const here = zone.filter((r) => norm(r.name) === name);
      const cname = here.find((r) => r.type === 'CNAME');
      if (cname && qtype !== 'CNAME') {
        response.answers.push(toResource(cname) as never);
        name = norm((cname as { domain: string }).domain);
        continue;
      }
      for (const r of here) if (r.type === qtype) response.answers.push(toResource(r) as never);
      if (!here.length && !exists(name)) response.header.rcode = 3; // NXDOMAIN
      break;
    }
    send(response);
  });
  server.on('error', () => {});
  server.on('requestError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.bind(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    host: '127.0.0.1',
    port,
    resolver: `127.0.0.1:${port}`,
    get queries() {
      return queries;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
