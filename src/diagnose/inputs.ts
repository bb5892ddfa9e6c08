/**
 * Inputs: files, directories (recursively, symlink loops detected), stdin, `.gz`
 * files and `.tar` / `.tar.gz` / `.tgz` bundles (recognised by their bytes, not
 * their names), and xfed JSON results. Everything is streamed: one chunk at a time.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { FileReadError, InputError, UsageError } from '../core/errors.js';
import { openInput } from '../inputs/index.js';
import type { Evidence, RunResult } from '../core/result.js';
import type { Engine } from './engine.js';
import { isHeader, LineScanner, lineProduct, MAX_LINE, pathProduct } from './lines.js';
import type { InputSummary, Product } from './types.js';

const CHUNK = 64 * 1024;
const JSON_MAX = 64 * 1024 * 1024;
/** JSON whose first 8 KiB do not look like an xfed result is buffered only this far before it is read as lines. */
const JSON_MAX_UNKNOWN = 4 * 1024 * 1024;
/** What an xfed result shows near its start (`"schema": 1, "tool": "xfed"`). */
const XFED_HEAD = /"tool"\s*:\s*"xfed"/;
const MAX_DEPTH = 4;
const MAX_LISTED = 200;

/** Caps on decompression: a `.gz` (or `.tar.gz`) is read only this far, and the rest is reported, not silently dropped. */
export interface DecompressionLimits {
  /** Decompressed bytes per compressed byte, checked once `ratioAfter` bytes came out. */
  maxRatio: number;
  ratioAfter: number;
  /** Decompressed bytes in the whole run. */
  maxBytes: number;
}

export const DECOMPRESSION_LIMITS: DecompressionLimits = { maxRatio: 100, ratioAfter: 16 * 1024 * 1024, maxBytes: 2 * 1024 * 1024 * 1024 };

export class ReadContext {
  readonly inputs: InputSummary[] = [];
  inputsTotal = 0;
  readonly totals = { bytes: 0, lines: 0, matched: 0, skipped: 0, results: 0 };
  /** Decompressed bytes so far, across every input. */
  inflated = 0;

  /** The reading was stopped (Ctrl-C): what was read so far is diagnosed. */
  stopped = false;

  constructor(
    readonly engine: Engine,
    readonly limits: DecompressionLimits = DECOMPRESSION_LIMITS,
    readonly signal?: AbortSignal,
  ) {}

  /** Whether to stop reading (checked between chunks and before each input). */
  stop(): boolean {
    if (this.signal?.aborted) this.stopped = true;
    return this.stopped;
  }

  record(s: InputSummary): void {
    this.inputsTotal++;
    this.totals.bytes += s.bytes;
    this.totals.lines += s.lines;
    this.totals.matched += s.matched;
    this.totals.skipped += Math.max(0, s.lines - s.matched);
    if (s.kind === 'xfed-json') this.totals.results++;
    if (this.inputs.length < MAX_LISTED) this.inputs.push(s);
  }

  issue(id: string, source: string, value: string): void {
    const meta = ISSUES[id]!;
    const ev: Evidence = { label: id.split('.').pop()!, value, source };
    this.engine.issue(id, meta.severity, meta.title, meta.fix, ev);
  }
}

const ISSUES: Record<string, { severity: 'error' | 'warning' | 'info'; title: string; fix: string }> = {
  'diagnose.input.unreadable': {
    severity: 'error',
    title: 'Some inputs could not be read',
    fix: 'Check the permissions (or run as a user who can read the files); re-download the bundle if its compressed data is corrupt.',
  },
  'diagnose.input.truncated': {
    severity: 'warning',
    title: 'A compressed file or bundle is truncated; what came before the cut was read',
    fix: 'Download the diagnostic bundle again (Maintenance > Diagnostics > Diagnostic logging > Download log) and make sure the copy completed.',
  },
  'diagnose.input.decompression-capped': {
    severity: 'warning',
    title: 'A compressed input expands too much: it was read only up to the cap',
    fix: 'If it is a genuine log, decompress it yourself and pass the result (zcat file.gz | xfed diagnose -); otherwise it is a decompression bomb and nothing is lost.',
  },
  'diagnose.input.binary': { severity: 'info', title: 'Binary files were skipped', fix: 'Nothing to do: packet captures are read with Wireshark, not by xfed.' },
  'diagnose.input.long-line': {
    severity: 'info',
    title: `Over-long lines were cut to ${MAX_LINE / 1024} KiB`,
    fix: 'Nothing to do unless the file is not a log: only the first 256 KiB of such a line were searched.',
  },
  'diagnose.input.loop': { severity: 'warning', title: 'A directory loop (symbolic link) was not followed', fix: 'Point xfed at the directory itself, or remove the looping link.' },
  'diagnose.input.bad-json': {
    severity: 'warning',
    title: 'A JSON input is not a readable xfed result',
    fix: 'Re-run the xfed command with --json and pass its complete output (one or more documents).',
  },
  'diagnose.input.unknown-format': {
    severity: 'info',
    title: 'Some files are in no known log format',
    fix: 'Nothing to do if they are not logs (configuration dumps, certificates). For logs, check the product wrote them at DEBUG level in its default format.',
  },
};

/** An async chunk source that can be peeked at before it is consumed. */
class Peek {
  private readonly buf: Buffer[] = [];
  private len = 0;
  private done = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(src: AsyncIterable<Buffer | string>) {
    const inner = src[Symbol.asyncIterator]();
    this.it = {
      next: async () => {
        const r = await inner.next();
        return r.done ? r : { done: false, value: typeof r.value === 'string' ? Buffer.from(r.value) : r.value };
      },
    };
  }

  async peek(n: number): Promise<Buffer> {
    while (!this.done && this.len < n) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        this.buf.push(r.value);
        this.len += r.value.length;
      }
    }
    return this.buf.length === 1 ? this.buf[0]! : Buffer.concat(this.buf);
  }

  async *rest(): AsyncGenerator<Buffer> {
    while (this.buf.length) yield this.buf.shift()!;
    if (this.done) return;
    for (;;) {
      const r = await this.it.next();
      if (r.done) return;
      yield r.value;
    }
  }
}

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const msg = String(e?.message ?? err);
  return e?.code && !msg.startsWith(e.code) ? `${e.code}: ${msg}` : msg;
}

function isTruncation(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException;
  return e?.code === 'Z_BUF_ERROR' || /unexpected end/i.test(String(e?.message ?? ''));
}

/** Reads one command-line path: a file, a directory, or `-` for `stdin`. */
export async function readPath(path: string, ctx: ReadContext, stdin?: NodeJS.ReadableStream): Promise<void> {
  if (path === '-') {
    if (!stdin) throw new UsageError('"-" given but no standard input is available', 'XFED_NO_STDIN');
    await readSource('(stdin)', stdin as AsyncIterable<Buffer>, ctx);
    return;
  }
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`no such file or directory: ${path}`, 'XFED_FILE_UNREADABLE');
    if (code === 'ELOOP') return ctx.issue('diagnose.input.loop', path, errText(err));
    return unreadable(ctx, path, err);
  }
  if (st.isDirectory()) await walk(path, ctx, new Set([`${st.dev}:${st.ino}`]), new Set([`${st.dev}:${st.ino}`]));
  // A named pipe is read once a writer is there; sockets and devices are refused (exit 2).
  else await readFile(path, ctx, true);
}
function unreadable(ctx: ReadContext, source: string, err: unknown): void {
  ctx.issue('diagnose.input.unreadable', source, errText(err));
  ctx.record({ source, kind: 'unreadable', bytes: 0, lines: 0, matched: 0 });
}

async function walk(dir: string, ctx: ReadContext, ancestors: Set<string>, visited: Set<string>): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    return unreadable(ctx, dir, err);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    let id = '';
    if (e.isSymbolicLink() || isDir) {
      try {
        const st = await stat(p);
        isDir = st.isDirectory();
        isFile = st.isFile();
        id = `${st.dev}:${st.ino}`;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ELOOP') ctx.issue('diagnose.input.loop', p, errText(err));
        else unreadable(ctx, p, err);
        continue;
      }
    }
    if (isDir) {
      if (ancestors.has(id)) {
        ctx.issue('diagnose.input.loop', p, 'leads back to a directory being read');
        continue;
      }
      if (visited.has(id)) continue;
      visited.add(id);
      await walk(p, ctx, new Set([...ancestors, id]), visited);
    } else if (isFile) await readFile(p, ctx);
    // Sockets, FIFOs and devices inside directories are skipped: reading them could block.
  }
}

/** Reads one file (or named pipe). Given on the command line (`given`), what xfed cannot read at all is a usage error. */
async function readFile(path: string, ctx: ReadContext, given = false): Promise<void> {
  if (ctx.stop()) return;
  let src;
  try {
    src = await openInput(path, { field: 'diagnose.input', ...(ctx.signal ? { signal: ctx.signal } : {}) });
  } catch (err) {
    if (ctx.stop()) return; // Ctrl-C while waiting for a pipe's writer: not a finding
    if (given && err instanceof InputError && !(err instanceof FileReadError)) throw err;
    return unreadable(ctx, path, err instanceof FileReadError ? `${err.errno ? `${err.errno}: ` : ''}${err.problem}` : err);
  }
  try {
    await readSource(path, src.chunks, ctx);
  } finally {
    src.close();
  }
}

async function* counted(src: AsyncIterable<Buffer>, n: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const c of src) {
    n.bytes += c.length;
    yield c;
  }
}

/** Decompressed chunks until a cap is reached; then a finding, and the end of this input. */
async function* capped(out: AsyncIterable<Buffer>, input: { bytes: number }, name: string, ctx: ReadContext): AsyncGenerator<Buffer> {
  const { maxRatio, ratioAfter, maxBytes } = ctx.limits;
  let n = 0;
  for await (const c of out) {
    n += c.length;
    ctx.inflated += c.length;
    if (ctx.inflated > maxBytes) {
      ctx.issue('diagnose.input.decompression-capped', name, `stopped after ${mib(n)} MiB: the run decompressed more than ${mib(maxBytes)} MiB in all`);
      return;
    }
    if (n > ratioAfter && n > input.bytes * maxRatio) {
      ctx.issue('diagnose.input.decompression-capped', name, `stopped after ${mib(n)} MiB from ${mib(input.bytes)} MiB compressed: expands more than ${maxRatio}:1`);
      return;
    }
    yield c;
  }
}

function mib(n: number): string {
  return (n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0);
}

/**
 * The chunks of `src` until `signal` aborts: a pipe that never ends (stdin) stops waiting at
 * Ctrl-C, and what was read is diagnosed.
 */
async function* untilAborted<T>(src: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const it = src[Symbol.asyncIterator]();
  for (;;) {
    if (signal.aborted) return;
    // One listener per wait, removed when the chunk comes (no reaction piles up on a shared promise).
    const r = await new Promise<IteratorResult<T>>((ok, ko) => {
      const onAbort = () => ok({ done: true, value: undefined });
      signal.addEventListener('abort', onAbort, { once: true });
      it.next().then(
        (v) => (signal.removeEventListener('abort', onAbort), ok(v)),
        (e: unknown) => (signal.removeEventListener('abort', onAbort), ko(e)),
      );
    });
    if (r.done) return;
    yield r.value;
  }
}

/** Reads one stream to the end, recording read errors as findings. */
export async function readSource(name: string, src: AsyncIterable<Buffer | string>, ctx: ReadContext): Promise<void> {
  try {
    await sniff(name, new Peek(ctx.signal ? untilAborted(src, ctx.signal) : src), ctx, 0, false);
  } catch (err) {
    if (isTruncation(err)) ctx.issue('diagnose.input.truncated', name, errText(err));
    else ctx.issue('diagnose.input.unreadable', name, errText(err));
  }
}

async function sniff(name: string, src: Peek, ctx: ReadContext, depth: number, gzip: boolean): Promise<void> {
  const head = await src.peek(8192);
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    if (depth >= MAX_DEPTH) return ctx.issue('diagnose.input.unreadable', name, `compressed more than ${MAX_DEPTH} levels deep`);
    const gz = createGunzip({ chunkSize: CHUNK });
    const compressed = { bytes: 0 };
    const input = Readable.from(counted(src.rest(), compressed));
    input.on('error', (e) => gz.destroy(e));
    input.pipe(gz);
    try {
      return await sniff(name, new Peek(capped(gz, compressed, name, ctx)), ctx, depth + 1, true);
    } finally {
      input.destroy();
      gz.destroy();
    }
  }
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar') return readTar(name, src, ctx, depth, gzip);
  const first = head.toString('latin1', 0, Math.min(head.length, 64)).trimStart()[0];
  // A log line may start with `[` too: buffer a large document only when it is one of ours.
  if (first === '{' || first === '[') return readJson(name, src, ctx, gzip, XFED_HEAD.test(head.toString('utf8')) ? JSON_MAX : JSON_MAX_UNKNOWN);
  if (head.subarray(0, 8192).includes(0)) {
    ctx.issue('diagnose.input.binary', name, 'contains NUL bytes');
    ctx.record({ source: name, kind: 'binary', bytes: head.length, lines: 0, matched: 0, ...(gzip ? { gzip } : {}) });
    return;
  }
  return readLog(name, src.rest(), ctx, gzip, head);
}

async function readTar(name: string, src: Peek, ctx: ReadContext, depth: number, gzip: boolean): Promise<void> {
  if (depth >= MAX_DEPTH) return ctx.issue('diagnose.input.unreadable', name, `bundles nested more than ${MAX_DEPTH} levels deep`);
  // tar-stream@2: one 'entry' at a time, the next once `next()` is called (no async iteration).
  const ex = tar.extract();
  ex.on('entry', (header: tar.Headers, entry: Readable, next: (err?: unknown) => void) => {
    void readMember(`${name}!${header.name}`, header, entry, ctx, depth, gzip).then(() => next());
  });
  const input = Readable.from(src.rest());
  input.on('error', (e) => ex.destroy(e));
  input.pipe(ex);
  try {
    await settled(ex, 'finish', true);
  } finally {
    input.destroy();
  }
}

/** One member of a tar bundle: files are read like any input, everything is drained. */
async function readMember(member: string, header: tar.Headers, entry: Readable, ctx: ReadContext, depth: number, gzip: boolean): Promise<void> {
  if (header.type === 'file' || header.type === 'contiguous-file') {
    try {
      await sniff(member, new Peek(entry), ctx, depth + 1, gzip);
    } catch (err) {
      if (isTruncation(err)) ctx.issue('diagnose.input.truncated', member, errText(err));
      else ctx.issue('diagnose.input.unreadable', member, errText(err));
    }
  }
  entry.resume();
  await settled(entry, 'end');
}

/**
 * Resolves once a tar-stream@2 stream (readable-stream@3, which node's `finished()` does not
 * see end when it already has) emitted `event`, an error, or closed; rejects on an error when asked.
 */
function settled(s: NodeJS.EventEmitter & { _readableState?: { endEmitted?: boolean } }, event: 'end' | 'finish', rejectOnError = false): Promise<void> {
  if (event === 'end' && s._readableState?.endEmitted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    s.once(event, () => resolve());
    s.once('close', () => resolve());
    s.once('error', (e: unknown) => (rejectOnError ? reject(e) : resolve()));
  });
}

function isRunResult(v: unknown): v is RunResult {
  const o = v as Record<string, unknown> | null;
  return typeof o === 'object' && o !== null && o.tool === 'xfed' && Array.isArray(o.targets);
}

/** Splits concatenated JSON documents (`cat a.json b.json | xfed diagnose -`). */
export function splitJson(text: string): unknown[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v : [v];
  } catch {
    /* maybe several documents */
  }
  const out: unknown[] = [];
  let depth = 0;
  let inStr = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inStr) {
      if (ch === 92) i++;
      else if (ch === 34) inStr = false;
      continue;
    }
    if (ch === 34) inStr = true;
    else if (ch === 123 || ch === 91) {
      if (depth++ === 0) start = i;
    } else if (ch === 125 || ch === 93) {
      if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
      if (depth < 0) throw new SyntaxError('unbalanced JSON');
    }
  }
  if (depth !== 0) throw new SyntaxError('unexpected end of JSON input');
  return out;
}

async function readJson(name: string, src: Peek, ctx: ReadContext, gzip: boolean, max: number): Promise<void> {
  const chunks: Buffer[] = [];
  let len = 0;
  const it = src.rest();
  // Not `for await`: leaving it would close `it`, and the rest is still to be read as lines.
  for (let r = await it.next(); !r.done; r = await it.next()) {
    const c = r.value;
    chunks.push(c);
    len += c.length;
    if (len > max) {
      // Too big for a result document: a JSON-lines log, read as lines.
      return readLog(name, (async function* () {
        while (chunks.length) yield chunks.shift()!;
        yield* it;
      })(), ctx, gzip);
    }
  }
  const buf = Buffer.concat(chunks);
  const text = buf.toString('utf8');
  let docs: unknown[] | undefined;
  try {
    docs = splitJson(text);
  } catch (err) {
    if (XFED_HEAD.test(text.slice(0, 4096))) {
      ctx.issue('diagnose.input.bad-json', name, `does not parse: ${(err as Error).message}`);
      ctx.record({ source: name, kind: 'xfed-json', bytes: len, lines: 0, matched: 0 });
      return;
    }
  }
  const runs = (docs ?? []).filter(isRunResult);
  if (runs.length === 0) {
    if (docs && docs.length && XFED_HEAD.test(text)) {
      ctx.issue('diagnose.input.bad-json', name, 'has "tool": "xfed" but no "targets" list');
      return;
    }
    return readLog(name, [buf], ctx, gzip);
  }
  for (const r of runs) ctx.engine.addResult(r, name);
  ctx.record({ source: name, kind: 'xfed-json', bytes: len, lines: 0, matched: runs.reduce((n, r) => n + r.targets.length, 0), ...(gzip ? { gzip } : {}) });
}

function sniffProduct(head: Buffer | undefined, hint: Product | undefined): { product: Product | undefined; unknown: boolean } {
  if (!head) return { product: hint, unknown: false };
  const lines = head.toString('utf8', 0, Math.min(head.length, 65536)).split('\n', 200).filter((l) => l.trim() && !l.startsWith('#'));
  const counts = new Map<Product, number>();
  let known = 0;
  for (const l of lines) {
    const p = lineProduct(l, hint);
    if (p) counts.set(p, (counts.get(p) ?? 0) + 1);
    if (p || isHeader(l)) known++;
  }
  const product = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? hint;
  return { product, unknown: lines.length > 0 && known === 0 };
}

/** How much a log is read between two chances for Ctrl-C to be heard. */
const YIELD_BYTES = 16 * 1024 * 1024;

async function readLog(name: string, src: AsyncIterable<Buffer> | Iterable<Buffer>, ctx: ReadContext, gzip: boolean, head?: Buffer): Promise<void> {
  const hint = pathProduct(name);
  const { product, unknown } = sniffProduct(head, hint);
  if (unknown) ctx.issue('diagnose.input.unknown-format', name, 'no line looks like a log line of a known server (Expressway, IM&P, Prosody, Metronome, ejabberd, MongooseIM, Openfire, jabberd2, Tigase)');
  const engine = ctx.engine;
  // A continuation line whose header is out of reach still belongs to the file's product.
  engine.beginSource(name, hint ?? product);
  const scanner = new LineScanner(engine.compiled.prefilter, (c) => engine.onCandidate(c), MAX_LINE, engine.compiled.keywords);
  let matched = 0;
  let sinceYield = 0;
  try {
    for await (const chunk of src) {
      scanner.push(chunk);
      engine.tick(scanner.last);
      // Files are read synchronously: let a Ctrl-C in every YIELD_BYTES, and stop on it.
      if ((sinceYield += chunk.length) >= YIELD_BYTES && ctx.signal) {
        sinceYield = 0;
        await new Promise((ok) => setImmediate(ok));
      }
      if (ctx.stop()) break;
    }
    scanner.end();
  } finally {
    matched = engine.endSource(scanner.last);
    if (scanner.longLines) ctx.issue('diagnose.input.long-line', name, `${scanner.longLines} line${scanner.longLines === 1 ? '' : 's'} longer than ${MAX_LINE} bytes`);
    ctx.record({ source: name, kind: 'log', ...(product ? { product } : {}), bytes: scanner.bytes, lines: scanner.lines, matched, ...(gzip ? { gzip } : {}) });
  }
}
