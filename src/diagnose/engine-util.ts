/**
 * The engine's plain helpers: hits and their order, chains, evidence and time spans.
 */
import { SEVERITY_RANK, type Evidence, type Severity } from '../core/result.js';
import type { CRule } from './compile.js';
import { redactEvidence } from '../core/redact.js';

export const MAX_TEXT = 600;
export const MAX_CHAIN_EVENTS = 20_000;

export interface Hit {
  source: string;
  line?: number;
  text: string;
  time?: number;
  /** Read order, for entries without a time. */
  order: number;
  key: string;
  label?: string;
  /** For a finding of an xfed result: its severity (the cause is never more severe). */
  severity?: Severity;
}

export interface Group {
  first: Hit;
  last: Hit;
  count: number;
}

export function cmp(a: Hit, b: Hit): number {
  if (a.time !== undefined && b.time !== undefined && a.time !== b.time) return a.time - b.time;
  return a.order - b.order;
}

/** A chain's hits in read order: `step` is the step index, -1 for `unless`. */
export interface ChainState {
  events: Array<{ step: number; hit: Hit }>;
}

/**
 * A cause found only in xfed results is no more severe than the findings behind it
 * (a dns.srv.missing warning, with a fallback, must not become an error); any log
 * line or file among the evidence keeps the rule's own severity.
 */
export function causeSeverity(r: CRule, st: { onlyResults: boolean; resultSeverity: Severity | undefined }): Severity {
  const own = r.spec.severity;
  if (!st.onlyResults || !st.resultSeverity) return own;
  return SEVERITY_RANK[st.resultSeverity] > SEVERITY_RANK[own] ? st.resultSeverity : own;
}

export function chainEvent(cs: ChainState, step: number, hit: Hit): void {
  cs.events.push({ step, hit });
  if (cs.events.length <= MAX_CHAIN_EVENTS) return;
  // Routine repeats (Expressway-C's AXL 200s): of a run of one step read in a row
  // from one source, the first and the last are kept.
  const ev = cs.events;
  const keep: typeof ev = [];
  for (let i = 0; i < ev.length; i++) {
    const same = (j: number) => j >= 0 && j < ev.length && ev[j]!.step === ev[i]!.step && ev[j]!.hit.source === ev[i]!.hit.source;
    if (!same(i - 1) || !same(i + 1)) keep.push(ev[i]!);
  }
  // Still too many (steps alternating): forget the oldest.
  cs.events = keep.length > MAX_CHAIN_EVENTS / 2 ? keep.slice(keep.length - MAX_CHAIN_EVENTS / 2) : keep;
}

/**
 * The hits of a chain that completed and was not followed by `unless`, or undefined.
 * Walked in time order: each step takes the earliest hit after the previous step's;
 * `unless` after a completion voids it (a later episode may complete again), and
 * `unless` before the completion does not count (a restart before the fix).
 */
export function completedChain(cs: ChainState, steps: number): Hit[] | undefined {
  const events = [...cs.events].sort((a, b) => cmp(a.hit, b.hit) || a.step - b.step);
  let live: Hit[] | undefined;
  let cur: Hit[] = [];
  for (const { step, hit } of events) {
    if (step < 0) {
      if (live && cmp(hit, live[live.length - 1]!) > 0) live = undefined;
      continue;
    }
    // One line serves one step only.
    if (step !== cur.length || (cur.length && cmp(hit, cur[cur.length - 1]!) <= 0)) continue;
    cur.push(hit);
    if (cur.length === steps) {
      live ??= cur;
      cur = [];
    }
  }
  return live;
}

export function iso(t: number | undefined): string | undefined {
  return t === undefined ? undefined : new Date(t).toISOString();
}

export function evidenceOf(g: Group): Evidence {
  const shown = redactEvidence(g.first.text);
  const e: Evidence = { label: g.first.label ?? (g.first.key || 'log'), value: shown.length > MAX_TEXT ? `${shown.slice(0, MAX_TEXT)}…` : shown, source: g.first.source };
  if (g.first.line !== undefined) e.line = g.first.line;
  const f = iso(g.first.time);
  const l = iso(g.last.time);
  if (f) e.firstSeen = f;
  if (l) e.lastSeen = l;
  e.count = g.count;
  return e;
}

export function span(groups: Group[]): string {
  const times = groups.flatMap((g) => [g.first.time, g.last.time]).filter((t): t is number => t !== undefined);
  if (!times.length) return '';
  const a = iso(Math.min(...times))!;
  const b = iso(Math.max(...times))!;
  return a === b ? ` at ${a}` : ` between ${a} and ${b}`;
}

/** "raised at …, cleared at …" for a cause whose state ended. */
export function clearedText(groups: readonly Group[], c: Hit): string {
  const raised = groups.map((g) => g.last.time).filter((t): t is number => t !== undefined);
  const at = raised.length ? iso(Math.max(...raised)) : undefined;
  const where = `${c.source}${c.line !== undefined ? `:${c.line}` : ''}`;
  return `was raised${at ? ` at ${at}` : ''}, cleared${c.time !== undefined ? ` at ${iso(c.time)}` : ''} (${where}); not a current cause.`;
}

export function clearEvidence(c: Hit): Evidence {
  const shown = redactEvidence(c.text);
  const e: Evidence = { label: 'cleared', value: shown.length > MAX_TEXT ? `${shown.slice(0, MAX_TEXT)}…` : shown, source: c.source };
  if (c.line !== undefined) e.line = c.line;
  const t = iso(c.time);
  if (t) e.firstSeen = t;
  return e;
}
