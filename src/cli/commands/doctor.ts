import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT } from '../../core/exit-codes.js';
import { UsageError } from '../../core/errors.js';
import type { DoctorConfig } from '../../doctor/config.js';
import { loadConfig } from '../../doctor/config.js';
import { runDoctor } from '../../doctor/doctor.js';
import { resolvePlan, type DoctorPlan } from '../../doctor/plan.js';
import { checkOutputs, type InputFile } from '../../report/output.js';
import { startProgress } from '../../report/progress.js';
import { buildRun, emit, globalOptions, write } from '../run.js';

export { parseOutput, type Format } from '../../report/output.js';

interface DoctorCliOptions {
  config?: string;
  demo?: boolean;
  concurrency?: number;
  deadline?: number;
}

export const DEFAULT_CONFIGS = ['xfed.yaml', 'xfed.yml', 'xfed.json'];

/**
 * Whether a default config candidate is one: an xfed report saved as `xfed.json` (older
 * examples wrote reports there) is not, and is passed over rather than read as a config.
 */
function isConfigCandidate(file: string): boolean {
  if (!existsSync(file)) return false;
  if (!file.endsWith('.json')) return true;
  try {
    const head = readFileSync(file, 'utf8').slice(0, 4096);
    return !/^\s*\{\s*"schema"\s*:\s*\d+\s*,\s*"tool"\s*:\s*"xfed"/.test(head);
  } catch {
    return true;
  }
}

export const DEMO_FOOTER =
  'This was the built-in demo deployment (on 127.0.0.1, inside this process, now stopped). globex.example and the IM&P AXL user are broken on purpose, so xfed exits 1. Next: "xfed init" writes a config for your own deployment.';

/** Every file a doctor config makes the run read: a report may overwrite none of them. */
function configInputs(file: string, cfg: DoctorConfig): InputFile[] {
  const out: InputFile[] = [{ label: '--config', file }];
  for (const l of cfg.logs) out.push({ label: 'logs:', file: l });
  if (cfg.rulesFile) out.push({ label: 'rules:', file: cfg.rulesFile });
  if (cfg.probe.secretFile) out.push({ label: 'probe.secret_file:', file: cfg.probe.secretFile });
  for (const c of cfg.probe.ca) out.push({ label: 'probe.ca:', file: c });
  if (cfg.axl?.passwordFile) out.push({ label: 'axl.password_file:', file: cfg.axl.passwordFile });
  if (cfg.axl?.ca) out.push({ label: 'axl.ca:', file: cfg.axl.ca });
  return out;
}

export async function doctorCommand(raw: Record<string, unknown>, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  const o = raw as unknown as DoctorCliOptions;
  const startedAt = new Date();

  let plan: DoctorPlan;
  let demo: import('../../doctor/demo/deployment.js').DemoDeployment | undefined;
  if (o.demo) {
    if (o.config) throw new UsageError('--demo checks the built-in deployment: leave out --config');
    const { startDemo } = await import('../../doctor/demo/deployment.js');
    demo = await startDemo();
    plan = demo.plan;
  } else {
    const file = o.config ?? DEFAULT_CONFIGS.find(isConfigCandidate);
    if (!file) throw new UsageError('no config: pass --config <file> (or create xfed.yaml with "xfed init"), or try --demo');
    const cfg = await loadConfig(file);
    await checkOutputs(g.outputs, configInputs(file, cfg));
    plan = await resolvePlan(cfg);
  }
  if (o.concurrency) plan.config.concurrency = o.concurrency;

  const progress = await startProgress('Checking', !g.quiet && !g.json, g.color);
  // Ctrl-C ends the run now; what finished is reported below, then exit 130.
  const stop = new AbortController();
  const { onInterrupt, interrupted } = await import('../interrupt.js');
  onInterrupt(async () => stop.abort());
  let outcome: Awaited<ReturnType<typeof runDoctor>>;
  try {
    const limits = { ...(g.timeout ? { timeoutMs: g.timeout } : {}), ...(o.deadline ? { deadlineMs: o.deadline } : {}) };
    outcome = await runDoctor(plan, { ...limits, signal: stop.signal, onProgress: (d, n, label) => progress.update(d, n, label) });
  } finally {
    onInterrupt(undefined);
    progress.stop();
    await demo?.stop();
  }
  const cut = interrupted() ? { interrupted: true } : {};
  const run = buildRun('doctor', { ...outcome.options, demo: Boolean(o.demo), format: g.format, strict: g.strict, ...cut }, outcome.targets, startedAt, g.strict);
  if (interrupted()) run.exitCode = EXIT.INTERRUPTED;
  const { renderDoctorHuman } = await import('../../report/sections/doctor.js');
  const footer = demo ? { footer: DEMO_FOOTER } : {};
  const code = await emit(run, g, undefined, { human: (r, style, opts) => renderDoctorHuman(r, style, { ...opts, ...footer }) });
  if (demo && g.format !== 'human') await write(process.stderr, `xfed: ${DEMO_FOOTER}\n`);
  if (interrupted()) await write(process.stderr, 'xfed: interrupted: the report has what finished before Ctrl-C (exit 130)\n');
  return code;
}
