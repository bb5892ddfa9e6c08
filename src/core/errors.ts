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

/**
 * Bad input, named by the field it concerns rather than by a flag: domain code throws these,
 * and whoever shows the error words it for its user (the CLI with the flag, `--server`;
 * doctor with the config key, `axl.server`). `field` is a logical name such as `axl.server`,
 * `dns.doh`, `probe.secret_file`; `problem` is the sentence that follows the label.
 */
export class InputError extends UsageError {
  override name = 'InputError';
  constructor(
    readonly field: string,
    readonly problem: string,
    code = 'XFED_INPUT',
  ) {
    super(`${field}: ${problem}`, code);
  }

  /** The message with the field named as the user wrote it. */
  worded(label: (field: string) => string): string {
    return `${label(this.field)}: ${this.problem}`;
  }
}
