import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.tls.mode-mismatch',
  title: 'TLS required on one side, not offered on the other',
  severity: 'error',
  products: ['expressway', 'prosody', 'metronome', 'ejabberd', 'mongooseim', 'jabberd2', 'tigase'],
  logs: 'Prosody / ejabberd / jabberd2 log; Expressway-E log with `developer.xcp.federation` at DEBUG',
  match: [
    { line: { keywords: ['Encrypted server-to-server communication is required'], regex: String.raw`(?:required but was not offered by (?<key>[^\s,)]+)|required but was not offered)`, products: ['any'] } },
    { line: { keywords: ['STARTTLS required'], regex: String.raw`(?:s2s (?:connection|stream) (?<key>\S+ ?-> ?\S+)[: ])?.*Use of STARTTLS required`, products: ['any'] } },
    { line: { keywords: ['STARTTLS was not offered by'], regex: String.raw`TLS is required for domain \S+ but STARTTLS was not offered by (?<key>\S+)`, products: ['any'] } },
    { line: { keywords: ['no dialback initiated'], regex: String.raw`connection-timeout.*no dialback initiated`, products: ['any'] } },
  ],
  explains: ['diagnose.stream.policy-violation', 'diagnose.tls.negotiation-failed'],
  cause:
    'One server requires TLS on server-to-server streams and the other does not offer or use STARTTLS, so the stream is closed with `policy-violation` ("Use of STARTTLS required", "Encrypted server-to-server communication is required but was not offered"). Cisco Expressway\'s default Security mode is "TLS required"; a partner without TLS on 5269 (or a middlebox stripping STARTTLS) cannot federate with it.',
  fix: [
    'Offer STARTTLS on 5269 on the side that does not (Prosody: a certificate for the domain; ejabberd: `s2s_use_starttls: optional` or `required` with a certificate; jabberd2: `<id require-starttls>` with a pemfile).',
    'Or relax the other side: Expressway-E Configuration > Unified Communications > Configuration > Security mode; Prosody `s2s_require_encryption = false`; ejabberd `s2s_use_starttls: optional`.',
    'Check that no firewall strips STARTTLS on 5269; `xfed probe <partner>` shows whether TLS is offered and required.',
  ],
  references: [REF.x1402, 'https://www.rfc-editor.org/rfc/rfc6120#section-5.3.1', 'https://github.com/jabberd2/jabberd2/issues/144'],
  notes: 'jabberd2 closes with `connection-timeout` ("no dialback initiated") when it requires TLS and the peer starts dialback in the clear (jabberd2 issue 144).',
} satisfies RuleSpec;
