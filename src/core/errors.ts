import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * An error xfed knows how to explain: it carries a stable code and the exit
 * code the CLI ends with. The CLI prints `xfed: <message>` and nothing else.
 */
export class XfedError extends Error {
  override name = 'XfedError';
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/** Bad command line or bad input file: exit 2. */
export class UsageError extends XfedError {
  override name = 'UsageError';
  constructor(message: string, code = 'XFED_USAGE') {
    super(message, code, EXIT.USAGE);
  }
}

/** A phase did not finish in time. Checks turn these into findings. */
export class TimeoutError extends XfedError {
  override name = 'TimeoutError';
  constructor(
    readonly phase: string,
    readonly ms: number,
  ) {
    super(`${phase} timed out after ${ms} ms`, 'XFED_TIMEOUT', EXIT.FINDINGS);
  }
}

/** Runs `fn` and rejects with TimeoutError after `ms`. The timer never keeps the process alive. */
export async function withTimeout<T>(phase: string, ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new TimeoutError(phase, ms);
      ctl.abort(err);
      reject(err);
    }, ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([fn(ctl.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
