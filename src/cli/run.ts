/**
 * What every command shares once its check is done: the global options (format, outputs,
 * verbosity), the one call that puts a RunResult on stdout and in the `--output` files, and
 * writing to stdout/stderr with honest exit codes.
 */
import type { Command } from 'commander';
import { UsageError, XfedError } from '../core/errors.js';
import { EXIT } from '../core/exit-codes.js';
import type { RunResult, TargetResult } from '../core/result.js';
import type { SectionRenderer } from '../report/human.js';
import { parseOutput, type Format, type HumanRenderer, type InputFile, type OutputSpec, type RenderOptions } from '../report/output.js';

/** Options every command accepts (declared once on the root program). */
export interface GlobalOptions {
  /** What stdout gets: `--format`, or json for `--json`, else human. */
  format: Format;
  /**
   * No human report is rendered, on stdout or in a file (`--json`, `--format json|junit|github`
   * without `-o human=`): commands skip the progress spinner and their human-only parts.
   */
  json: boolean;
  /** `-o/--output format=file`, in the order given. */
  outputs: OutputSpec[];
  /** Per-phase timeout in ms; undefined means the command's own default. */
  timeout: number | undefined;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
  strict: boolean;
}

export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as Record<string, unknown>;
  // An explicit --format wins over --json (its alias for json).
  const format: Format = typeof o.format === 'string' ? (o.format as Format) : o.json ? 'json' : 'human';
  const outputs = Array.isArray(o.output) ? (o.output as string[]).map(parseOutput) : [];
  return {
    format,
    json: format !== 'human' && !outputs.some((x) => x.format === 'human'),
    outputs,
    timeout: typeof o.timeout === 'number' ? o.timeout : undefined,
    color: o.color !== false,
    quiet: Boolean(o.quiet),
    verbose: Boolean(o.verbose),
    strict: Boolean(o.strict),
  };
}

/** Options whose values are files a command reads: an `--output` may not be one of them. */
const INPUT_OPTIONS = ['file', 'config', 'rules', 'secretFile', 'passwordFile', 'keyFile', 'ca', 'transcript'];

/** The files named on a command line that the run reads (or, for --transcript, writes). */
export function inputFiles(cmd: Command): InputFile[] {
  const o = cmd.opts() as Record<string, unknown>;
  const out: InputFile[] = [];
  for (const key of INPUT_OPTIONS) {
    const v = o[key];
    const label = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    for (const file of Array.isArray(v) ? v : [v]) if (typeof file === 'string') out.push({ label, file });
  }
  // diagnose reads its operands.
  if (cmd.name() === 'diagnose') for (const a of cmd.args) out.push({ label: 'the input', file: a });
  return out;
}

/** Before a command runs: its outputs parse, can be written, and overwrite none of its inputs. */
export async function preflight(cmd: Command): Promise<void> {
  const g = globalOptions(cmd);
  if (cmd.name() === 'init' && (g.outputs.length || g.format !== 'human')) throw new UsageError('init writes a config file, not a report: --format, --json and --output do not apply');
  if (g.outputs.length === 0) return;
  const { checkOutputs } = await import('../report/output.js');
  await checkOutputs(g.outputs, inputFiles(cmd));
}

export { buildRun } from '../core/result.js';

/** How a command's run is drawn in the human format. */
export interface EmitOptions {
  /** A command's own human report instead of the generic one. */
  human?: HumanRenderer;
}

/**
 * Renders a run on stdout in `--format` and into every `--output` file, and returns the exit
 * code: the run's, or 3 when a report file could not be written.
 */
export async function emit(run: RunResult, g: GlobalOptions, section?: SectionRenderer, extra: EmitOptions = {}): Promise<number> {
  const { renderRun, writeOutputs } = await import('../report/output.js');
  const o = { strict: g.strict, verbose: g.verbose, quiet: g.quiet, color: false, section, human: extra.human };
  const failed = await writeOutputs(g.outputs, run, o);
  const { wantColor, terminalWidth } = await import('../report/terminal.js');
  const color = g.format === 'human' && wantColor(g.color);
  await write(process.stdout, await renderRun(g.format, run, { ...o, color, width: terminalWidth() }));
  return finishRun(run, g, o, failed);
}

/** Where the GitHub step summary goes: `$GITHUB_STEP_SUMMARY` when the github format is asked for (stdout or -o). */
export function stepSummaryFile(g: GlobalOptions): string | undefined {
  const file = process.env.GITHUB_STEP_SUMMARY;
  return file && (g.format === 'github' || g.outputs.some((x) => x.format === 'github')) ? file : undefined;
}

/**
 * After a run's reports are written: the GitHub step summary (Markdown, every finding), one line
 * per report that could not be written, and the exit code (3 when one could not, else the run's).
 */
export async function finishRun(run: RunResult, g: GlobalOptions, o: Pick<RenderOptions, 'verbose'>, failed: string[]): Promise<number> {
  const summary = stepSummaryFile(g);
  if (summary) {
    const code = await (await import('../report/output.js')).appendStepSummary(summary, run, o);
    if (code) failed.push(`cannot write GITHUB_STEP_SUMMARY ${summary}: ${code}`);
  }
  // The run is done and stdout has the report; a file that became unwritable meanwhile is xfed's failure.
  for (const f of failed) await write(process.stderr, `xfed: ${f}\n`);
  return failed.length ? EXIT.INTERNAL : run.exitCode;
}

/**
 * While a command gathers targets: on Ctrl-C, renders what finished (exit code 130, and
 * `options.interrupted` says how many of how many) the way emit() would, then exits 130.
 * Returns the function that records a finished target; call `stop()` once the work is done.
 */
export async function reportOnInterrupt<D>(
  command: string,
  options: Record<string, unknown>,
  total: number,
  startedAt: Date,
  g: GlobalOptions,
  section?: SectionRenderer,
  before?: () => void,
): Promise<{ add: (t: TargetResult<D>) => void; stop: () => void }> {
  const { onInterrupt, interruptedLine } = await import('./interrupt.js');
  const { buildRun: build } = await import('../core/result.js');
  const gathered: TargetResult<D>[] = [];
  onInterrupt(async () => {
    before?.();
    const run = build(command, { ...options, interrupted: { done: gathered.length, total } }, [...gathered], startedAt, g.strict);
    run.exitCode = EXIT.INTERRUPTED;
    await emit(run, g, section).catch(() => undefined);
    await write(process.stderr, interruptedLine(gathered.length, total)).catch(() => undefined);
    process.exit(EXIT.INTERRUPTED);
  });
  return { add: (t) => void gathered.push(t), stop: () => onInterrupt(undefined) };
}

/** stdout or stderr could not be written (a full disk, an I/O error): exit 3. */
export class OutputError extends XfedError {
  override name = 'OutputError';
  constructor(what: string, code: string) {
    super(`cannot write to ${what}: ${code}`, 'XFED_OUTPUT', EXIT.INTERNAL);
  }
}

/** Streams whose reader went away (EPIPE): later output is dropped, the exit code stays the run's. */
const closed = new WeakSet<NodeJS.WritableStream>();

/**
 * Writes text and resolves once the stream took it. A reader that left (`xfed ... | head -1`)
 * is not an error: the rest is dropped and the command ends with the exit code its findings
 * decided. Any other write error (ENOSPC, EIO) rejects with an OutputError (exit 3).
 */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (closed.has(stream) || (stream as { destroyed?: boolean }).destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    stream.write(text, (err?: Error | null) => {
      if (!err) return resolve();
      const code = (err as NodeJS.ErrnoException).code ?? err.message;
      if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED') {
        closed.add(stream);
        return resolve();
      }
      reject(new OutputError(stream === process.stderr ? 'stderr' : 'stdout', code));
    });
  });
}
