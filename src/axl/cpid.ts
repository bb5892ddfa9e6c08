/**
 * Expressway-E S2S node ids as IM&P stores them in `xmpps2snodes.cp_id`.
 *
 * TAC 213865's only sample row is `cm-2_s2scp-1.eft-xwye-a-coluc-com` for the Expressway-E
 * `eft-xwye-a.coluc.com`: a component prefix, a dot, then the FQDN with dots replaced by dashes
 * (the same convention XCP uses for other realm names). See docs/cisco-expressway-imp.md §2.
 */

export const CP_ID_PREFIX = 'cm-2_s2scp-1';
const CP_ID_RE = /^(cm-\d+_s2scp-\d+)\.(.+)$/i;

export interface Expected {
  /** What the user typed (`--expect`). */
  input: string;
  /** The cp_id that must be in the table (lower case). */
  cpId: string;
  /** The FQDN when the input was one (lower case, no trailing dot). */
  fqdn?: string;
}

/** `eft-xwye-a.coluc.com` -> `cm-2_s2scp-1.eft-xwye-a-coluc-com`. */
export function cpIdFromFqdn(fqdn: string): string {
  return `${CP_ID_PREFIX}.${fqdn.trim().replace(/\.$/, '').toLowerCase().replace(/\./g, '-')}`;
}

export function splitCpId(cpId: string): { prefix: string; suffix: string } | undefined {
  const m = CP_ID_RE.exec(cpId.trim());
  return m ? { prefix: m[1]!.toLowerCase(), suffix: m[2]!.toLowerCase() } : undefined;
}

/**
 * Parses one `--expect` value: a cp_id (`cm-N_s2scp-N.<dashed fqdn>`) or an FQDN.
 * Returns the problem (a sentence without the field's name) for input that is neither.
 */
export function parseExpected(input: string): Expected | string {
  const v = input.trim();
  if (!v) return 'needs an Expressway-E FQDN or a cp_id';
  if (splitCpId(v)) return { input, cpId: v.toLowerCase() };
  const fqdn = v.replace(/\.$/, '').toLowerCase();
  if (fqdn.length > 253 || !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(fqdn)) {
    return `"${input}" is neither an FQDN nor a cp_id like ${CP_ID_PREFIX}.expe-example-com`;
  }
  return { input, cpId: cpIdFromFqdn(fqdn), fqdn };
}

/** Why a table row is almost, but not, the expected node. */
export interface NearMiss {
  cpId: string;
  kind: 'other-index' | 'other-domain' | 'host-only' | 'other-host' | 'typo';
  explanation: string;
}

/**
 * Explains how `row` nearly matches `exp` (case is already ignored by the caller), or
 * returns undefined when the row is unrelated.
 */
export function nearMiss(exp: Expected, row: string): NearMiss | undefined {
  const e = splitCpId(exp.cpId);
  const r = splitCpId(row);
  if (!e || !r) return undefined;
  if (e.suffix === r.suffix && e.prefix !== r.prefix) {
    return {
      cpId: row,
      kind: 'other-index',
      explanation: `same Expressway-E, other component index (${r.prefix} instead of ${e.prefix}); if that index is right for this deployment, pass --expect ${row}`,
    };
  }
  if (exp.fqdn) {
    const labels = exp.fqdn.split('.');
    const host = labels[0]!;
    const domain = labels.slice(1).join('-');
    if (r.suffix === host) {
      return { cpId: row, kind: 'host-only', explanation: `host name only, without the domain ${labels.slice(1).join('.')}: the Expressway-E's FQDN is incomplete on Expressway-C` };
    }
    if (r.suffix.startsWith(`${host}-`) && domain && !r.suffix.endsWith(`-${domain}`)) {
      return {
        cpId: row,
        kind: 'other-domain',
        explanation: `same host ${host}, other domain (${r.suffix.slice(host.length + 1)} instead of ${domain}): check the Expressway-E's System host name and Domain name`,
      };
    }
    if (domain && r.suffix.endsWith(`-${domain}`) && distance(r.suffix, e.suffix) <= 2) {
      return { cpId: row, kind: 'typo', explanation: `nearly the same host name (${r.suffix} vs ${e.suffix}): a typo in the Expressway-E host name?` };
    }
  } else if (distance(r.suffix, e.suffix) <= 2) {
    return { cpId: row, kind: 'typo', explanation: `nearly the same name (${r.suffix} vs ${e.suffix}): a typo?` };
  }
  return undefined;
}

/** Levenshtein distance, bounded work for the short strings cp_ids are. */
export function distance(a: string, b: string): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > 8) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

export interface MatchResult {
  expected: Array<Expected & { matched: boolean; row?: string; nearMisses: NearMiss[] }>;
  /** Rows nobody expects and that explain no near miss. */
  unexpected: string[];
}

/** Matches expected nodes against the table's cp_ids, case-insensitively. */
export function matchNodes(expected: Expected[], rows: string[]): MatchResult {
  const used = new Set<string>();
  const out: MatchResult['expected'] = [];
  for (const exp of expected) {
    const row = rows.find((r) => r.trim().toLowerCase() === exp.cpId);
    if (row !== undefined) {
      used.add(row);
      out.push({ ...exp, matched: true, row, nearMisses: [] });
    }
  }
  for (const exp of expected) {
    if (out.some((o) => o.input === exp.input && o.matched)) continue;
    const misses = rows.filter((r) => !used.has(r)).map((r) => nearMiss(exp, r)).filter((m): m is NearMiss => Boolean(m));
    out.push({ ...exp, matched: false, nearMisses: misses });
  }
  const explained = new Set(out.flatMap((o) => o.nearMisses.map((m) => m.cpId)));
  const order = new Map(expected.map((e, i) => [e.input, i]));
  out.sort((a, b) => order.get(a.input)! - order.get(b.input)!);
  return { expected: out, unexpected: rows.filter((r) => !used.has(r) && !explained.has(r)) };
}
