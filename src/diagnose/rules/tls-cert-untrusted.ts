import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.tls.cert-untrusted',
  title: 'Peer certificate rejected (untrusted, self-signed or expired)',
  severity: 'error',
  products: ['prosody', 'metronome', 'ejabberd', 'mongooseim', 'xfed-json'],
  logs: 'Prosody / ejabberd log; `xfed probe --json`',
  match: [
    {
      line: {
        keywords: ['Forbidding insecure connection'],
        // 0.12+ says why; 0.10 and 0.11 said nothing more ("because …" absent).
        regex: String.raw`Forbidding insecure connection to/from (?<key>\S+)(?: because its certificate (?:is not trusted|is self-signed|has expired|could not be validated|is not yet valid|is not valid yet)|\s*$)`,
        products: ['any'],
      },
    },
    { line: { keywords: ['closed: Your server\'s certificate'], regex: String.raw`s2s stream (?<key>\S+)->\S+ closed: Your server's certificate`, products: ['any'] } },
    {
      line: {
        keywords: ['Failed inbound s2s EXTERNAL'],
        regex: String.raw`Failed inbound s2s EXTERNAL authentication (?<key>\S+) -> \S+(?: \([^)]*\))?: .*(?:self.signed|unable to get local issuer|certificate has expired|unknown ca|certificate verify failed)`,
        products: ['any'],
      },
    },
    {
      line: {
        keywords: ['Peer certificate rejected'],
        regex: String.raw`^(?!.*(?:[Hh]ost ?name|name mismatch|not valid for))(?:.*?s2s connection (?<key>\S+ -> \S+): )?.*Peer certificate rejected`,
        products: ['any'],
      },
    },
    { finding: { ids: ['probe.cert.untrusted', 'probe.cert.expired', 'probe.cert.not-yet-valid'] } },
  ],
  cause:
    'The certificate chain is not trusted by the other side: self-signed, issued by a CA the peer does not trust, or outside its validity period. Expressway rejects such partners when "Require client-side security certificates" is on.',
  fix: [
    'Use a certificate from a public CA (with the full chain) on Expressway-E, or load the partner\'s CA into the trusted CA list.',
    'Renew expired certificates; `xfed probe <domain>` shows the chain and expiry.',
  ],
  references: [REF.x1402, REF.rfc6125],
} satisfies RuleSpec;
