import type { RuleSpec } from '../types.js';
import { REF, streamErrorPattern } from './shared.js';

export default {
  id: 'diagnose.stream.not-authorized',
  title: 'Stream error not-authorized: the peer refused to authenticate us',
  severity: 'error',
  products: ['expressway', 'prosody', 'ejabberd', 'xfed-json'],
  logs: 'Expressway-E log with `developer.xcp.federation` at DEBUG; Prosody / ejabberd log; `xfed probe --json`',
  match: [{ line: streamErrorPattern('not-authorized', String.raw`certificate`) }, { finding: { ids: ['probe.stream.error'], text: String.raw`\bnot-authorized\b` } }],
  cause: 'The peer closed the stream because our server failed to authenticate: dialback was rejected or timed out, or our certificate is not acceptable to it (Prosody sends not-authorized with "Your server\'s certificate ...").',
  fix: [
    'Look for diagnose.dialback.invalid, diagnose.dialback.timeout or a certificate finding in the same logs.',
    'Run `xfed probe <partner> --from <our-domain>` to see which step fails.',
  ],
  references: [REF.rfc6120streams, REF.x1402],
} satisfies RuleSpec;
