import type { RuleSpec } from '../types.js';
import { AXL_AUTH_FAILED, AXL_OK, REF, XCP_BOUNCE, XCP_ROUTER_RESTART } from './shared.js';

export default {
  id: 'diagnose.xcp.router-restart-needed',
  title: 'The IM&P XCP Router needs a restart after the AXL fix',
  severity: 'warning',
  products: ['expressway', 'imp'],
  logs: 'Expressway-C `network.axl` log; IM&P XCP Router log (`/epas/trace/xcp/log/rtr-jsm-1*.log`)',
  match: [
    { chain: { steps: [AXL_AUTH_FAILED, AXL_OK], unless: XCP_ROUTER_RESTART } },
    { chain: { steps: [XCP_BOUNCE], unless: XCP_ROUTER_RESTART } },
  ],
  explains: ['diagnose.imp.cluster-restart-needed'],
  cause:
    'Expressway-C\'s AXL writes to IM&P started to succeed after failing (or the IM&P XCP Router keeps bouncing packets), and the XCP Router has not been restarted since: IM&P only picks up the new S2S routing after a restart. The IM&P Notifications page may (or may not) show a restart notice.',
  fix: [
    'Restart the Cisco XCP Router on every IM&P node: CLI `utils service restart Cisco XCP Router`, or Cisco Unified IM and Presence Serviceability > Tools > Control Center - Network Services > Cisco XCP Router > Restart (Restart, not Stop/Start).',
    'If the router log still bounces packets afterwards, reboot the IM&P cluster (see diagnose.imp.cluster-restart-needed).',
  ],
  references: [REF.tac213865, REF.imp125],
  notes: 'The 401 line is from TAC 213865; the success (`Status="200"`), XCP Router restart and bounce line shapes are inferred.',
} satisfies RuleSpec;
