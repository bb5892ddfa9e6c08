import type { RuleSpec } from '../types.js';

export default {
  id: 'diagnose.result.other',
  title: 'Other problems reported by xfed checks',
  severity: 'warning',
  products: ['xfed-json'],
  logs: 'Any `xfed ... --json` result',
  match: [{ finding: { ids: ['*'] } }],
  cause: 'An xfed check reported an error or warning that no diagnose rule explains. Its own finding carries the details and fix.',
  fix: ['Read the original finding (its id is the evidence label) in the command\'s own output and README section.'],
  references: [],
} satisfies RuleSpec;
