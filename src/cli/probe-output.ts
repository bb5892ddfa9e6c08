/**
 * What the probe and `dialback verify` commands print besides the report: the transcript
 * (`--transcript [file]`), and the loader of the probe's human section.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import { neutralizeWorkflowCommands, sanitizeLine } from '../report/sanitize.js';
import type { TargetResult } from '../core/result.js';
import type { ProbeTargetData } from '../probe/types.js';
import { write } from './run.js';

/** The transcripts of the targets, one block per target; every line redacted and sanitised. */
export function renderTranscript(results: TargetResult<ProbeTargetData>[]): string {
  const out: string[] = [];
  for (const r of results) {
    const p = r.data.probe;
    out.push(`# xfed transcript: ${sanitizeLine(r.target)} (from ${sanitizeLine(p.from)})`);
    for (const l of p.transcript ?? []) {
      const arrow = l.dir === 'out' ? 'SEND' : l.dir === 'in' ? 'RECV' : '----';
      // The peer's XML: secrets redacted, then one line with control and bidi characters escaped.
      out.push(`${(l.t / 1000).toFixed(3).padStart(8)} ${arrow} ${sanitizeLine(redactText(l.text))}`);
    }
    if (p.transcriptTruncated) out.push('(transcript truncated)');
    out.push('');
  }
  // Written to stderr in CI logs too: no line may be a workflow command.
  return neutralizeWorkflowCommands(out.join('\n'));
}

/** Writes the transcript to `dest` (a file, 0600 even when it existed), or to stderr when `dest` is true. */
export async function writeTranscript(results: TargetResult<ProbeTargetData>[], dest: string | boolean | undefined): Promise<void> {
  if (!dest) return;
  const text = renderTranscript(results);
  if (typeof dest === 'string') {
    try {
      // `mode` applies only when the file is created: an existing transcript is made 0600 first.
      await chmod(dest, 0o600).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      await writeFile(dest, text, { mode: 0o600 });
    } catch (e) {
      throw new UsageError(`cannot write --transcript ${dest}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else await write(process.stderr, text);
}

/** The human section renderer (it loads chalk): not needed for --json. */
export async function section(json: boolean) {
  return json ? undefined : (await import('../report/sections/probe.js')).probeSection;
}
