import type { RuleSpec } from '../types.js';
import { REF, XCP_BOUNCE, XCP_ROUTER_RESTART } from './shared.js';

export default {
  id: 'diagnose.imp.cluster-restart-needed',
  title: 'Federation bounces although the XCP Router was restarted: restart the IM&P cluster',
  severity: 'error',
  products: ['imp'],
  logs: 'IM&P XCP Router log (`/epas/trace/xcp/log/rtr-jsm-1*.log`)',
  match: [{ chain: { steps: [XCP_ROUTER_RESTART, XCP_BOUNCE] } }],
  cause:
    'The IM&P XCP Router keeps bouncing federated packets after it was restarted. Federation is intermittent; TAC 213865 reports that in this state only a restart of the whole IM&P cluster clears it.',
  fix: [
    'Reboot the IM&P cluster (publisher first, then the subscribers): `utils system restart`.',
    'Afterwards check `run sql select * from xmpps2snodes` and send a test message to the partner domain.',
  ],
  references: [REF.tac213865, REF.imp125],
  supersedes: ['diagnose.xcp.router-restart-needed'],
  notes: 'Bounce and restart line shapes are inferred (the seed describes them only in words).',
} satisfies RuleSpec;
