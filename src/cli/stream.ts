/**
 * emit() for a command whose targets come one at a time (check-dns --file with thousands of
 * domains): each target is written to stdout and to every `--output` file as soon as it and
 * every target before it are done (input order), and then dropped. Formats that need the whole
 * run (junit, github, html) get it at the end through renderRun(), as emit() does: only then are
 * the targets kept. The bytes are those emit() writes for the same run.
 */
import { buildRun, type RunResult, type Summary, type TargetResult } from '../core/result.js';
import { EXIT, exitCodeFor } from '../core/exit-codes.js';
import { XfedError } from '../core/errors.js';
import type { SectionRenderer } from '../report/human.js';
import type { Format, RenderOptions, ReportFile } from '../report/output.js';
import type { TargetRenderer } from '../report/stream.js';
import { finishRun, stepSummaryFile, write, type GlobalOptions } from './run.js';

export interface RunStream<D> {
  /** A finished target: `index` is its place in the input (0-based); any order. */
  add(index: number, t: TargetResult<D>): void;
  /** Writes the end of the report everywhere; returns the exit code (as emit() does). */
  finish(): Promise<number>;
  /**
   * The run failed: report files are removed (the previous report stays); a report begun on stdout
   * is closed with the targets done and `options.error` (exit 3), so it stays one document.
   */
  abort(err?: unknown): Promise<void>;
}

export interface StreamHooks {
  /** Facts drawn per target in the human report. */
  section?: SectionRenderer;
  /** Runs on Ctrl-C before the report is finished (stop a spinner). */
  before?: () => void;
  /** Runs before each write to stdout (clear a spinner's line). */
  beforeStdout?: () => void;
}

const FLUSH_BYTES = 1 << 16;
const FLUSH_MS = 50;

interface Sink {
  format: Format;
  /** Where the text goes: stdout, or a report file. */
  out: { write(text: string): Promise<void> };
  file?: { name: string; handle: ReportFile };
  renderer: TargetRenderer | undefined;
  options: RenderOptions;
}

/**
 * Opens the report of a run of `total` targets. On Ctrl-C, the targets done so far are written
 * (out of order for those waiting on an unfinished one), the report is closed with
 * `options.interrupted`, and xfed exits 130.
 */
export async function streamRun<D>(
  command: string,
  options: Record<string, unknown>,
  total: number,
  startedAt: Date,
  g: GlobalOptions,
  hooks: StreamHooks = {},
): Promise<RunStream<D>> {
  const { section, before } = hooks;
  const o: RenderOptions = { strict: g.strict, verbose: g.verbose, quiet: g.quiet, color: false, section };
  const sinks = await openSinks(buildRun<D>(command, options, [], startedAt, g.strict), total, g, o, hooks);
  // The targets are kept only for a format that needs the whole run (the step summary lists every finding).
  const kept: TargetResult<D>[] | undefined = sinks.some((s) => !s.renderer) || stepSummaryFile(g) ? [] : undefined;

  const summary: Summary = { targets: 0, errors: 0, warnings: 0, info: 0 };
  const out = new Batches(sinks);
  const put = (fn: (s: Sink) => string) => out.put(fn);
  const take = (t: TargetResult<D>) => {
    summary.targets++;
    for (const f of t.findings) summary[f.severity === 'error' ? 'errors' : f.severity === 'warning' ? 'warnings' : 'info']++;
    kept?.push(t);
    put((s) => s.renderer!.target(t));
  };
  put((s) => s.renderer!.begin());

  const pending = new Map<number, TargetResult<D>>();
  let next = 0;
  let closed = false;

  const close = async (extra: Record<string, unknown>, exitCode?: number): Promise<number> => {
    closed = true;
    const run: RunResult<D> = { ...buildRun<D>(command, { ...options, ...extra }, kept ?? [], startedAt, g.strict), summary: { ...summary } };
    run.exitCode = exitCode ?? exitCodeFor(summary, g.strict);
    put((s) => s.renderer!.end(run));
    await out.drain();
    const failed: string[] = [];
    const { renderRun } = await import('../report/output.js');
    for (const s of sinks) {
      if (!s.renderer) await s.out.write(await renderRun(s.format, run, s.options));
      const code = await s.file?.handle.close();
      if (code) failed.push(`cannot write --output ${s.file!.name}: ${code}`);
    }
    return finishRun(run, g, o, failed);
  };

  const { onInterrupt, interruptedLine } = await import('./interrupt.js');
  onInterrupt(async () => {
    before?.();
    if (closed) return;
    for (const i of [...pending.keys()].sort((a, b) => a - b)) take(pending.get(i)!);
    pending.clear();
    const done = summary.targets;
    await close({ interrupted: { done, total } }, EXIT.INTERRUPTED).catch(() => undefined);
    await write(process.stderr, interruptedLine(done, total)).catch(() => undefined);
    process.exit(EXIT.INTERRUPTED);
  });

  return {
    add(index, t) {
      if (closed) return;
      pending.set(index, t);
      while (pending.has(next)) {
        const ready = pending.get(next)!;
        pending.delete(next++);
        take(ready);
      }
    },
    async finish() {
      onInterrupt(undefined);
      for (const i of [...pending.keys()].sort((a, b) => a - b)) take(pending.get(i)!);
      pending.clear();
      return close({});
    },
    async abort(err?: unknown) {
      onInterrupt(undefined);
      if (closed) return;
      closed = true;
      await out.discard().catch(() => undefined);
      // Report files keep their previous version; stdout may hold the start of the report already:
      // it gets the targets done and a closing part that names the error (exit 3), so that it stays
      // one complete document, and main() writes no error document after it.
      for (const s of sinks) {
        if (!s.file) continue;
        await s.file.handle.abort();
        s.renderer = undefined;
      }
      if (!sinks.some((s) => s.renderer)) return;
      for (const i of [...pending.keys()].sort((a, b) => a - b)) take(pending.get(i)!);
      pending.clear();
      const run: RunResult<D> = { ...buildRun<D>(command, { ...options, error: errorFields(err) }, [], startedAt, g.strict), summary: { ...summary } };
      run.exitCode = EXIT.INTERNAL;
      put((s) => s.renderer!.end(run));
      await out.drain().catch(() => undefined);
      stdoutHoldsReport = true;
    },
  };
}

let stdoutHoldsReport = false;

/** A streamed report was closed on stdout after an error: main() must not write a second document. */
export function reportOnStdout(): boolean {
  return stdoutHoldsReport;
}

/** What `options.error` of a report closed by an error says (as the JSON error document would). */
function errorFields(err: unknown): { code: string; message: string } {
  if (err instanceof XfedError) return { code: err.code, message: err.message };
  return { code: 'XFED_INTERNAL', message: `internal error: ${(err as Error)?.message ?? String(err)}` };
}

/** The report files of `-o`, then stdout, each with its renderer (undefined: the format needs the whole run). */
async function openSinks(head: RunResult, total: number, g: GlobalOptions, o: RenderOptions, hooks: StreamHooks): Promise<Sink[]> {
  const { streamRenderer } = await import('../report/stream.js');
  const { openReport } = await import('../report/output.js');
  const sinks: Sink[] = [];
  for (const x of g.outputs) {
    const handle = await openReport(x.file);
    sinks.push({ format: x.format, out: handle, file: { name: x.file, handle }, renderer: await streamRenderer(x.format, head, total, o), options: o });
  }
  // The terminal's width and colours matter to the human format only (style.js loads string-width).
  const style = g.format === 'human' ? await import('../report/style.js') : undefined;
  const stdoutOptions = { ...o, color: Boolean(style?.wantColor(g.color)), width: style?.terminalWidth() };
  const stdout = { write: (text: string) => (hooks.beforeStdout?.(), write(process.stdout, text)) };
  sinks.push({ format: g.format, out: stdout, renderer: await streamRenderer(g.format, head, total, stdoutOptions), options: stdoutOptions });
  return sinks;
}

/**
 * Text for the sinks, written in batches: a batch waits at most FLUSH_MS (or until FLUSH_BYTES),
 * so that thousands of small targets make few writes; each sink's writes stay in order.
 */
class Batches {
  private queue = Promise.resolve();
  private buffered: string[];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly sinks: Sink[]) {
    this.buffered = sinks.map(() => '');
  }

  put(fn: (s: Sink) => string): void {
    this.sinks.forEach((s, i) => {
      if (!s.renderer) return;
      const text = fn(s);
      this.buffered[i] += text;
      this.size += text.length;
    });
    if (this.size >= FLUSH_BYTES) this.flush();
    else if (this.size && !this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const texts = this.buffered;
    this.buffered = this.sinks.map(() => '');
    this.size = 0;
    this.queue = this.queue.then(async () => {
      for (let i = 0; i < this.sinks.length; i++) if (texts[i]) await this.sinks[i]!.out.write(texts[i]!);
    });
  }

  /** Drops what is buffered; resolves once the writes under way are done. */
  discard(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.buffered = this.sinks.map(() => '');
    return this.queue;
  }

  /** Writes what is buffered; resolves once every write is done. */
  drain(): Promise<void> {
    this.flush();
    return this.queue;
  }
}
