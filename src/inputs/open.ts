/**
 * Opening what a user names as input: a regular file, a named pipe (`<(zcat …)`, `mkfifo`),
 * `-` for stdin, or `/dev/stdin` and `/dev/fd/N`. Nothing here blocks the event loop, so
 * SIGINT and SIGTERM are always honoured:
 * - a pipe is opened with O_NONBLOCK (which never waits for a writer) and read only once a
 *   writer is there; after `pipeWaitMs` without one it is refused (PipeNoWriterError, exit 2);
 * - sockets and devices are refused (FileKindError, exit 2), except the stdin aliases;
 * - every failure is an InputError naming the field, so the CLI and doctor can word it.
 */
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { Socket } from 'node:net';
import { FileKindError, FileReadError, FileTooLargeError, PipeNoWriterError } from '../core/errors.js';

const CHUNK = 64 * 1024;
/** How long a named pipe may go without a writer (XFED_PIPE_WAIT_MS overrides it, for tests). */
export const PIPE_WAIT_MS = 5_000;

export interface OpenOptions {
  /** The logical field the path was given for (`axl.password_file`, `diagnose.input`). */
  field: string;
  /** Stdin for "-" (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
  pipeWaitMs?: number;
  /** Stops waiting for a pipe's writer (Ctrl-C): the open rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface InputSource {
  /** The path as given, or `(stdin)`. */
  name: string;
  kind: 'file' | 'pipe' | 'stdin';
  /** Size of a regular file (undefined for streams). */
  size?: number;
  chunks: AsyncIterable<Buffer>;
  close(): void;
}

/** `/dev/stdin`, `/dev/fd/N`, `/proc/self/fd/N`: devices a user may name to mean "what I pass in". */
export function isStdinAlias(path: string): boolean {
  return /^\/(?:dev\/(?:stdin|fd\/\d+)|proc\/(?:self|\d+)\/fd\/\d+)$/.test(path);
}

/** The descriptor a stdin alias names in this process (`/dev/stdin` -> 0), or undefined. */
function aliasFd(path: string): number | undefined {
  if (path === '/dev/stdin') return 0;
  const m = /^\/(?:dev|proc\/(self|\d+))\/fd\/(\d+)$/.exec(path);
  if (!m || (m[1] && m[1] !== 'self' && Number(m[1]) !== process.pid)) return undefined;
  return Number(m[2]);
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links (a loop)',
  EISDIR: 'a directory, not a file',
  EIO: 'input/output error',
};

/** A FileReadError for a failed system call on `path`. */
export function readError(field: string, path: string, err: unknown): FileReadError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const reason = (code && REASONS[code]) ?? (code ? `${code}` : String((err as Error)?.message ?? err));
  return new FileReadError(field, path, code, reason);
}

function pipeWait(o: OpenOptions): number {
  const env = Number(process.env.XFED_PIPE_WAIT_MS);
  return o.pipeWaitMs ?? (Number.isFinite(env) && env > 0 ? env : PIPE_WAIT_MS);
}

/** Refuses what xfed never reads (sockets, devices other than stdin aliases, directories). */
export function checkKind(field: string, path: string, st: Stats): void {
  if (st.isDirectory()) throw new FileKindError(field, path, 'directory');
  if (st.isSocket()) throw new FileKindError(field, path, 'socket');
  if ((st.isCharacterDevice() || st.isBlockDevice()) && !isStdinAlias(path)) throw new FileKindError(field, path, 'device');
  if (!st.isFile() && !st.isFIFO() && !st.isCharacterDevice() && !st.isBlockDevice()) throw new FileKindError(field, path, 'other');
}

/** Opens an input for reading; see the module comment for what is refused. */
export async function openInput(path: string, o: OpenOptions): Promise<InputSource> {
  if (path === '-') {
    const stdin = o.stdin ?? process.stdin;
    return { name: '(stdin)', kind: 'stdin', chunks: stdin as AsyncIterable<Buffer>, close: () => undefined };
  }
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    throw readError(o.field, path, err);
  }
  // A stdin alias on a socket (a parent process's socketpair) cannot be opened: read the descriptor itself.
  const alias = st.isSocket() ? aliasFd(path) : undefined;
  if (alias === 0) return { name: path, kind: 'stdin', chunks: (o.stdin ?? process.stdin) as AsyncIterable<Buffer>, close: () => undefined };
  if (alias !== undefined) {
    const sock = new Socket({ fd: alias, readable: true, writable: false });
    return { name: path, kind: 'stdin', chunks: sock as AsyncIterable<Buffer>, close: () => sock.destroy() };
  }
  checkKind(o.field, path, st);
  let fd: number;
  try {
    // O_NONBLOCK: opening a pipe never waits for a writer (a regular file ignores the flag).
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') throw new FileKindError(o.field, path, 'socket');
    throw readError(o.field, path, err);
  }
  const fst = fstatSync(fd);
  if (fst.isFile()) {
    return { name: path, kind: 'file', size: fst.size, chunks: fileChunks(fd, o.field, path), close: () => closeQuietly(fd) };
  }
  if (fst.isFIFO()) {
    const first = await waitForWriter(fd, o.field, path, pipeWait(o), o.signal);
    const state = { started: false };
    // Once read, the socket owns (and closes) the descriptor; before that, close() does.
    return { name: path, kind: 'pipe', chunks: pipeChunks(fd, first, state), close: () => (state.started ? undefined : closeQuietly(fd)) };
  }
  // A stdin alias on a terminal or a device: read it blocking, in the thread pool (the event loop stays free).
  closeQuietly(fd);
  const stream = createReadStream(path, { highWaterMark: CHUNK });
  return { name: path, kind: 'stdin', chunks: stream as AsyncIterable<Buffer>, close: () => stream.destroy() };
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* already closed */
  }
}

/** Regular files are read synchronously, chunk by chunk: from the page cache that is several times faster than a stream. */
async function* fileChunks(fd: number, field: string, path: string): AsyncGenerator<Buffer> {
  for (let i = 1; ; i++) {
    const buf = Buffer.allocUnsafeSlow(CHUNK);
    let n: number;
    try {
      n = readSync(fd, buf, 0, CHUNK, null);
    } catch (err) {
      throw readError(field, path, err);
    }
    if (n === 0) return;
    yield n === CHUNK ? buf : buf.subarray(0, n);
    // Let timers, signals and sockets run now and then.
    if (i % 64 === 0) await new Promise<void>((r) => setImmediate(r));
  }
}

/**
 * Waits, without blocking, until a writer has the pipe open. On a pipe opened with O_NONBLOCK
 * a read returns 0 while no writer ever came, fails with EAGAIN while a writer is there with
 * nothing written yet, and returns data once there is some.
 */
async function waitForWriter(fd: number, field: string, path: string, waitMs: number, signal?: AbortSignal): Promise<Buffer> {
  const started = Date.now();
  const buf = Buffer.allocUnsafe(CHUNK);
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n > 0) return Buffer.from(buf.subarray(0, n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return Buffer.alloc(0);
      closeQuietly(fd);
      throw readError(field, path, err);
    }
    if (Date.now() - started >= waitMs) {
      closeQuietly(fd);
      throw new PipeNoWriterError(field, path, waitMs);
    }
    if (signal?.aborted) {
      closeQuietly(fd);
      throw signal.reason;
    }
    await new Promise<void>((r) => setTimeout(r, delay));
  }
}

/** The rest of a pipe through libuv's event loop (epoll): EOF once the last writer closes. */
async function* pipeChunks(fd: number, first: Buffer, state: { started: boolean }): AsyncGenerator<Buffer> {
  state.started = true;
  let sock: Socket | undefined;
  try {
    if (first.length) yield first;
    sock = new Socket({ fd, readable: true, writable: false });
    for await (const c of sock) yield c as Buffer;
  } finally {
    if (sock) sock.destroy();
    else closeQuietly(fd);
  }
}

/** Reads a whole input into memory, refusing more than `maxBytes`. */
export async function readInput(path: string, o: OpenOptions & { maxBytes: number }): Promise<Buffer> {
  const src = await openInput(path, o);
  try {
    if (src.size !== undefined && src.size > o.maxBytes) throw new FileTooLargeError(o.field, path, o.maxBytes);
    const parts: Buffer[] = [];
    let len = 0;
    try {
      for await (const c of src.chunks) {
        const b = typeof c === 'string' ? Buffer.from(c) : c;
        len += b.length;
        if (len > o.maxBytes) throw new FileTooLargeError(o.field, path, o.maxBytes);
        parts.push(b);
      }
    } catch (err) {
      if (err instanceof FileTooLargeError || err instanceof FileReadError) throw err;
      throw readError(o.field, path, err);
    }
    return Buffer.concat(parts);
  } finally {
    src.close();
  }
}
