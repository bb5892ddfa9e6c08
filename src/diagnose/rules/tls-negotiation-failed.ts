import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.tls.negotiation-failed',
  title: 'TLS negotiation with the peer failed',
  severity: 'error',
  products: ['expressway', 'prosody', 'metronome', 'ejabberd', 'mongooseim', 'xfed-json'],
  logs: 'Expressway-E event log; Prosody / ejabberd log; `xfed probe --json`',
  match: [
    {
      line: {
        keywords: ['TLS Negotiation Error'],
        regex: String.raw`^(?!.*certificate identity)(?=.*Event="(?:In|Out)bound TLS Negotiation Error")(?:.*?(?:Dst-ip|Src-ip|Peer|Host)="(?<key>[^"]+)")?`,
      },
    },
    { line: { keywords: ['TLS failed:'], regex: String.raw`s2s connection (?<key>\S+ -> \S+): TLS failed`, products: ['any'] } },
    { line: { keywords: ['Failed to secure inbound s2s'], regex: String.raw`Failed to secure inbound s2s connection`, products: ['ejabberd', 'mongooseim'] } },
    { line: { keywords: ['TLS negotiation'], regex: String.raw`TLS negotiation with (?<key>\S+?)\.? failed`, products: ['prosody', 'metronome'] } },
    { line: { keywords: ['TLS negotiation'], regex: String.raw`s2s stream \S+->(?<key>\S+) closed: TLS negotiation failed`, products: ['any'] } },
    { finding: { ids: ['probe.tls.handshake-failed', 'probe.tls.required-missing', 'probe.tls.not-offered', 'probe.tls.version-old'] } },
  ],
  cause:
    'The TLS handshake between the servers failed: no common protocol version or cipher, a certificate or key the TLS library cannot load (Prosody also fails this way when a renewed certificate was not reloaded), or a middlebox interferes with STARTTLS on 5269. (TLS required on one side and not offered on the other is diagnose.tls.mode-mismatch.)',
  fix: [
    'Align the security modes: Expressway-E Configuration > Unified Communications > Configuration > Security mode (TLS required is the default) with the partner\'s setting.',
    'Check both sides offer TLS 1.2 or later: `xfed probe <partner>` shows the version and cipher.',
    'Check no firewall inspects or strips STARTTLS on 5269.',
  ],
  references: [REF.x1402],
} satisfies RuleSpec;
