/**
 * States and ranking of fired causes: a cause whose every key was cleared later
 * (alarm lowered, federation re-enabled, a successful dialback with the same
 * peer) becomes info; root causes rank before the consequences they explain.
 */
import { SEVERITY_RANK, type Finding } from '../core/result.js';
import { cmp, type Group, type Hit } from './engine-util.js';

/** The clear that ended the state of every group, or undefined when one is still raised. */
export function clearedBy(groups: readonly Group[], clears: ReadonlyMap<string, Hit>): Hit | undefined {
  if (clears.size === 0 || groups.length === 0) return undefined;
  const keyless = clears.get('');
  let latest: Hit | undefined;
  for (const g of groups) {
    if (g.first.line === undefined && g.first.label !== 'file') return undefined; // xfed results carry no state
    const cands = g.first.key ? [clears.get(g.first.key), keyless] : [...clears.values()];
    let best: Hit | undefined;
    for (const c of cands) if (c && cmp(c, g.last) > 0 && (!best || cmp(c, best) > 0)) best = c;
    if (!best) return undefined;
    if (!latest || cmp(best, latest) > 0) latest = best;
  }
  return latest;
}

export interface Ranked {
  f: Finding;
  /** First time seen (ms), for the order within a rank. */
  t: number;
  /** Ids this cause explains (from its rule). */
  explains?: readonly string[];
}

/**
 * Orders findings by severity; within one severity, the causes that nothing else
 * explains first, then the consequences of a live root cause; then by time. Each
 * root names the consequences it explains, each consequence its root.
 */
export function rank(out: Ranked[]): Finding[] {
  const live = (r: Ranked) => r.f.severity !== 'info';
  const byId = new Map(out.filter(live).map((r) => [r.f.id, r] as const));
  const rootsOf = new Map<string, string[]>();
  for (const r of out) {
    if (!live(r)) continue;
    const explained = (r.explains ?? []).filter((id) => id !== r.f.id && byId.has(id));
    if (explained.length) r.f.detail = `${r.f.detail} Explains: ${explained.join(', ')} (consequences of this cause).`;
    for (const id of explained) rootsOf.set(id, [...(rootsOf.get(id) ?? []), r.f.id]);
  }
  for (const [id, roots] of rootsOf) {
    const r = byId.get(id)!;
    r.f.detail = `${r.f.detail} Probably a consequence of: ${roots.join(', ')} (reported above).`;
  }
  const tier = (r: Ranked) => (!live(r) ? 2 : rootsOf.has(r.f.id) ? 1 : 0);
  // Severity stays the first key (every command's findings are sorted by it: core/result.ts sortFindings, stable).
  out.sort((a, b) => SEVERITY_RANK[a.f.severity] - SEVERITY_RANK[b.f.severity] || tier(a) - tier(b) || a.t - b.t);
  return out.map((o) => o.f);
}
