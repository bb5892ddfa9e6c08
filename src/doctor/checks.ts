/**
 * The checks a doctor run is made of, and the shape of a doctor target's data:
 * which check produced it, with that check's own data under the check's name.
 * Pure, shared by the orchestrator and the renderers.
 */
import type { CheckName } from '../core/checks.js';
import type { TargetResult } from '../core/result.js';

export { CHECK_COMMAND, checkOfCommand, type CheckName } from '../core/checks.js';

/** The data of a target as its own command produced it (check-dns and diagnose nest theirs under their name). */
export function commandData(check: string, data: Record<string, unknown>): unknown {
  return check === 'dns' ? { dns: data.dns } : check === 'diagnose' ? { diagnose: data.diagnose } : (data[check] ?? {});
}

/** A command's target as a doctor target: its data moves under the check's name. */
export function nestData<D extends { check: CheckName }>(check: CheckName, t: TargetResult): TargetResult<D> {
  const d = t.data as Record<string, unknown>;
  const data = { check, ...(check === 'dns' || check === 'diagnose' ? { [check]: d[check] } : { [check]: t.data }) } as unknown as D;
  return { ...t, data };
}
