/**
 * What `xfed explain <id>` (and `xfed rules show <id>`) finds for an id: a catalogued
 * finding, or a diagnose rule (built-in or from a user's rules file).
 */
import type { RuleSpec } from '../diagnose/types.js';
import { closeMatches, FINDINGS, findingEntry } from './index.js';
import type { CatalogueEntry } from './types.js';

export type Explained = { kind: 'finding'; finding: CatalogueEntry } | { kind: 'rule'; rule: RuleSpec };

const RULE_DEFAULTS: Pick<RuleSpec, 'products' | 'logs' | 'fix' | 'references' | 'match'> = { products: ['any'] as unknown as RuleSpec['products'], logs: '', fix: [], references: [], match: [] };

/** A finding id, a rule id, or a rule id without its `diagnose.` prefix. */
export function lookupId(id: string, rules: readonly RuleSpec[]): Explained | undefined {
  const finding = findingEntry(id);
  if (finding) return { kind: 'finding', finding };
  const rule = rules.find((r) => r.id === id) ?? rules.find((r) => r.id === `diagnose.${id}`);
  // A rule from a user's file is kept as written: fill in the defaults its optional keys have.
  return rule ? { kind: 'rule', rule: { ...RULE_DEFAULTS, ...rule } } : undefined;
}

/** Known ids close to an unknown one, best first. */
export function suggestIds(id: string, rules: readonly RuleSpec[], n = 3): string[] {
  return closeMatches(id, [...FINDINGS.map((e) => e.id), ...rules.map((r) => r.id)], n);
}
