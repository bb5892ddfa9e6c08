/**
 * The checks xfed runs and the command each belongs to: `dns` is `check-dns`, `axl` is
 * `axl-verify`... Doctor targets name their check in `data.check`; a command's own targets
 * belong to the command's check. Shared by doctor and the report layer.
 */
import type { RunResult, TargetResult } from './result.js';

export type CheckName = 'dns' | 'probe' | 'axl' | 'diagnose' | 'doctor';

export const CHECK_COMMAND: Record<CheckName, string> = { dns: 'check-dns', probe: 'probe', axl: 'axl-verify', diagnose: 'diagnose', doctor: 'doctor' };

/** The check of a command's RunResult (`check-dns` -> `dns`); other commands are their own check. */
export function checkOfCommand(command: string): string {
  return (Object.keys(CHECK_COMMAND) as CheckName[]).find((k) => CHECK_COMMAND[k] === command) ?? command;
}

/** The check a target belongs to: doctor targets say it in `data.check`. */
export function checkOf(run: RunResult, t: TargetResult): string {
  const c = (t.data as { check?: unknown } | undefined)?.check;
  return typeof c === 'string' ? c : checkOfCommand(run.command);
}
