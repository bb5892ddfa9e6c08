import type { RuleSpec } from '../types.js';
import { AXL_AUTH_FAILED, REF } from './shared.js';

export default {
  id: 'diagnose.axl.http-401',
  title: 'Expressway-C cannot log in to IM&P over AXL (HTTP 401/403)',
  severity: 'error',
  products: ['expressway', 'xfed-json'],
  logs: 'Expressway-C diagnostic log with Network log `network.axl` at DEBUG; `xfed axl-verify --json`',
  match: [{ line: AXL_AUTH_FAILED }, { finding: { ids: ['axl.auth.failed'] } }],
  explains: ['diagnose.xcp.router-restart-needed', 'diagnose.axl.s2snodes-empty'],
  cause:
    'The AXL user or password that Expressway-C uses for IM and Presence is wrong (or the user lacks an AXL role), so Expressway-C cannot write Expressway-E\'s S2S node into the IM&P `xmpps2snodes` table. Federation then silently never starts: IM is one-way while IM&P still shows active.',
  fix: [
    'Confirm: browse to https://<imp>:8443/axl and log in with the credentials configured on Expressway-C (Configuration > Unified Communications > IM and Presence Service nodes).',
    'Correct the password (the user needs Standard AXL API Access, or the read-only AXL role) and refresh the IM&P server discovery on Expressway-C.',
    'Restart the Cisco XCP Router on IM&P afterwards, then check the table: `run sql select * from xmpps2snodes` or `xfed axl-verify`.',
  ],
  references: [REF.tac213865],
} satisfies RuleSpec;
