import { existsSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { EXIT } from '../../core/exit-codes.js';
import { redactRun } from '../../core/redact.js';
import type { RunResult } from '../../core/result.js';
import { loadConfig } from '../../doctor/config.js';
import { runDoctor } from '../../doctor/doctor.js';
import { resolvePlan, type DoctorPlan } from '../../doctor/plan.js';
import { startProgress } from '../../report/progress.js';
import { buildRun, globalOptions, write, type GlobalOptions } from '../run.js';

export type Format = 'human' | 'json' | 'junit' | 'github';
const FORMATS: readonly Format[] = ['human', 'json', 'junit', 'github'];
const BY_EXTENSION: Record<string, Format> = { json: 'json', xml: 'junit', txt: 'human', log: 'human' };

interface DoctorCliOptions {
  config?: string;
  demo?: boolean;
  format?: Format;
  output?: string[];
  concurrency?: number;
}

export const DEFAULT_CONFIGS = ['xfed.yaml', 'xfed.yml', 'xfed.json'];

/** `--output json=report.json`, or `--output report.json` (format from the extension). */
export function parseOutput(spec: string): { format: Format; file: string } {
  const m = /^([a-z]+)=(.+)$/.exec(spec);
  if (m) {
    if (!FORMATS.includes(m[1] as Format)) throw new UsageError(`--output ${spec}: unknown format "${m[1]}" (use ${FORMATS.join(', ')})`);
    return { format: m[1] as Format, file: m[2]! };
  }
  const ext = /\.([a-z]+)$/i.exec(spec)?.[1]?.toLowerCase();
  const format = ext ? BY_EXTENSION[ext] : undefined;
  if (!format) throw new UsageError(`--output ${spec}: say the format, e.g. --output json=${spec} (json, junit, human, github)`);
  return { format, file: spec };
}

export async function render(format: Format, run: RunResult, g: GlobalOptions, color: boolean, footer?: string): Promise<string> {
  switch (format) {
    case 'json':
      return (await import('../../report/json.js')).renderJson(run);
    case 'junit':
      return (await import('../../report/junit.js')).renderJunit(run, { strict: g.strict });
    case 'github':
      return (await import('../../report/github.js')).renderGithub(run, { verbose: g.verbose });
    case 'human': {
      const [{ renderDoctorHuman }, { makeStyle }] = await Promise.all([import('../../report/sections/doctor.js'), import('../../report/style.js')]);
      return renderDoctorHuman(run, makeStyle(color), { verbose: g.verbose, quiet: g.quiet, ...(footer ? { footer } : {}) });
    }
  }
}

export const DEMO_FOOTER =
  'This was the built-in demo deployment (on 127.0.0.1, inside this process, now stopped). globex.example and the IM&P AXL user are broken on purpose, so xfed exits 1. Next: "xfed init" writes a config for your own deployment.';

export async function doctorCommand(raw: Record<string, unknown>, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  const o = raw as unknown as DoctorCliOptions;
  const format: Format = o.format ?? (g.json ? 'json' : 'human');
  const outputs = (o.output ?? []).map(parseOutput);
  const files = new Set<string>();
  for (const x of outputs) {
    if (files.has(x.file)) throw new UsageError(`--output ${x.file} is given twice`);
    files.add(x.file);
    // A report that cannot be written is a usage error now, before anything is checked.
    try {
      await (await open(x.file, 'w')).close();
    } catch (e) {
      throw new UsageError(`cannot write --output ${x.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const startedAt = new Date();

  let plan: DoctorPlan;
  let demo: import('../../doctor/demo/deployment.js').DemoDeployment | undefined;
  if (o.demo) {
    if (o.config) throw new UsageError('--demo checks the built-in deployment: leave out --config');
    const { startDemo } = await import('../../doctor/demo/deployment.js');
    demo = await startDemo();
    plan = demo.plan;
  } else {
    const file = o.config ?? DEFAULT_CONFIGS.find((f) => existsSync(f));
    if (!file) throw new UsageError('no config: pass --config <file> (or create xfed.yaml with "xfed init"), or try --demo');
    const cfg = await loadConfig(file);
    plan = await resolvePlan(cfg);
  }
  if (o.concurrency) plan.config.concurrency = o.concurrency;

  const progress = await startProgress('Checking', !g.quiet && format === 'human', g.color);
  let outcome: Awaited<ReturnType<typeof runDoctor>>;
  try {
    outcome = await runDoctor(plan, { ...(g.timeout ? { timeoutMs: g.timeout } : {}), onProgress: (d, n, label) => progress.update(d, n, label) });
  } finally {
    progress.stop();
    await demo?.stop();
  }
  // Secrets are redacted once, over the run's fields (ids and enum fields untouched), before any format renders it.
  const run = redactRun(buildRun('doctor', { ...outcome.options, demo: Boolean(o.demo), format, strict: g.strict }, outcome.targets, startedAt, g.strict));

  const failed: string[] = [];
  for (const x of outputs) {
    const text = await render(x.format, run, g, false, demo ? DEMO_FOOTER : undefined);
    try {
      await writeFile(x.file, text);
    } catch (e) {
      failed.push(`cannot write --output ${x.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const { wantColor } = await import('../../report/style.js');
  await write(process.stdout, await render(format, run, g, wantColor(g.color), demo ? DEMO_FOOTER : undefined));
  if (demo && format !== 'human') await write(process.stderr, `xfed: ${DEMO_FOOTER}\n`);
  // The run is done and stdout has the report; a file that became unwritable meanwhile is xfed's failure.
  for (const f of failed) await write(process.stderr, `xfed: ${f}\n`);
  return failed.length ? EXIT.INTERNAL : run.exitCode;
}
