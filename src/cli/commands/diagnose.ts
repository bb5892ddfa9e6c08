import type { Command } from 'commander';
import { diagnose } from '../../diagnose/index.js';
import { EXIT } from '../../core/exit-codes.js';
import { onInterrupt, interrupted } from '../interrupt.js';
import { buildRun, emit, globalOptions, write } from '../run.js';

export async function diagnoseCommand(paths: string[], opts: Record<string, unknown>, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  const started = new Date();
  const rulesFile = typeof opts.rules === 'string' ? opts.rules : undefined;
  const maxEvidence = typeof opts.maxEvidence === 'number' ? opts.maxEvidence : 10;
  // Ctrl-C stops the reading; what was read so far is diagnosed and reported, then exit 130.
  const stop = new AbortController();
  onInterrupt(async () => stop.abort());
  let targets: Awaited<ReturnType<typeof diagnose>>;
  try {
    targets = await diagnose({ paths, stdin: process.stdin, ...(rulesFile ? { rulesFile } : {}), maxEvidence, signal: stop.signal });
  } finally {
    onInterrupt(undefined);
  }
  const cut = interrupted() ? { interrupted: true } : {};
  const run = buildRun('diagnose', { paths, rules: rulesFile ?? null, maxEvidence, ...cut }, targets, started, g.strict || opts.strict === true);
  if (interrupted()) run.exitCode = EXIT.INTERRUPTED;
  const { diagnoseSection } = await import('../../report/sections/diagnose.js');
  const code = await emit(run, g, diagnoseSection);
  if (interrupted()) await write(process.stderr, 'xfed: interrupted: the diagnosis covers what was read before Ctrl-C (exit 130)\n');
  return code;
}
