/**
 * `diagnose()`: the programmatic core of `xfed diagnose` (and of `xfed doctor`,
 * which feeds it the in-memory results of the other checks). It never prints.
 */
import { parseDocument } from 'yaml';
import { InputError, UsageError } from '../core/errors.js';
import { readInput } from '../inputs/index.js';
import { targetResult, type RunResult, type TargetResult } from '../core/result.js';
import { compileRules, mergeRules } from './compile.js';
import { Engine } from './engine.js';
import { DECOMPRESSION_LIMITS, ReadContext, readPath, type DecompressionLimits } from './inputs.js';
import { BUILTIN_RULES } from './rules/index.js';
import type { DiagnoseData, RuleSpec } from './types.js';

export type { DiagnoseData, RuleSpec } from './types.js';
export { BUILTIN_RULES, INPUT_FINDINGS } from './rules/index.js';

export interface DiagnoseOptions {
  /** Files, directories, bundles; `-` reads `stdin`. */
  paths: string[];
  stdin?: NodeJS.ReadableStream;
  /** xfed results already in memory (e.g. from `xfed doctor`). */
  results?: Array<RunResult | { source: string; run: RunResult }>;
  /** A user's rules file (YAML or JSON) that extends or overrides the built-ins. */
  rulesFile?: string;
  /** Use exactly these rules instead of the built-ins (tests, embedding). */
  rules?: readonly RuleSpec[];
  /** Evidence entries per finding (default 10). */
  maxEvidence?: number;
  /** The target name in the result (default: the inputs). */
  target?: string;
  /** "Now", for the year of syslog stamps without one (tests). */
  now?: number;
  /** Caps on decompression (default DECOMPRESSION_LIMITS: 100:1 after 16 MiB, 2 GiB per run). */
  decompression?: Partial<DecompressionLimits>;
  /** Stops the reading (Ctrl-C): what was read so far is diagnosed. */
  signal?: AbortSignal;
}

const RULES_FILE_MAX = 1024 * 1024;

/** The rule set in force: the built-ins, extended or overridden by a user's rules file. */
export async function loadRules(rulesFile?: string, base: readonly RuleSpec[] = BUILTIN_RULES): Promise<RuleSpec[]> {
  if (!rulesFile) return [...base];
  let text: string;
  try {
    text = (await readInput(rulesFile, { field: 'diagnose.rules', maxBytes: RULES_FILE_MAX })).toString('utf8');
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw new UsageError(`rules file ${rulesFile}: ${err.problem}`, err.code);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    throw new UsageError(`rules file ${rulesFile}${line ? `: line ${line}` : ''}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, 'XFED_RULES_YAML');
  }
  let raw: unknown;
  try {
    // An alias bomb (`&a [*b, *b, …]` nested) stops here instead of filling memory.
    raw = doc.toJS({ maxAliasCount: 50 }) as unknown;
  } catch (err) {
    const bomb = /alias/i.test((err as Error).message);
    throw new UsageError(`rules file ${rulesFile}: ${bomb ? 'YAML aliases expand too much (at most 50 alias expansions)' : (err as Error).message.split('\n')[0]!}`, 'XFED_RULES_YAML');
  }
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' && Array.isArray((raw as { rules?: unknown }).rules) ? (raw as { rules: unknown[] }).rules : null;
  if (!list) throw new UsageError(`rules file ${rulesFile}: expected a list of rules, or an object with a "rules" list`, 'XFED_RULES');
  const merged = mergeRules(base, list as Record<string, unknown>[], `rules file ${rulesFile}`);
  compileRules(merged); // validates the whole set
  return merged;
}

export async function diagnose(opts: DiagnoseOptions): Promise<TargetResult<DiagnoseData>[]> {
  const started = performance.now();
  const specs = opts.rules ? [...opts.rules] : await loadRules(opts.rulesFile);
  const compiled = compileRules(specs);
  const engine = new Engine(compiled, { maxEvidence: opts.maxEvidence ?? 10, ...(opts.now !== undefined ? { now: opts.now } : {}) });
  const ctx = new ReadContext(engine, { ...DECOMPRESSION_LIMITS, ...opts.decompression }, opts.signal);
  if (opts.paths.length === 0 && !opts.results?.length) throw new UsageError('nothing to diagnose: give log files, directories, bundles or xfed JSON results (or - for stdin)', 'XFED_DIAGNOSE_NO_INPUT');
  if (opts.paths.filter((p) => p === '-').length > 1) throw new UsageError('"-" (stdin) can be given only once', 'XFED_STDIN_TWICE');
  for (const p of opts.paths) if (!ctx.stop()) await readPath(p, ctx, opts.stdin);
  opts.results?.forEach((r, i) => {
    const [run, source] = 'run' in r ? [r.run, r.source] : [r, `result ${i + 1}`];
    engine.addResult(run, source);
    ctx.record({ source, kind: 'xfed-json', bytes: 0, lines: 0, matched: run.targets.length });
  });
  const target = opts.target ?? (opts.paths.length === 1 ? (opts.paths[0] === '-' ? '(stdin)' : opts.paths[0]!) : opts.paths.length ? `${opts.paths.length} inputs` : 'results');
  const findings = engine.finish(target);
  const data: DiagnoseData = {
    diagnose: {
      rules: compiled.rules.length,
      inputs: ctx.inputs,
      inputsTotal: ctx.inputsTotal,
      totals: ctx.totals,
      causes: engine.causes(),
    },
  };
  return [targetResult(target, findings, data, { timings: { read: Math.round((performance.now() - started) * 10) / 10 } })];
}
