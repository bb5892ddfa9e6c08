/**
 * The checks a doctor run is made of, and the shape of a doctor target's data:
 * which check produced it, with that check's own data under the check's name.
 * Pure, shared by the orchestrator and the renderers.
 */
import type { CheckName } from '../core/checks.js';
import type { TargetResult } from '../core/result.js';

export { CHECK_COMMAND, checkOfCommand, type CheckName } from '../core/checks.js';

/** A command's target as a doctor target: its data (already under `data.<check>`) gains the check's name. */
export function asDoctorTarget<D extends { check: CheckName }>(check: CheckName, t: TargetResult): TargetResult<D> {
  return { ...t, data: { check, ...(t.data as object) } as unknown as D };
}

/** The target as its own command produced it: the doctor's `check` and `ignored` taken off its data. */
export function asCommandTarget(t: TargetResult): TargetResult {
  const { check: _check, ignored: _ignored, ...data } = (t.data ?? {}) as Record<string, unknown>;
  return { ...t, data };
}
