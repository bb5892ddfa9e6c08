/** dns2's decoded resources in xfed's record shape: the oracle the wire decoder is compared with. */
import type { DnsRecord } from '../../src/dns/client.js';
import { TYPE_NAMES } from '../../src/dns/wire.js';

function normName(n: string | undefined): string {
  return (n ?? '').replace(/\.$/, '').toLowerCase();
}

export function toRecord(r: Record<string, unknown>): DnsRecord {
  const type = TYPE_NAMES[r.type as number] ?? `TYPE${String(r.type)}`;
  const rec: DnsRecord = { name: normName(r.name as string), type, ttl: Number(r.ttl ?? 0), data: '' };
  switch (type) {
    case 'A':
    case 'AAAA':
      rec.address = String(r.address);
      rec.data = rec.address;
      break;
    case 'CNAME':
    case 'PTR':
      rec.target = normName(r.domain as string);
      rec.data = rec.target;
      break;
    case 'NS':
      rec.target = normName(r.ns as string);
      rec.data = rec.target;
      break;
    case 'SRV':
      rec.priority = Number(r.priority);
      rec.weight = Number(r.weight);
      rec.port = Number(r.port);
      rec.target = normName(r.target as string);
      rec.data = `${rec.priority} ${rec.weight} ${rec.port} ${rec.target || '.'}`;
      break;
    case 'SOA':
      rec.data = `${normName(r.primary as string)} ${normName(r.admin as string)} ${String(r.serial)}`;
      break;
    case 'TXT':
      rec.data = Array.isArray(r.data) ? (r.data as string[]).join('') : String(r.data ?? '');
      break;
    default:
      rec.data = '';
  }
  return rec;
}
