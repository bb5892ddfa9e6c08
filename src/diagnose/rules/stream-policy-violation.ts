import type { RuleSpec } from '../types.js';
import { REF, streamErrorPattern } from './shared.js';

export default {
  id: 'diagnose.stream.policy-violation',
  title: 'Stream error policy-violation: a federation policy blocks the domain',
  severity: 'error',
  products: ['expressway', 'prosody', 'ejabberd', 'xfed-json'],
  logs: 'Expressway-E log with `developer.xcp.federation` at DEBUG; Prosody / ejabberd log; `xfed probe --json`',
  match: [{ line: streamErrorPattern('policy-violation', String.raw`STARTTLS|[Ee]ncrypt`) }, { finding: { ids: ['probe.stream.error'], text: String.raw`\bpolicy-violation\b` } }],
  cause: 'A local policy refused the connection: Expressway-E\'s privacy mode (the default Allow list blocks every domain not on it), a deny list entry, or the partner\'s own policy.',
  fix: [
    'On Expressway-E: Configuration > Unified Communications > Federated domains / Privacy mode: add the partner to the allow list (or use a static route, or change the mode); remove it from the deny list.',
    'Ask the partner whether their server restricts federation to listed domains.',
  ],
  references: [REF.rfc6120streams, REF.x1402],
} satisfies RuleSpec;
