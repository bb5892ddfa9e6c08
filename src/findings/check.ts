/**
 * The check scripts/run-tests.mjs runs after the whole suite: the findings the tests
 * emitted (recorded by `finding()` under XFED_RECORD_FINDINGS) against the catalogue.
 * Pure: it takes the recorded lines and the list of ids still waiting for a test.
 */
import type { Severity } from '../core/result.js';
import { BUILTIN_RULES } from '../diagnose/rules/index.js';
import { allowedSeverities, atMost, FINDINGS } from './index.js';
import type { CatalogueEntry } from './types.js';

/**
 * An id (or one severity of it) no test emits yet, because the test would need
 * infrastructure absent here. Without `severity`, every severity of the id.
 */
export interface PendingId {
  id: string;
  severity?: Severity;
  reason: string;
}

export interface RecordCheck {
  /** One line per problem; empty when all is well. */
  problems: string[];
  /** Distinct catalogued (or rule) ids the tests emitted. */
  emitted: number;
  pending: number;
  /** Ids outside xfed's namespaces (a user's diagnose rules in tests): not checked. */
  foreign: string[];
}

/** The ids xfed may emit, each with the severities it may carry. */
export function knownSeverities(): Map<string, Severity[]> {
  const m = new Map<string, Severity[]>();
  for (const e of FINDINGS) m.set(e.id, allowedSeverities(e));
  // A rule's cause seen only in xfed results is no more severe than the findings behind it.
  for (const r of BUILTIN_RULES) if (r.enabled !== false) m.set(r.id, atMost(r.severity));
  return m;
}

export function checkRecorded(recorded: string, pending: readonly PendingId[]): RecordCheck {
  const known = knownSeverities();
  const namespaces = new Set([...known.keys()].map((id) => id.split('.')[0]!));
  const seen = new Map<string, Set<Severity>>();
  for (const line of recorded.split('\n')) {
    if (!line.trim()) continue;
    const { id, severity } = JSON.parse(line) as { id: string; severity: Severity };
    let s = seen.get(id);
    if (!s) seen.set(id, (s = new Set()));
    s.add(severity);
  }
  const problems: string[] = [];
  const foreign: string[] = [];
  for (const [id, sevs] of [...seen].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const allowed = known.get(id);
    if (!allowed) {
      if (namespaces.has(id.split('.')[0]!)) problems.push(`emitted but not catalogued: ${id} (${[...sevs].join(', ')}): add it to src/findings/catalogue-<check>.ts`);
      else foreign.push(id);
      continue;
    }
    const bad = [...sevs].filter((s) => !allowed.includes(s));
    if (bad.length) problems.push(`emitted with a severity the catalogue does not allow: ${id} as ${bad.join(', ')} (catalogue: ${allowed.join(', ')})`);
  }
  const isPending = (id: string, sev: Severity) => pending.some((p) => p.id === id && (p.severity === undefined || p.severity === sev));
  for (const p of pending) {
    const sevs = seen.get(p.id);
    if (!known.has(p.id)) problems.push(`test/findings/pending.json lists ${p.id}, which is not catalogued`);
    else if (p.severity === undefined ? sevs : sevs?.has(p.severity)) problems.push(`test/findings/pending.json lists ${p.id}${p.severity ? ` as ${p.severity}` : ''}, but a test emits it now: remove it from the list`);
    if (!p.reason?.trim()) problems.push(`test/findings/pending.json: ${p.id} has no reason`);
  }
  // Every catalogued id with each of its severities (a rule id: with any one of its severities).
  for (const e of FINDINGS) {
    const sevs = seen.get(e.id);
    const all = allowedSeverities(e);
    const missing = all.filter((sev) => !sevs?.has(sev) && !isPending(e.id, sev));
    if (!sevs && missing.length === all.length) problems.push(`catalogued but emitted by no test: ${e.id}`);
    else for (const sev of missing) problems.push(`catalogued but emitted by no test as ${sev}: ${e.id} (${whenOf(e, sev)})`);
  }
  for (const r of BUILTIN_RULES) if (r.enabled !== false && !seen.has(r.id) && !isPending(r.id, r.severity)) problems.push(`a diagnose rule no test fires: ${r.id}`);
  const emitted = [...seen.keys()].filter((id) => known.has(id)).length;
  return { problems, emitted, pending: pending.length, foreign };
}

export function formatProblems(r: RecordCheck): string {
  return [`finding catalogue check failed (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}):`, ...r.problems.map((p) => `  - ${p}`)].join('\n');
}

function whenOf(e: CatalogueEntry, sev: Severity): string {
  return e.variants?.find((v) => v.severity === sev)?.when ?? 'its usual severity';
}
