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
 * `dns.doh`, `probe.secret_file`; `problem` is the sentence that follows the label; `subject`,
 * when given, is what the field held (a file name) and is printed right after the label:
 * `--password-file /etc/xfed/pw: the file is empty`. `message` is worded with the field itself.
 */
export class InputError extends UsageError {
  override name = 'InputError';
  constructor(
    readonly field: string,
    readonly problem: string,
    code = 'XFED_INPUT',
    readonly subject?: string,
  ) {
    super(subject === undefined ? `${field}: ${problem}` : `${field} ${subject}: ${problem}`, code);
  }

  /** The message with the field named as the user wrote it. */
  worded(label: (field: string) => string): string {
    const l = label(this.field);
    return this.subject === undefined ? `${l}: ${this.problem}` : `${l} ${this.subject}: ${this.problem}`;
  }
}

/** A file (or stdin) that cannot be opened or read: missing, no permission, an I/O error. */
export class FileReadError extends InputError {
  override name = 'FileReadError';
  constructor(
    field: string,
    readonly path: string,
    /** The system's code (`ENOENT`, `EACCES`...) when there is one. */
    readonly errno: string | undefined,
    reason: string,
  ) {
    super(field, reason, 'XFED_FILE_UNREADABLE', path);
    this.message = this.worded((f) => f);
  }

  override worded(label: (field: string) => string): string {
    return `cannot read ${label(this.field)} ${this.path}: ${this.problem}`;
  }
}

/** A file larger than xfed reads for this field (a config, a secret, a rules file). */
export class FileTooLargeError extends InputError {
  override name = 'FileTooLargeError';
  constructor(
    field: string,
    readonly path: string,
    readonly maxBytes: number,
  ) {
    super(field, `larger than ${sizeText(maxBytes)}`, 'XFED_FILE_TOO_LARGE', path);
  }
}

/** Not something xfed reads: a socket, a device, a directory where a file was expected. */
export class FileKindError extends InputError {
  override name = 'FileKindError';
  constructor(
    field: string,
    readonly path: string,
    readonly kind: 'socket' | 'device' | 'directory' | 'other',
  ) {
    super(field, kind === 'directory' ? 'a directory, not a file' : kind === 'other' ? 'not a regular file or a pipe' : `a ${kind}: xfed reads files and pipes only`, 'XFED_FILE_KIND', path);
  }
}

/** A named pipe that no process opened for writing within the wait. */
export class PipeNoWriterError extends InputError {
  override name = 'PipeNoWriterError';
  constructor(
    field: string,
    readonly path: string,
    readonly waitedMs: number,
  ) {
    super(field, `nothing writes to this pipe (waited ${Math.round(waitedMs / 100) / 10} s)`, 'XFED_PIPE_NO_WRITER', path);
  }
}

/** A file that was read but holds the wrong thing: empty, no PEM certificate, several lines for a secret. */
export class FileContentError extends InputError {
  override name = 'FileContentError';
  constructor(
    field: string,
    readonly path: string,
    problem: string,
    code = 'XFED_FILE_CONTENT',
  ) {
    super(field, problem, code, path);
  }
}

export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
