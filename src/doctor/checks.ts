/**
 * The checks a doctor run is made of, and the shape of a doctor target's data:
 * which check produced it, with that check's own data under the check's name.
 * Pure, shared by the orchestrator and the renderers.
 */
import type { TargetResult } from '../core/result.js';

export type CheckName = 'dns' | 'probe' | 'axl' | 'diagnose' | 'doctor';

export const CHECK_COMMAND: Record<CheckName, string> = { dns: 'check-dns', probe: 'probe', axl: 'axl-verify', diagnose: 'diagnose', doctor: 'doctor' };

/** The check of a command's RunResult (`check-dns` -> `dns`). */
export function checkOfCommand(command: string): string {
  return (Object.keys(CHECK_COMMAND) as CheckName[]).find((k) => CHECK_COMMAND[k] === command) ?? command;
}

/** A command's target as a doctor target: its data (already under `data.<check>`) gains the check's name. */
export function asDoctorTarget<D extends { check: CheckName }>(check: CheckName, t: TargetResult): TargetResult<D> {
  return { ...t, data: { check, ...(t.data as object) } as unknown as D };
}

/** The target as its own command produced it: the doctor's `check` and `ignored` taken off its data. */
export function asCommandTarget(t: TargetResult): TargetResult {
  const { check: _check, ignored: _ignored, ...data } = (t.data ?? {}) as Record<string, unknown>;
  return { ...t, data };
}
