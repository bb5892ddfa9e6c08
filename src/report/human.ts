import type { Finding, RunResult, TargetResult } from '../core/result.js';
import { neutralizeWorkflowCommands, sanitizeDeep } from './sanitize.js';
import { DEFAULT_WIDTH, type Style, fitToWidth, table, visibleWidth } from './style.js';

export interface HumanOptions {
  verbose: boolean;
  quiet: boolean;
  /** Columns to wrap to (the terminal's on stdout; 80 in files and when not a terminal). */
  width?: number | undefined;
  /** The reference links of a finding id (the catalogue's), printed with --verbose. */
  references?: ((id: string) => readonly string[]) | undefined;
}

/**
 * Command-specific facts for one target (a DNS record table, TLS facts, timings...).
 * Registered per command in `sections/`; a command without one shows findings only.
 */
export type SectionRenderer = (t: TargetResult, style: Style, opts: HumanOptions) => string[];

/**
 * Every string printed here may come from a peer, a server, a log or a file: the render
 * functions sanitise what they are given (src/report/sanitize.ts) and `renderHuman`
 * neutralises workflow commands in the final text. Secrets are redacted before, once, at output.
 */
export function renderFinding(finding: Finding, style: Style, opts: HumanOptions): string[] {
  const { c } = style;
  const f = sanitizeDeep(finding);
  const width = opts.width ?? DEFAULT_WIDTH;
  const pad = '         ';
  const out = [fitToWidth(`  ${style.sev(f.severity)} ${c.bold(f.id)}  ${f.title}`, width, pad.length)];
  if (opts.quiet) return out;
  if (f.detail) out.push(...wrap(f.detail, width - pad.length).map((l) => pad + c.dim(l)));
  for (const e of f.evidence.slice(0, opts.verbose ? Infinity : 8)) {
    const where = e.source ? c.dim(` (${e.source}${e.line ? `:${e.line}` : ''}${e.count && e.count > 1 ? `, ${e.count}x` : ''})`) : '';
    out.push(fitToWidth(`${pad}${c.dim('•')} ${e.label}: ${e.value}${where}`, width, pad.length + 2));
  }
  if (!opts.verbose && f.evidence.length > 8) out.push(`${pad}${c.dim(`… ${f.evidence.length - 8} more (use --verbose)`)}`);
  if (f.fix) {
    const [first, ...rest] = wrap(f.fix, width - pad.length - 5);
    out.push(`${pad}${c.green('fix:')} ${first}`);
    for (const l of rest) out.push(`${pad}     ${l}`);
  }
  if (opts.verbose) for (const ref of opts.references?.(finding.id) ?? []) out.push(`${pad}${c.dim('see:')} ${ref}`);
  return out;
}

export function renderTarget(target: TargetResult, style: Style, opts: HumanOptions, section?: SectionRenderer): string[] {
  const { c } = style;
  // Section renderers print the target's facts: they get them sanitised.
  const t = sanitizeDeep(target);
  const name = t.display && t.display !== t.target ? `${t.display} (${t.target})` : t.target;
  const out = [`${style.verdict(t.verdict)}  ${c.bold(name)}`];
  if (section && !opts.quiet) out.push(...section(t, style, opts));
  const shown = opts.verbose ? t.findings : t.findings.filter((f) => f.severity !== 'info' || t.verdict === 'ok');
  for (const f of shown) out.push(...renderFinding(f, style, opts));
  const hidden = t.findings.length - shown.length;
  if (hidden > 0 && !opts.quiet) out.push(c.dim(`  (${hidden} info finding${hidden === 1 ? '' : 's'} hidden; --verbose shows them)`));
  return out;
}

/** Human rendering of a whole run: one block per target, then a summary table and line. */
export function renderHuman(input: RunResult, style: Style, opts: HumanOptions, section?: SectionRenderer): string {
  const run = sanitizeDeep(input);
  const lines: string[] = [];
  const many = run.targets.length > 1;
  // With many targets, the detailed blocks are for the ones that need attention.
  const detailed = many && !opts.verbose ? run.targets.filter((t) => t.verdict !== 'ok') : run.targets;
  for (const t of detailed) {
    if (opts.quiet && t.verdict === 'ok') continue;
    lines.push(...renderTarget(t, style, opts, section), '');
  }
  if (many && !opts.quiet) {
    const rows = [['TARGET', 'VERDICT', 'ERRORS', 'WARNINGS', 'FINDINGS']];
    for (const t of run.targets) rows.push(summaryRow(t, style, t.display && t.display !== t.target ? `${t.display} (${t.target})` : t.target));
    lines.push(...table(rows, style), '');
  }
  lines.push(fitToWidth(summaryLine(run, style), opts.width ?? DEFAULT_WIDTH));
  return neutralizeWorkflowCommands(lines.join('\n') + '\n');
}

/** One row of a summary table: name, verdict, error and warning counts, the ids of the problems. */
export function summaryRow(t: TargetResult, style: Style, name: string): string[] {
  const ids = [...new Set(t.findings.filter((f) => f.severity !== 'info').map((f) => f.id))];
  return [
    name,
    style.verdict(t.verdict),
    String(t.findings.filter((f) => f.severity === 'error').length),
    String(t.findings.filter((f) => f.severity === 'warning').length),
    ids.join(', ') || '-',
  ];
}

/** The closing line of every human report: counts, time and exit code (`extra` parts go before the time). */
export function summaryLine(run: RunResult, style: Style, extra: string[] = []): string {
  const { c } = style;
  const s = run.summary;
  const parts = [
    `${s.targets} target${s.targets === 1 ? '' : 's'}`,
    s.errors ? c.red(`${s.errors} error${s.errors === 1 ? '' : 's'}`) : '0 errors',
    s.warnings ? c.yellow(`${s.warnings} warning${s.warnings === 1 ? '' : 's'}`) : '0 warnings',
    `${s.info} info`,
    ...extra,
  ];
  return `${c.bold(run.command)}: ${parts.join(', ')} in ${formatDuration(run.durationMs)} (exit ${run.exitCode})`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Greedy word wrap; keeps long tokens (URLs, XML) whole. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/)) {
      if (!word) continue;
      if (line && visibleWidth(line) + 1 + visibleWidth(word) > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}
