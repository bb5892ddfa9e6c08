/**
 * The finding catalogue: every finding id an xfed command emits, with its severity,
 * meaning, fix and references. Pure data, loaded only by `xfed explain`, the docs
 * generator and the tests (never by `xfed --help`). The diagnose rules have their own
 * catalogue (src/diagnose/rules/); `explain` answers for both.
 *
 * To add an id: one object in the catalogue file of its check (catalogue-<check>.ts).
 */
import { SEVERITY_RANK, type Severity } from '../core/result.js';
import { AXL_FINDINGS } from './catalogue-axl.js';
import { DIAGNOSE_FINDINGS } from './catalogue-diagnose.js';
import { DIALBACK_FINDINGS } from './catalogue-dialback.js';
import { DANE_FINDINGS } from './catalogue-dane.js';
import { DNS_FINDINGS } from './catalogue-dns.js';
import { DOCTOR_FINDINGS } from './catalogue-doctor.js';
import { POSH_FINDINGS } from './catalogue-posh.js';
import { PROBE_FINDINGS } from './catalogue-probe.js';
import type { CatalogueEntry, FindingSource } from './types.js';

export type { CatalogueEntry, FindingSource, SeverityVariant } from './types.js';

/** Every catalogued id, grouped by check in the order of a federation fix. */
export const FINDINGS: readonly CatalogueEntry[] = [...DNS_FINDINGS, ...PROBE_FINDINGS, ...POSH_FINDINGS, ...DANE_FINDINGS, ...DIALBACK_FINDINGS, ...AXL_FINDINGS, ...DOCTOR_FINDINGS, ...DIAGNOSE_FINDINGS];

/** The commands, in the order the docs list them, with the command line that emits their ids. */
export const SOURCES: ReadonlyArray<{ source: FindingSource; command: string }> = [
  { source: 'check-dns', command: 'xfed check-dns' },
  { source: 'probe', command: 'xfed probe' },
  { source: 'dialback', command: 'xfed dialback verify' },
  { source: 'axl-verify', command: 'xfed axl-verify' },
  { source: 'doctor', command: 'xfed doctor' },
  { source: 'diagnose', command: 'xfed diagnose' },
];

let byId: Map<string, CatalogueEntry> | undefined;

export function findingEntry(id: string): CatalogueEntry | undefined {
  byId ??= new Map(FINDINGS.map((e) => [e.id, e]));
  return byId.get(id);
}

/** Every severity an entry's id may be emitted with: its own first, then its variants'. */
export function allowedSeverities(e: CatalogueEntry): Severity[] {
  const out: Severity[] = [e.severity];
  for (const v of e.variants ?? []) if (!out.includes(v.severity)) out.push(v.severity);
  return out;
}

/** "error; warning when others resolve; info with --allow-private". */
export function severityText(e: CatalogueEntry): string {
  return [e.severity, ...(e.variants ?? []).map((v) => `${v.severity} ${v.when}`)].join('; ');
}

/** Severities no more severe than `s` (a diagnose cause seen only in xfed results takes theirs). */
export function atMost(s: Severity): Severity[] {
  return (Object.keys(SEVERITY_RANK) as Severity[]).filter((x) => SEVERITY_RANK[x] >= SEVERITY_RANK[s]);
}

/** Up to `n` known ids close to `id` (same words, or a small edit distance), best first. */
export function closeMatches(id: string, known: readonly string[], n = 3): string[] {
  const q = id.toLowerCase();
  const words = q.split(/[.\-_\s]+/).filter((w) => w.length > 1);
  const scored = known.map((k) => {
    const d = distance(q, k) / Math.max(q.length, k.length);
    const shared = words.filter((w) => k.includes(w)).length / Math.max(1, words.length);
    return { k, score: Math.min(d, 1 - shared * 0.7, k.includes(q) || q.includes(k) ? 0.2 : 1) };
  });
  return scored
    .filter((s) => s.score <= 0.45)
    .sort((a, b) => a.score - b.score || (a.k < b.k ? -1 : 1))
    .slice(0, n)
    .map((s) => s.k);
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
