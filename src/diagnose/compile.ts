/**
 * Validates rule data (built-in or from a user's `--rules` file) and compiles it:
 * regexes built once, and every keyword of every rule joined into one prefilter.
 */
import { UsageError } from '../core/errors.js';
import type { Severity } from '../core/result.js';
import { PRODUCTS, type MatcherSpec, type PatternSpec, type Product, type RuleSpec } from './types.js';

export interface CPattern {
  keywords: string[];
  /** Lower-cased keywords for ignoreCase patterns. */
  lower?: string[];
  re?: RegExp;
  /** null: any product. */
  products: ReadonlySet<string> | null;
}

export type CMatcher =
  | { kind: 'line'; p: CPattern; threshold?: { count: number; windowMs?: number } }
  | { kind: 'sequence'; start: CPattern; end: CPattern; close?: CPattern; windowMs?: number }
  | { kind: 'chain'; steps: CPattern[]; unless?: CPattern }
  | { kind: 'file'; re: RegExp }
  | { kind: 'finding'; exact: Set<string>; prefixes: string[]; catchAll: boolean; text?: RegExp }
  /** A rule's `clears` pattern (not a way to fire: it ends a state). */
  | { kind: 'clear'; p: CPattern };

export interface CRule {
  spec: RuleSpec;
  matchers: CMatcher[];
}

export interface CompiledRules {
  rules: CRule[];
  /** One regex with every keyword (latin1 form, as the scanner searches bytes decoded as latin1). */
  prefilter: RegExp | null;
  keywords: string[];
}

const ID_RE = /^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)+$/;
const SEVERITIES: Severity[] = ['error', 'warning', 'info'];

function fail(where: string, msg: string): never {
  throw new UsageError(`${where}: ${msg}`, 'XFED_RULES');
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strList(v: unknown, where: string, min = 1): string[] {
  if (!Array.isArray(v) || v.length < min || !v.every((s) => typeof s === 'string' && s.length > 0)) {
    fail(where, min > 0 ? 'must be a non-empty list of strings' : 'must be a list of strings');
  }
  return v as string[];
}

function regex(src: unknown, flags: string, where: string): RegExp {
  if (typeof src !== 'string' || !src) fail(where, 'must be a regular expression string');
  try {
    return new RegExp(src, flags);
  } catch (err) {
    fail(where, `invalid regular expression: ${(err as Error).message}`);
  }
}

function onlyKeys(o: Record<string, unknown>, allowed: string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(where, `unknown key "${k}" (allowed: ${allowed.join(', ')})`);
}

function pattern(raw: unknown, where: string, ruleProducts: string[]): CPattern {
  if (!isObj(raw)) fail(where, 'must be an object with "keywords" (and optionally "regex", "ignoreCase", "products")');
  onlyKeys(raw, ['keywords', 'regex', 'ignoreCase', 'products', 'threshold'], where);
  const keywords = strList(raw.keywords, `${where}.keywords`);
  for (const k of keywords) if (k.length < 3) fail(`${where}.keywords`, `"${k}" is too short (at least 3 characters, so the prefilter stays selective)`);
  const ignoreCase = raw.ignoreCase === true;
  if (raw.ignoreCase !== undefined && typeof raw.ignoreCase !== 'boolean') fail(`${where}.ignoreCase`, 'must be true or false');
  const prods = raw.products === undefined ? ruleProducts : strList(raw.products, `${where}.products`);
  for (const p of prods) if (p !== 'any' && p !== 'xfed-json' && !PRODUCTS.includes(p as Product)) fail(`${where}.products`, `unknown product "${p}" (${[...PRODUCTS, 'any'].join(', ')})`);
  const logProducts = prods.filter((p) => p !== 'xfed-json');
  return {
    keywords,
    ...(ignoreCase ? { lower: keywords.map((k) => k.toLowerCase()) } : {}),
    ...(raw.regex !== undefined ? { re: regex(raw.regex, ignoreCase ? 'i' : '', `${where}.regex`) } : {}),
    products: logProducts.length === 0 || logProducts.includes('any') ? null : new Set(logProducts),
  };
}

function seconds(v: unknown, where: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v > 0) || v > 86_400 * 365) fail(where, 'must be a positive number of seconds');
  return v * 1000;
}

function matcher(raw: unknown, where: string, ruleProducts: string[]): CMatcher {
  if (!isObj(raw) || Object.keys(raw).length !== 1) fail(where, 'must be an object with exactly one of: line, sequence, chain, file, finding');
  const [kind, body] = Object.entries(raw)[0]!;
  const w = `${where}.${kind}`;
  if (!isObj(body)) fail(w, 'must be an object');
  switch (kind) {
    case 'line': {
      let threshold: { count: number; windowMs?: number } | undefined;
      if (body.threshold !== undefined) {
        const t = body.threshold;
        if (!isObj(t) || typeof t.count !== 'number' || !Number.isInteger(t.count) || t.count < 1) fail(`${w}.threshold`, 'must be { count: <whole number >= 1>, windowSeconds?: <seconds> }');
        onlyKeys(t, ['count', 'windowSeconds'], `${w}.threshold`);
        const windowMs = seconds(t.windowSeconds, `${w}.threshold.windowSeconds`);
        threshold = { count: t.count, ...(windowMs ? { windowMs } : {}) };
      }
      return { kind: 'line', p: pattern(body, w, ruleProducts), ...(threshold ? { threshold } : {}) };
    }
    case 'sequence': {
      onlyKeys(body, ['start', 'end', 'close', 'windowSeconds'], w);
      const windowMs = seconds(body.windowSeconds, `${w}.windowSeconds`);
      return {
        kind: 'sequence',
        start: pattern(body.start, `${w}.start`, ruleProducts),
        end: pattern(body.end, `${w}.end`, ruleProducts),
        ...(body.close !== undefined ? { close: pattern(body.close, `${w}.close`, ruleProducts) } : {}),
        ...(windowMs ? { windowMs } : {}),
      };
    }
    case 'chain': {
      onlyKeys(body, ['steps', 'unless'], w);
      if (!Array.isArray(body.steps) || body.steps.length === 0) fail(`${w}.steps`, 'must be a non-empty list of patterns');
      return {
        kind: 'chain',
        steps: body.steps.map((s, i) => pattern(s, `${w}.steps[${i}]`, ruleProducts)),
        ...(body.unless !== undefined ? { unless: pattern(body.unless, `${w}.unless`, ruleProducts) } : {}),
      };
    }
    case 'file':
      onlyKeys(body, ['path'], w);
      return { kind: 'file', re: regex(body.path, '', `${w}.path`) };
    case 'finding': {
      onlyKeys(body, ['ids', 'text'], w);
      const ids = strList(body.ids, `${w}.ids`);
      return {
        kind: 'finding',
        exact: new Set(ids.filter((i) => !i.endsWith('*'))),
        prefixes: ids.filter((i) => i.endsWith('*') && i !== '*').map((i) => i.slice(0, -1)),
        catchAll: ids.includes('*'),
        ...(body.text !== undefined ? { text: regex(body.text, 'i', `${w}.text`) } : {}),
      };
    }
    default:
      fail(where, `unknown matcher "${kind}" (line, sequence, chain, file, finding)`);
  }
}

/** Validates one rule object; returns it typed. `where` prefixes error messages. */
export function validateRule(raw: unknown, where: string): { spec: RuleSpec; matchers: CMatcher[] } {
  if (!isObj(raw)) fail(where, 'must be an object');
  onlyKeys(raw, ['id', 'title', 'severity', 'products', 'logs', 'match', 'cause', 'fix', 'references', 'supersedes', 'clears', 'explains', 'notes', 'enabled'], where);
  if (typeof raw.id !== 'string' || !ID_RE.test(raw.id)) fail(`${where}.id`, 'must be a dotted lower-case id such as "site.partner.blocked"');
  const w = `${where} (${raw.id})`;
  for (const k of ['title', 'cause'] as const) if (typeof raw[k] !== 'string' || !raw[k]) fail(`${w}.${k}`, 'must be a non-empty string');
  if (!SEVERITIES.includes(raw.severity as Severity)) fail(`${w}.severity`, 'must be error, warning or info');
  const products = raw.products === undefined ? ['any'] : strList(raw.products, `${w}.products`);
  const fix = strList(raw.fix, `${w}.fix`, 0);
  const references = raw.references === undefined ? [] : strList(raw.references, `${w}.references`, 0);
  if (!Array.isArray(raw.match) || raw.match.length === 0) fail(`${w}.match`, 'must be a non-empty list of matchers');
  const matchers = raw.match.map((m, i) => matcher(m, `${w}.match[${i}]`, products));
  if (raw.supersedes !== undefined) strList(raw.supersedes, `${w}.supersedes`, 0);
  if (raw.explains !== undefined) strList(raw.explains, `${w}.explains`, 0);
  if (raw.clears !== undefined) {
    if (!Array.isArray(raw.clears)) fail(`${w}.clears`, 'must be a list of patterns');
    raw.clears.forEach((c, i) => matchers.push({ kind: 'clear', p: pattern(c, `${w}.clears[${i}]`, products) }));
  }
  for (const k of ['logs', 'notes'] as const) if (raw[k] !== undefined && typeof raw[k] !== 'string') fail(`${w}.${k}`, 'must be a string');
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean') fail(`${w}.enabled`, 'must be true or false');
  const spec = { ...raw, products, fix, references, logs: (raw.logs as string | undefined) ?? '' } as unknown as RuleSpec;
  return { spec, matchers };
}

/** Case variants searched for an ignoreCase keyword (the prefilter itself is case-sensitive, for speed). */
export function variants(k: string): string[] {
  const lower = k.toLowerCase();
  return [k, lower, k.toUpperCase(), lower.charAt(0).toUpperCase() + lower.slice(1)];
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Trie {
  end?: true;
  next: Map<string, Trie>;
}

/**
 * The keywords as one regex shaped like a trie (`Status="(?:200|401)"` rather than
 * `Status="200"|Status="401"`): V8 then tests far fewer alternatives per position,
 * which makes the whole-buffer search about 1.3x faster with this rule set.
 */
export function trieSource(words: readonly string[]): string {
  const root: Trie = { next: new Map() };
  for (const w of words) {
    let n = root;
    for (const ch of w) {
      let c = n.next.get(ch);
      if (!c) n.next.set(ch, (c = { next: new Map() }));
      n = c;
    }
    n.end = true;
  }
  const emit = (n: Trie): string => {
    if (n.next.size === 0) return '';
    const alts = [...n.next].map(([ch, c]) => escape(ch) + emit(c));
    const body = alts.length === 1 ? alts[0]! : `(?:${alts.join('|')})`;
    // Greedy: the longest keyword wins at a position.
    return n.end ? `(?:${body})?` : body;
  };
  return emit(root);
}

export function allPatterns(m: CMatcher): CPattern[] {
  switch (m.kind) {
    case 'line':
    case 'clear':
      return [m.p];
    case 'sequence':
      return [m.start, m.end, ...(m.close ? [m.close] : [])];
    case 'chain':
      return [...m.steps, ...(m.unless ? [m.unless] : [])];
    default:
      return [];
  }
}

export function compileRules(specs: readonly RuleSpec[]): CompiledRules {
  const rules: CRule[] = [];
  for (const s of specs) {
    if (s.enabled === false) continue;
    const { spec, matchers } = validateRule(s, 'rule');
    rules.push({ spec, matchers });
  }
  const kw = new Set<string>();
  for (const r of rules)
    for (const m of r.matchers)
      for (const p of allPatterns(m)) for (const k of p.keywords) for (const v of p.lower ? variants(k) : [k]) kw.add(Buffer.from(v, 'utf8').toString('latin1'));
  const keywords = [...kw].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const prefilter = keywords.length ? new RegExp(trieSource(keywords), 'g') : null;
  return { rules, prefilter, keywords };
}

/** Merges a user's rules over the built-ins: same id overrides (fields merged), new ids extend. */
export function mergeRules(builtin: readonly RuleSpec[], user: readonly Record<string, unknown>[], origin: string): RuleSpec[] {
  const byId = new Map(builtin.map((r) => [r.id, r] as const));
  const out = [...builtin];
  user.forEach((u, i) => {
    const where = `${origin}: rules[${i}]`;
    if (!isObj(u) || typeof u.id !== 'string') fail(where, 'must be an object with an "id"');
    const base = byId.get(u.id);
    const merged = base ? { ...base, ...u } : u;
    if (merged.enabled !== false) validateRule(merged, where);
    const idx = out.findIndex((r) => r.id === u.id);
    if (idx >= 0) out[idx] = merged as unknown as RuleSpec;
    else out.push(merged as unknown as RuleSpec);
  });
  return out;
}

/** Narrowing helper for matcher specs in docs. */
export function matcherKind(m: MatcherSpec): string {
  return Object.keys(m)[0]!;
}

export type { PatternSpec };
