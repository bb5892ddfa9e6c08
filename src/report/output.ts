/**
 * The one output path of every command: a RunResult rendered in a format (human, json,
 * junit, github, html), for stdout and for each `--output format=file`. Secrets are redacted here,
 * once, on the whole run, before any renderer sees it.
 *
 * Report files are written to a temporary file in the same directory and renamed over the
 * destination after the run, so a run that fails (bad config, interrupted) leaves the previous
 * report as it was, and a reader never sees half a report.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, appendFile, chmod, open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { redactRun } from '../core/redact.js';
import type { RunResult } from '../core/result.js';
import type { HumanOptions, SectionRenderer } from './human.js';
import type { Style } from './style.js';

export type Format = 'human' | 'json' | 'junit' | 'github' | 'html';
export const FORMATS: readonly Format[] = ['human', 'json', 'junit', 'github', 'html'];
const BY_EXTENSION: Record<string, Format> = { json: 'json', xml: 'junit', txt: 'human', log: 'human', html: 'html', htm: 'html' };

/** One `--output` destination. */
export interface OutputSpec {
  format: Format;
  file: string;
}

/** `--output json=report.json`, or `--output report.json` (format from the extension). */
export function parseOutput(spec: string): OutputSpec {
  const m = /^([a-z]+)=(.+)$/.exec(spec);
  if (m) {
    if (!FORMATS.includes(m[1] as Format)) throw new UsageError(`--output ${spec}: unknown format "${m[1]}" (use ${FORMATS.join(', ')})`);
    return { format: m[1] as Format, file: m[2]! };
  }
  const ext = /\.([a-z]+)$/i.exec(spec)?.[1]?.toLowerCase();
  const format = ext ? BY_EXTENSION[ext] : undefined;
  if (!format) throw new UsageError(`--output ${spec}: say the format, e.g. --output json=${spec} (json, junit, human, github, html)`);
  return { format, file: spec };
}

/** A command's own human report (doctor's parts, the rules table, the bare dialback key). */
export type HumanRenderer = (run: RunResult, style: Style, opts: HumanOptions) => string;

export interface RenderOptions {
  strict: boolean;
  verbose: boolean;
  quiet: boolean;
  /** Colours in the human format (never in files). */
  color: boolean;
  /** Facts drawn per target in the generic human report. */
  section?: SectionRenderer | undefined;
  /** Replaces the generic human report. */
  human?: HumanRenderer | undefined;
  /** Columns the human format wraps to (default 80: files, pipes). */
  width?: number | undefined;
}

/** Renders a run in one format. The only place a RunResult becomes text; it redacts first. */
export async function renderRun(format: Format, input: RunResult, o: RenderOptions): Promise<string> {
  const run = redactRun(input);
  switch (format) {
    case 'json':
      return (await import('./json.js')).renderJson(run);
    case 'junit':
      return (await import('./junit.js')).renderJunit(run, { strict: o.strict });
    case 'github':
      return (await import('./github.js')).renderGithub(run, { verbose: o.verbose });
    case 'html':
      return (await import('./html/index.js')).renderHtml([{ run }]);
    case 'human': {
      const [{ renderHuman }, { makeStyle }] = await Promise.all([import('./human.js'), import('./style.js')]);
      const style = makeStyle(o.color);
      // --verbose: each finding with the catalogue's reference links (loaded only then).
      const references = o.verbose ? await referenceLookup() : undefined;
      const opts = { verbose: o.verbose, quiet: o.quiet, width: o.width, references };
      return o.human ? o.human(run, style, opts) : renderHuman(run, style, opts, o.section);
    }
  }
}

/**
 * Appends the Markdown step summary of a run to the file GitHub Actions names in
 * `$GITHUB_STEP_SUMMARY`. Returns the error code when it could not be written, else undefined.
 */
export async function appendStepSummary(file: string, input: RunResult, o: Pick<RenderOptions, 'verbose'>): Promise<string | undefined> {
  const { renderGithubSummary } = await import('./github.js');
  try {
    await appendFile(file, renderGithubSummary(redactRun(input), { verbose: o.verbose }));
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
}

/** The catalogue's reference links of a finding id (none for an uncatalogued id). */
export async function referenceLookup(): Promise<(id: string) => readonly string[]> {
  const { findingEntry } = await import('../findings/index.js');
  return (id) => findingEntry(id)?.references ?? [];
}

/** A temporary name next to `file`, so that the final rename stays on one file system. */
function tempName(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.xfed-tmp`);
}

/**
 * Writes every `--output` file of a finished run (temporary file, then rename). Returns one
 * message per file that could not be written; the others are written all the same.
 */
export async function writeOutputs(outputs: readonly OutputSpec[], run: RunResult, o: RenderOptions): Promise<string[]> {
  const failed: string[] = [];
  for (const x of outputs) {
    const text = await renderRun(x.format, run, { ...o, color: false, width: undefined });
    const code = await writeReport(x.file, text);
    if (code) failed.push(`cannot write --output ${x.file}: ${code}`);
  }
  return failed;
}

/** Writes one report file at once (as openReport() does in pieces). Returns the error code when it could not be written, else undefined. */
export async function writeReport(file: string, text: string): Promise<string | undefined> {
  const f = await openReport(file);
  await f.write(text);
  return f.close();
}

/** A report file written in pieces (a streamed run): close() puts it in place, as writeReport() does. */
export interface ReportFile {
  /** Appends text; after an error, does nothing (close() returns the error code). */
  write(text: string): Promise<void>;
  /** Finishes the file: renamed over the destination, or removed after an error. Returns the error code. */
  close(): Promise<string | undefined>;
  /** The run failed: the temporary file is removed, the destination left as it was. */
  abort(): Promise<void>;
}

/**
 * Opens a report file to be written in pieces: a temporary file next to it, renamed over it on
 * close() (through a symbolic link to its file; an existing report keeps its permissions).
 * Devices and pipes (/dev/null, /dev/stdout, a FIFO) are written in place, never replaced.
 */
export async function openReport(file: string): Promise<ReportFile> {
  const dest = await realpath(file).catch(() => file);
  const st = await stat(dest).catch(() => undefined);
  const inPlace = Boolean(st && !st.isFile());
  const tmp = tempName(dest);
  const mode = st && !inPlace ? st.mode & 0o777 : 0o666;
  let fh: FileHandle | undefined;
  let failed: string | undefined;
  const fail = (e: unknown) => void (failed ??= (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  try {
    fh = inPlace ? await open(dest, 'w') : await open(tmp, 'wx', mode);
  } catch (e) {
    fail(e);
  }
  return {
    async write(text) {
      if (failed || !fh || !text) return;
      await fh.writeFile(text).catch(fail);
    },
    async close() {
      await fh?.close().catch(fail);
      if (!inPlace && !failed) {
        try {
          if (st) await chmod(tmp, mode);
          await rename(tmp, dest);
        } catch (e) {
          fail(e);
        }
      }
      if (!inPlace && failed) await unlink(tmp).catch(() => undefined);
      return failed;
    },
    async abort() {
      fail(new Error('aborted'));
      await fh?.close().catch(() => undefined);
      if (!inPlace) await unlink(tmp).catch(() => undefined);
    },
  };
}

/** A file the run reads, named as the user gave it (`--config xfed.yaml`, `logs: a.log`). */
export interface InputFile {
  label: string;
  file: string;
}

async function identity(file: string): Promise<string> {
  try {
    const s = await stat(file);
    return `${s.dev}:${s.ino}`;
  } catch {
    return `path:${resolve(file)}`;
  }
}

/**
 * Refuses, before anything runs (exit 2), an output given twice, an output that is one of the
 * run's inputs (it would be overwritten: the config, a log, a --file list...), and an output
 * that cannot be written (no such directory, a directory, no permission).
 */
export async function checkOutputs(outputs: readonly OutputSpec[], inputs: readonly InputFile[], flag = '--output'): Promise<void> {
  const inputIds = new Map<string, InputFile>();
  for (const i of inputs) if (i.file !== '-') inputIds.set(await identity(i.file), i);
  const seen = new Set<string>();
  for (const x of outputs) {
    const id = await identity(x.file);
    if (seen.has(id)) throw new UsageError(`${flag} ${x.file} is given twice`);
    seen.add(id);
    const input = inputIds.get(id);
    if (input) throw new UsageError(`${flag} ${x.file} is also ${input.label} ${input.file}: refused (the report would overwrite it)`);
    try {
      const s = await stat(x.file).catch(() => undefined);
      if (s?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      if (s) await access(x.file, constants.W_OK);
      // A report file is replaced by a temporary file made next to it (devices are written in place).
      if (!s || s.isFile()) await access(dirname(await realpath(x.file).catch(() => resolve(x.file))), constants.W_OK);
    } catch (e) {
      throw new UsageError(`cannot write ${flag} ${x.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
}
