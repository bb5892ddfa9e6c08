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

/** Checks whose command already nests its facts under the check's name (`data.dns`, `data.axl`, ...). */
const NESTED = new Set(['dns', 'axl', 'diagnose']);

/** The data of a target as its own command produced it. */
export function commandData(check: string, data: Record<string, unknown>): unknown {
  return NESTED.has(check) ? { [check]: data[check] } : (data[check] ?? {});
}

/** A command's target as a doctor target: its data moves under the check's name. */
export function nestData<D extends { check: CheckName }>(check: CheckName, t: TargetResult): TargetResult<D> {
  const d = t.data as Record<string, unknown>;
  const data = { check, ...(NESTED.has(check) ? { [check]: d[check] } : { [check]: t.data }) } as unknown as D;
  return { ...t, data };
}
