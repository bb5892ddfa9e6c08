import type { Command } from 'commander';
import { diagnose } from '../../diagnose/index.js';
import { buildRun, emit, globalOptions } from '../run.js';

export async function diagnoseCommand(paths: string[], opts: Record<string, unknown>, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  const started = new Date();
  const rulesFile = typeof opts.rules === 'string' ? opts.rules : undefined;
  const maxEvidence = typeof opts.maxEvidence === 'number' ? opts.maxEvidence : 10;
  const targets = await diagnose({ paths, stdin: process.stdin, ...(rulesFile ? { rulesFile } : {}), maxEvidence });
  const run = buildRun('diagnose', { paths, rules: rulesFile ?? null, maxEvidence }, targets, started, g.strict || opts.strict === true);
  const { diagnoseSection } = await import('../../report/sections/diagnose.js');
  return emit(run, g, diagnoseSection);
}
