import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.tls.cert-identity',
  title: 'Certificate identity not acceptable (name not in the certificate)',
  severity: 'error',
  products: ['expressway', 'prosody', 'metronome', 'ejabberd', 'mongooseim', 'xfed-json'],
  logs: 'Expressway event log; Prosody / ejabberd log; `xfed probe --json`',
  match: [
    {
      line: {
        keywords: ['certificate identity was unacceptable'],
        regex: String.raw`(?:.*?(?:Dst-ip|Src-ip|Peer|Host)="(?<key>[^"]+)")?.*certificate identity was unacceptable`,
      },
    },
    {
      line: {
        keywords: ['Forbidding insecure connection'],
        regex: String.raw`Forbidding insecure connection to/from (?<key>\S+) because its certificate is not valid for this name`,
        products: ['any'],
      },
    },
    { line: { keywords: ['Peer certificate rejected'], regex: String.raw`(?:s2s connection (?<key>\S+ -> \S+): )?Peer certificate rejected: .*(?:[Hh]ost ?name|name mismatch|not valid for)`, products: ['any'] } },
    { finding: { ids: ['probe.cert.name-mismatch'] } },
  ],
  cause:
    'The certificate presented does not carry the name the other side connected to: Expressway-E\'s certificate lacks the XMPP federation domains (as DNS SANs), or the traversal/peer address differs from the certificate CN/SAN.',
  fix: [
    'Reissue Expressway-E\'s certificate with every federated domain as a DNS SAN; the group chat node aliases belong on both the Expressway-C and the Expressway-E certificates (copy them from the Expressway-C CSR page). Then restart Expressway.',
    'For traversal zones, use the FQDN that is in the peer\'s certificate as the peer address.',
    'A hosting provider whose certificate names only itself (the SRV target): delegate the domain with a POSH file listing the certificate (RFC 7711) or DNSSEC-signed TLSA records (RFC 7673); `xfed probe` then reports probe.cert.delegated (info), not a cause.',
    'Verify with `xfed probe <domain>` (it checks SRV-ID, xmppAddr and DNS-ID per RFC 6125).',
  ],
  references: [REF.x1402, REF.tac117811, REF.rfc6125],
} satisfies RuleSpec;
