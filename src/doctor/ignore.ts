/**
 * The config's ignore list: matching findings are moved from `findings` to `data.ignored`
 * (with the reason), so they stay visible in the JSON but count neither for the verdict,
 * the summary nor the exit code.
 */
import { verdictOf, type Finding, type TargetResult } from '../core/result.js';
import type { IgnoreEntry } from './config.js';

export interface IgnoredFinding extends Finding {
  /** The reason given in the config. */
  ignoredBecause: string;
}

const cache = new Map<string, RegExp>();
export function glob(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    cache.set(pattern, re);
  }
  return re;
}

export function matches(entry: IgnoreEntry, f: Finding, t: TargetResult): boolean {
  if (!glob(entry.id).test(f.id)) return false;
  if (entry.target === undefined) return true;
  const re = glob(entry.target);
  return re.test(f.target) || re.test(t.target) || (t.display !== undefined && re.test(t.display));
}

/** Moves ignored findings aside, in place. `used` collects the indexes of entries that matched. */
export function applyIgnore(t: TargetResult<{ ignored?: IgnoredFinding[] }>, ignore: readonly IgnoreEntry[], used: Set<number>): void {
  if (!ignore.length) return;
  const kept: Finding[] = [];
  const moved: IgnoredFinding[] = [];
  for (const f of t.findings) {
    const i = ignore.findIndex((e) => matches(e, f, t));
    if (i >= 0) {
      used.add(i);
      moved.push({ ...f, ignoredBecause: ignore[i]!.reason });
    } else kept.push(f);
  }
  if (!moved.length) return;
  t.findings = kept;
  t.verdict = verdictOf(kept);
  t.data.ignored = [...(t.data.ignored ?? []), ...moved];
}

export function unusedIgnores(ignore: readonly IgnoreEntry[], used: Set<number>): Array<{ entry: IgnoreEntry; index: number }> {
  return ignore.map((entry, index) => ({ entry, index })).filter((x) => !used.has(x.index));
}
