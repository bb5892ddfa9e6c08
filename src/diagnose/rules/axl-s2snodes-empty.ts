import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.axl.s2snodes-empty',
  title: 'Federation is configured on Expressway-E but IM&P has no S2S node (`xmpps2snodes` empty)',
  severity: 'error',
  products: ['imp', 'xfed-json'],
  logs: 'IM&P CLI output of `run sql select * from xmpps2snodes`; `xfed axl-verify --json`',
  match: [
    {
      sequence: {
        start: { keywords: ['xmpps2snode'], regex: String.raw`select \* from xmpps2snodes?\b`, products: ['any'] },
        end: { keywords: ['cm-2_s2scp-'], regex: String.raw`cm-2_s2scp-\d+\.(?<key>[\w-]+)`, products: ['any'] },
      },
    },
    { finding: { ids: ['axl.s2snode.empty', 'axl.s2snode.missing'] } },
  ],
  cause:
    'Expressway-C never registered Expressway-E\'s S2S component in the IM&P database (the row `cm-2_s2scp-1.<exp-e-fqdn-with-dashes>`), usually because its AXL write failed (HTTP 401, 599, or port 8443 unreachable). IM&P then has no route for federated traffic. Unified Communications mode Off (or Jabber Guest) on Expressway also removes Expressway-E\'s S2S node from IM&P.',
  fix: [
    'Look for `Status="401"` in the Expressway-C `network.axl` log (diagnose.axl.http-401) and fix the AXL credentials or reachability of https://<imp>:8443/axl/.',
    'On Expressway-C refresh the IM&P servers (Configuration > Unified Communications > IM and Presence Service nodes > Refresh servers), or toggle XMPP federation on Expressway-E.',
    'Check again with `run sql select * from xmpps2snodes` or `xfed axl-verify --expect <exp-e-fqdn>`, then restart the XCP Router on IM&P.',
  ],
  references: [REF.tac213865],
} satisfies RuleSpec;
