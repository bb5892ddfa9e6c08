import type { Command } from 'commander';
import type { RunResult } from '../core/result.js';
import type { SectionRenderer } from '../report/human.js';

/** Options every command accepts (declared once on the root program). */
export interface GlobalOptions {
  json: boolean;
  /** Per-phase timeout in ms; undefined means the command's own default. */
  timeout: number | undefined;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
  strict: boolean;
}

export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as Record<string, unknown>;
  return {
    json: Boolean(o.json),
    timeout: typeof o.timeout === 'number' ? o.timeout : undefined,
    color: o.color !== false,
    quiet: Boolean(o.quiet),
    verbose: Boolean(o.verbose),
    strict: Boolean(o.strict),
  };
}

export { buildRun } from '../core/result.js';

/** Renders a run on stdout (JSON or human) and returns its exit code. */
export async function emit(run: RunResult, g: GlobalOptions, section?: SectionRenderer): Promise<number> {
  let text: string;
  if (g.json) {
    const { renderJson } = await import('../report/json.js');
    text = renderJson(run);
  } else {
    const [{ renderHuman }, { makeStyle, wantColor }] = await Promise.all([import('../report/human.js'), import('../report/style.js')]);
    // Section renderers print peer-supplied text (features, dialback answers, AXL rows): redact it all once.
    const { redact } = await import('../core/redact.js');
    text = redact(renderHuman(run, makeStyle(wantColor(g.color)), { verbose: g.verbose, quiet: g.quiet }, section));
  }
  await write(process.stdout, text);
  return run.exitCode;
}

export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.write(text)) stream.once('drain', resolve);
    else resolve();
  });
}
