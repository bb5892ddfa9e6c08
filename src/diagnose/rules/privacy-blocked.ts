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
    'On Expressway-E: Configuration > Unified Communications > Configuration: check Privacy mode (Allow list is the default); add the partner domain on the Federation allow list page, or add it under Federated static routes, or change Privacy mode.',
    'If Privacy mode is Deny list and the domain is on the Federation deny list, remove it.',
  ],
  references: [REF.x1402],
  notes: 'Line shape inferred: any Expressway line that mentions privacy together with deny/block/reject or the allow list.',
} satisfies RuleSpec;
