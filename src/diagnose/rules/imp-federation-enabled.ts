import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.imp.federation-enabled',
  title: 'XMPP federation is also enabled on IM&P',
  severity: 'error',
  products: ['imp', 'xfed-json'],
  logs: 'IM&P trace directory (`xmpp-cm-4_0000000X.log` exists only when the XMPP Federation Connection Manager runs); `xfed axl-verify --all --json`',
  match: [{ file: { path: String.raw`(?:^|[/!\\])xmpp-cm-\d+_\d+\.log(?:\.gz)?$` } }, { finding: { ids: ['axl.federation.imp-enabled'] } }],
  cause:
    'When Expressway-E does XMPP federation, IM&P must not: federation enabled on both (or the Cisco XCP XMPP Federation Connection Manager activated on IM&P) is an unsupported mix and conflicts with Expressway\'s S2S.',
  fix: [
    'On IM&P: Presence > Inter-Domain Federation > XMPP Federation > Settings > XMPP Federation Node Status = Off.',
    'Deactivate the Cisco XCP XMPP Federation Connection Manager feature service (Serviceability > Tools > Service Activation).',
    'On Expressway-C refresh the IM&P servers, then restart the XCP Routers.',
  ],
  references: [REF.x1402, REF.tac213865],
  notes: 'The file-name signal is inferred from the documented trace path `/var/log/active/epas/trace/xcp/log/xmpp-cm-4_0000000X.log`.',
} satisfies RuleSpec;
