/**
 * The deadline of a whole doctor run. Each probe has its own deadline (src/probe/limits.ts), but
 * a config with many partners, or checks that stall, must still end: when the run's deadline
 * passes, what finished is reported and what did not becomes one `doctor.deadline.exceeded`
 * finding per check, naming the targets it left unchecked.
 */
import { finding, targetResult, type TargetResult } from '../core/result.js';
import { CHECK_COMMAND, type CheckName } from './checks.js';

/** Default deadline of a doctor run (ms): config `timeouts.total`, `xfed doctor --deadline`. */
export const DEFAULT_RUN_DEADLINE_MS = 300_000;

export interface RunDeadline {
  readonly ms: number;
  /** Resolves when the deadline passes (never rejects; the timer keeps nothing alive). */
  readonly passed: Promise<'deadline'>;
  expired(): boolean;
  cancel(): void;
  /** Ends the run now (Ctrl-C): what finished is reported, nothing is said of the rest. */
  interrupt(): void;
  /** Whether interrupt() ended it. */
  interrupted(): boolean;
}

export function runDeadline(ms: number): RunDeadline {
  let timer: NodeJS.Timeout | undefined;
  let hit = false;
  let stopped = false;
  let end: (v: 'deadline') => void = () => undefined;
  const passed = new Promise<'deadline'>((resolve) => {
    end = resolve;
    timer = setTimeout(() => {
      hit = true;
      resolve('deadline');
    }, ms);
    timer.unref?.();
  });
  const interrupt = () => {
    clearTimeout(timer);
    hit = true;
    stopped = true;
    end('deadline');
  };
  return { ms, passed, expired: () => hit, cancel: () => clearTimeout(timer), interrupt, interrupted: () => stopped };
}

/** The finding target of a check the deadline cut short. */
export function deadlineTarget<D extends { check: CheckName }>(check: CheckName, unfinished: string[], ms: number): TargetResult<D> {
  const where = unfinished.length === 1 ? unfinished[0]! : `${unfinished.length} ${check} targets`;
  return targetResult<D>(
    where,
    [
      finding({
        id: 'doctor.deadline.exceeded',
        severity: 'error',
        target: where,
        phase: check,
        title: `the ${CHECK_COMMAND[check]} check of ${where} did not finish within the run's deadline (${formatMs(ms)})`,
        detail: 'The whole doctor run has a deadline so that it always ends; what finished before it is reported, this was not checked.',
        evidence: unfinished.slice(0, 20).map((t) => ({ label: 'unfinished', value: t })),
        fix: 'Raise the deadline (xfed doctor --deadline <ms>, config timeouts.total), raise concurrency, or find what stalls (run the check alone).',
      }),
    ],
    { check } as D,
  );
}

/** Waits for `work`, or for the deadline: then `partial()` says what finished and what did not. */
export async function untilDeadline<D extends { check: CheckName }>(
  d: RunDeadline,
  check: CheckName,
  work: Promise<TargetResult<D>[]>,
  partial: () => { done: TargetResult<D>[]; unfinished: string[] },
): Promise<TargetResult<D>[]> {
  const first = await Promise.race([work, d.passed]);
  if (first !== 'deadline') return first;
  const { done, unfinished } = partial();
  // Interrupted (Ctrl-C): the report has what finished; the CLI says the run was cut short.
  return unfinished.length && !d.interrupted() ? [...done, deadlineTarget<D>(check, unfinished, d.ms)] : done;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
