import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.dns.peer-unresolvable',
  title: "The peer's domain does not resolve",
  severity: 'error',
  products: ['expressway', 'ejabberd', 'mongooseim', 'xfed-json'],
  logs: 'Expressway-E log with `developer.xcp.federation` at DEBUG; ejabberd log; `xfed check-dns --json`',
  match: [
    {
      sequence: {
        start: { keywords: ['Starting resolver lookup'], regex: String.raw`Starting resolver lookup for '(?<key>[^:']+)` },
        end: { keywords: ['resolved dialback address'], regex: String.raw`resolved dialback address for host=(?<key>[^\s"]+)` },
        windowSeconds: 30,
      },
    },
    { line: { keywords: ['DNS lookup failed'], regex: String.raw`s2s connection (?<key>\S+ -> \S+): DNS lookup failed`, products: ['any'] } },
    { line: { keywords: ['remote-server-not-found'], regex: String.raw`Failed (?:in|out)bound s2s dialback authentication (?<key>\S+) -> \S+(?: \([^)]*\))?: (?:Authentication failed: )?remote-server-not-found`, products: ['any'] } },
    { finding: { ids: ['dns.domain.nxdomain'] } },
  ],
  explains: ['diagnose.dialback.timeout', 'diagnose.stream.remote-connection-failed'],
  cause:
    'The resolver lookup for the domain (`_xmpp-server._tcp.<domain>`, then its A/AAAA) never produced an address, so the stream or its dialback verification cannot be made: the domain has no SRV/A records, or Expressway-E\'s DNS servers cannot resolve public names.',
  fix: [
    'Check the domain from Expressway-E: Maintenance > Tools > Network utilities > DNS lookup, and from outside with `xfed check-dns <domain>`.',
    'If the partner has no SRV record, ask them to publish one, or add a static route for the domain on Expressway-E.',
  ],
  references: [REF.tac213865, REF.x1402],
  notes: 'The failure (a lookup without `resolved dialback address`) is inferred from the documented success lines.',
} satisfies RuleSpec;
