/**
 * GitHub Actions workflow commands: one `::error` / `::warning` annotation per finding, so
 * problems show on the run's summary page. Escaping follows the runner's rules (data: % \r \n;
 * properties also : and ,). https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */
import { checkOf } from '../core/checks.js';
import type { RunResult } from '../core/result.js';

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One annotation per finding of a run (already redacted: report/output.ts renders every format). */
export function renderGithub(run: RunResult, opts: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  for (const t of run.targets) {
    const check = checkOf(run, t);
    const name = t.display && t.display !== t.target ? t.display : t.target;
    for (const f of t.findings) {
      if (f.severity === 'info' && !opts.verbose) continue;
      const level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
      const text = [f.title, f.detail, f.fix ? `Fix: ${f.fix}` : ''].filter(Boolean).join('\n');
      lines.push(`::${level} title=${escapeProperty(`xfed ${check} ${name}: ${f.id}`)}::${escapeData(text)}`);
    }
  }
  const s = run.summary;
  lines.push(
    `::notice title=${escapeProperty(`xfed ${run.command}`)}::${escapeData(`${s.targets} targets, ${s.errors} errors, ${s.warnings} warnings, ${s.info} info (exit ${run.exitCode})`)}`,
  );
  return lines.join('\n') + '\n';
}
