/**
 * A run rendered one target at a time: the same text renderRun() makes for the whole run (byte
 * for byte), in pieces, so that a command with thousands of targets (check-dns --file) writes
 * each target as it is done and keeps none of them. Only json and the generic human report
 * stream; the other formats (and a command's own human renderer) need the whole run, and
 * streamRenderer() says so by returning undefined.
 *
 * Secrets are redacted per piece (the header, each target, the closing part): redactRun() maps
 * a run's targets one by one, so the pieces are the whole run's redaction.
 */
import { redactRun } from '../core/redact.js';
import type { RunResult, TargetResult } from '../core/result.js';
import type { Format, RenderOptions } from './output.js';

/** The text of a run, in pieces. */
export interface TargetRenderer {
  /** What comes before the first target. */
  begin(): string;
  /** One more target, in the run's order. */
  target(t: TargetResult): string;
  /** What comes after the last target, from the finished run (its `targets` are not read). */
  end(run: RunResult): string;
}

/** The pieces renderer of `format`, or undefined when the format needs the whole run at once. */
export async function streamRenderer(format: Format, head: RunResult, total: number, o: RenderOptions): Promise<TargetRenderer | undefined> {
  if (format === 'json') return jsonRenderer(head);
  if (format === 'human' && !o.human) return humanRenderer(total, o);
  return undefined;
}

const TARGETS_KEY = '\n  "targets": []';
const NESTED_HEAD = '{\n  "t": {\n    "t": ';
const NESTED_TAIL = '\n  }\n}';

/** The JSON document as renderJson() writes it: the header, each target indented, the rest. */
async function jsonRenderer(head: RunResult): Promise<TargetRenderer> {
  const { renderJson } = await import('./json.js');
  /** The document of a run without targets, cut where its targets go. */
  const split = (run: RunResult): [string, string] => {
    const text = renderJson(redactRun({ ...run, targets: [] }));
    const at = text.indexOf(TARGETS_KEY);
    return [text.slice(0, at), text.slice(at + TARGETS_KEY.length)];
  };
  let n = 0;
  return {
    begin: () => `${split(head)[0]}\n  "targets": [`,
    target(t) {
      // Nested two levels deep, the target is indented as an element of the document's targets.
      const text = JSON.stringify({ t: { t: redactRun(t) } }, null, 2);
      return `${n++ ? ',' : ''}\n    ${text.slice(NESTED_HEAD.length, -NESTED_TAIL.length)}`;
    },
    end: (run) => `${n ? '\n  ]' : ']'}${split(run)[1]}`,
  };
}

/**
 * The generic human report (renderHuman): each target's block as it comes (with many targets,
 * only those that need attention), then the summary table (one short row kept per target: the
 * table's columns need every row) and the summary line.
 */
async function humanRenderer(total: number, o: RenderOptions): Promise<TargetRenderer> {
  const [{ renderTarget, summaryRow, summaryLine }, { makeStyle, table, fitToWidth, DEFAULT_WIDTH }, { sanitizeDeep, neutralizeWorkflowCommands }] = await Promise.all([
    import('./human.js'),
    import('./style.js'),
    import('./sanitize.js'),
  ]);
  const style = makeStyle(o.color);
  const references = o.verbose ? await (await import('./output.js')).referenceLookup() : undefined;
  const opts = { verbose: o.verbose, quiet: o.quiet, width: o.width, references };
  const many = total > 1;
  const rows: string[][] = [['TARGET', 'VERDICT', 'ERRORS', 'WARNINGS', 'FINDINGS']];
  const lines = (ls: string[]) => neutralizeWorkflowCommands(ls.map((l) => `${l}\n`).join(''));
  return {
    begin: () => '',
    target(input) {
      const t = sanitizeDeep(redactRun(input));
      rows.push(summaryRow(t, style, t.display && t.display !== t.target ? `${t.display} (${t.target})` : t.target));
      if ((many && !o.verbose && t.verdict === 'ok') || (o.quiet && t.verdict === 'ok')) return '';
      return lines([...renderTarget(t, style, opts, o.section), '']);
    },
    end(input) {
      const run = sanitizeDeep(redactRun({ ...input, targets: [] }));
      const out = many && !o.quiet ? [...table(rows, style), ''] : [];
      out.push(fitToWidth(summaryLine(run, style), o.width ?? DEFAULT_WIDTH));
      return lines(out);
    },
  };
}
