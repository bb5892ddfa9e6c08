/**
 * GitHub Actions workflow commands: `::error` / `::warning` annotations, so problems show on the
 * run's summary page. GitHub shows only 10 annotations of each level per step, so the causes
 * (diagnose findings) come first, at most 10 annotations per level are written, and the rest is
 * counted in one notice; the step summary (`$GITHUB_STEP_SUMMARY`, Markdown) lists them all.
 * Escaping follows the runner's rules (data: % \r \n; properties also : and ,).
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */
import { checkOf } from '../core/checks.js';
import type { Finding, RunResult } from '../core/result.js';

/** Annotations of one level GitHub shows for a step. */
export const ANNOTATIONS_PER_LEVEL = 10;

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

type Level = 'error' | 'warning' | 'notice';

interface Item {
  level: Level;
  check: string;
  target: string;
  finding: Finding;
}

/** Every finding shown (info only with --verbose): diagnose's causes first, then errors before warnings before info. */
function items(run: RunResult, verbose: boolean): Item[] {
  const out: Item[] = [];
  for (const t of run.targets) {
    const check = checkOf(run, t);
    const target = t.display && t.display !== t.target ? t.display : t.target;
    for (const f of t.findings) {
      if (f.severity === 'info' && !verbose) continue;
      const level: Level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
      out.push({ level, check, target, finding: f });
    }
  }
  const rank = (i: Item) => (i.check === 'diagnose' ? 0 : 1);
  // Array.prototype.sort is stable: the run's own order within each group.
  return out.sort((a, b) => rank(a) - rank(b));
}

/** Annotations for a run (already redacted: report/output.ts renders every format). */
export function renderGithub(run: RunResult, opts: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  const shown: Record<Level, number> = { error: 0, warning: 0, notice: 0 };
  const left: Record<Level, number> = { error: 0, warning: 0, notice: 0 };
  // Two notices are ours (what was left out, the summary): findings get the rest of that level.
  const cap: Record<Level, number> = { error: ANNOTATIONS_PER_LEVEL, warning: ANNOTATIONS_PER_LEVEL, notice: ANNOTATIONS_PER_LEVEL - 2 };
  for (const i of items(run, Boolean(opts.verbose))) {
    if (shown[i.level] >= cap[i.level]) {
      left[i.level]++;
      continue;
    }
    shown[i.level]++;
    const f = i.finding;
    const text = [f.title, f.detail, f.fix ? `Fix: ${f.fix}` : ''].filter(Boolean).join('\n');
    lines.push(`::${i.level} title=${escapeProperty(`xfed ${i.check} ${i.target}: ${f.id}`)}::${escapeData(text)}`);
  }
  const more = (['error', 'warning', 'notice'] as const).filter((l) => left[l] > 0).map((l) => (l === 'notice' ? `${left[l]} info` : `${left[l]} ${l}${left[l] === 1 ? '' : 's'}`));
  if (more.length) {
    const where = 'GitHub shows 10 annotations of each kind per step; the step summary and the JSON or JUnit report list every finding';
    lines.push(`::notice title=${escapeProperty(`xfed ${run.command}: ${more.join(', ')} more`)}::${escapeData(`${more.join(', ')} not annotated. ${where}.`)}`);
  }
  const s = run.summary;
  lines.push(
    `::notice title=${escapeProperty(`xfed ${run.command}`)}::${escapeData(`${s.targets} targets, ${s.errors} errors, ${s.warnings} warnings, ${s.info} info (exit ${run.exitCode})`)}`,
  );
  return lines.join('\n') + '\n';
}

/** Text inside a Markdown table cell: one line, no pipe, no HTML, no workflow command. */
function cell(s: string): string {
  return s
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/[\\|`*_<>[\]]/g, (c) => `\\${c}`)
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
}

/** Rows in the step summary at most (GitHub caps a summary at 1 MiB). */
const SUMMARY_ROWS = 200;

/** The Markdown appended to `$GITHUB_STEP_SUMMARY`: the verdict and every finding shown, causes first. */
export function renderGithubSummary(run: RunResult, opts: { verbose?: boolean } = {}): string {
  const s = run.summary;
  const icon = run.exitCode === 0 ? '✅' : '❌';
  const out = [`### ${icon} xfed ${cell(run.command)}: ${s.errors} errors, ${s.warnings} warnings, ${s.info} info on ${s.targets} targets (exit ${run.exitCode})`, ''];
  const all = items(run, Boolean(opts.verbose));
  if (all.length) {
    out.push('| Severity | Check | Target | Finding | What | Fix |', '|---|---|---|---|---|---|');
    for (const i of all.slice(0, SUMMARY_ROWS)) {
      const f = i.finding;
      out.push(`| ${f.severity} | ${cell(i.check)} | ${cell(i.target)} | \`${f.id}\` | ${cell(f.title)} | ${cell(f.fix ?? '')} |`);
    }
    if (all.length > SUMMARY_ROWS) out.push('', `${all.length - SUMMARY_ROWS} more findings: see the JSON or JUnit report.`);
    out.push('', '`xfed explain <finding>` tells what a finding means and how to fix it.');
  } else {
    out.push('No problems found.');
  }
  return out.join('\n') + '\n\n';
}
