/**
 * `xfed explain <id>`: any finding id (src/findings/) or diagnose rule id, as text or
 * `--json`. `xfed rules show <id>` is the same command under its older name.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { SCHEMA_VERSION } from '../../core/result.js';
import { VERSION } from '../../core/version.js';
import { loadRules } from '../../diagnose/index.js';
import { renderRule } from '../../diagnose/doc.js';
import { renderFinding } from '../../findings/doc.js';
import { lookupId, suggestIds } from '../../findings/lookup.js';
import { makeStyle, wantColor } from '../../report/style.js';
import { globalOptions, write } from '../run.js';

export async function explainCommand(id: string, opts: Record<string, unknown>, cmd: Command, command = 'explain'): Promise<number> {
  const g = globalOptions(cmd);
  const file = opts.rules ?? cmd.optsWithGlobals().rules;
  const rules = await loadRules(typeof file === 'string' ? file : undefined);
  const found = lookupId(id, rules);
  if (!found) {
    const near = suggestIds(id, rules);
    throw new UsageError(
      `unknown finding or rule id "${id}"${near.length ? ` (did you mean ${near.join(', ')}?)` : '; docs/findings.md and `xfed rules` list them'}`,
      'XFED_UNKNOWN_ID',
    );
  }
  if (g.json) {
    // The envelope of every xfed JSON document, then { kind: 'finding', finding } or { kind: 'rule', rule }.
    const body = found.kind === 'finding' ? { kind: found.kind, finding: { ...found.finding, variants: found.finding.variants ?? [] } } : found;
    await write(process.stdout, `${JSON.stringify({ schema: SCHEMA_VERSION, tool: 'xfed', version: VERSION, command, ...body }, null, 2)}\n`);
    return 0;
  }
  const style = makeStyle(wantColor(g.color));
  const text =
    found.kind === 'finding'
      ? renderFinding(found.finding, style.c.bold, style.sev(found.finding.severity).trim())
      : renderRule(found.rule, style.c.bold, style.sev(found.rule.severity).trim());
  await write(process.stdout, `${text}\n`);
  return 0;
}
