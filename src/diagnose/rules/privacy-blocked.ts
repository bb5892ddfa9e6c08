import type { RuleSpec } from '../types.js';
import { PRIVACY_BLOCK, REF } from './shared.js';

export default {
  id: 'diagnose.privacy.blocked',
  title: "The partner is blocked by Expressway-E's privacy allow list",
  severity: 'error',
  products: ['expressway'],
  logs: 'Expressway-E log with `developer.xcp.federation` at DEBUG',
  match: [{ line: PRIVACY_BLOCK }],
  cause:
    'Expressway-E\'s privacy mode defaults to Allow list: federation with every domain that is not on the list (and has no static route) is refused, both ways. Many "federation does not work" tickets are this.',
  fix: [
    'On Expressway-E: Configuration > Unified Communications > Federated domains: add the partner domain to the allow list, or add a static route for it, or change Privacy mode.',
    'If the domain is on the deny list, remove it.',
  ],
  references: [REF.x1402],
  notes: 'Line shape inferred: any Expressway line that mentions privacy together with deny/block/reject or the allow list.',
} satisfies RuleSpec;
