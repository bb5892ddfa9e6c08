/**
 * `xfed report --html out.html <xfed JSON files…>`: renders saved results as one HTML report.
 * Several files (or several documents in one file) are merged: the report lists each run and
 * says which run every target came from. Each run is redacted before it is rendered.
 */
import type { Command } from 'commander';
import { InputError, UsageError } from '../../core/errors.js';
import { EXIT } from '../../core/exit-codes.js';
import { redactRun } from '../../core/redact.js';
import type { RunResult } from '../../core/result.js';
import { splitJson } from '../../diagnose/inputs.js';
import { readText } from '../../inputs/index.js';
import type { ReportRun } from '../../report/html/index.js';
import { globalOptions, write } from '../run.js';

const FIELD = 'report.input';

/** Why a parsed document is not an xfed run result, or undefined when it is one. */
export function notARun(v: unknown): string | undefined {
  const o = v as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'is not an xfed JSON result (not a JSON object)';
  if (o.tool !== 'xfed') return 'is not an xfed JSON result (no "tool": "xfed")';
  if (!Array.isArray(o.targets)) return 'is not an xfed JSON result (no "targets" list)';
  for (const [i, t] of (o.targets as unknown[]).entries()) {
    const tr = t as Record<string, unknown> | null;
    if (typeof tr !== 'object' || tr === null || typeof tr.target !== 'string') return `is not an xfed JSON result (targets[${i}] has no "target" name)`;
    if (!Array.isArray(tr.findings)) return `is not an xfed JSON result (targets[${i}] has no "findings" list)`;
    for (const [j, f] of (tr.findings as unknown[]).entries()) {
      const fr = f as Record<string, unknown> | null;
      if (typeof fr !== 'object' || fr === null || typeof fr.id !== 'string' || typeof fr.severity !== 'string') return `is not an xfed JSON result (targets[${i}].findings[${j}] has no "id" or "severity")`;
    }
  }
  return undefined;
}

async function readRuns(file: string): Promise<ReportRun[]> {
  const text = await readText(file, FIELD);
  let docs: unknown[];
  try {
    docs = splitJson(text);
  } catch (e) {
    throw new InputError(FIELD, `does not parse as JSON: ${(e as Error).message}`, 'XFED_REPORT_INPUT', file);
  }
  if (docs.length === 0) throw new InputError(FIELD, 'holds no xfed JSON result', 'XFED_REPORT_INPUT', file);
  const name = file === '-' ? '(stdin)' : file;
  return docs.map((d, i) => {
    const why = notARun(d);
    if (why) throw new InputError(FIELD, docs.length > 1 ? `document ${i + 1} ${why}` : why, 'XFED_REPORT_INPUT', file);
    return { run: redactRun(d as RunResult), source: docs.length > 1 ? `${name} #${i + 1}` : name };
  });
}

export async function reportCommand(files: string[], opts: Record<string, unknown>, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  if (g.outputs.length || g.format !== 'human') throw new UsageError('report writes the HTML file given with --html: --format, --json and --output do not apply');
  const out = String(opts.html);
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('report: "-" (stdin) can be given once');
  if (out !== '-') {
    const { checkOutputs } = await import('../../report/output.js');
    await checkOutputs([{ format: 'html', file: out }], files.map((file) => ({ label: 'the input', file })), '--html');
  }
  const runs: ReportRun[] = [];
  for (const f of files) runs.push(...(await readRuns(f)));
  const { renderHtml } = await import('../../report/html/index.js');
  const html = renderHtml(runs);
  if (out === '-') {
    await write(process.stdout, html);
    return EXIT.OK;
  }
  const { writeReport } = await import('../../report/output.js');
  const failed = await writeReport(out, html);
  if (failed) {
    await write(process.stderr, `xfed: cannot write --html ${out}: ${failed}\n`);
    return EXIT.INTERNAL;
  }
  const targets = runs.reduce((n, r) => n + r.run.targets.length, 0);
  if (!g.quiet) await write(process.stdout, `wrote ${out}: ${runs.length} run${runs.length === 1 ? '' : 's'}, ${targets} target${targets === 1 ? '' : 's'}\n`);
  return EXIT.OK;
}
