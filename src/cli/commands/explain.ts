/**
 * `xfed explain <id>`: any finding id (src/findings/) or diagnose rule id, as text or
 * `--json`. `xfed rules show <id>` is the same command under its older name.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { targetResult } from '../../core/result.js';
import { loadRules } from '../../diagnose/index.js';
import { renderRule } from '../../diagnose/doc.js';
import { renderFinding } from '../../findings/doc.js';
import { lookupId, suggestIds } from '../../findings/lookup.js';
import { buildRun, emit, globalOptions } from '../run.js';

export async function explainCommand(id: string, opts: Record<string, unknown>, cmd: Command, command = 'explain'): Promise<number> {
  const g = globalOptions(cmd);
  const startedAt = new Date();
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
  // One target named by the id, no findings, what is known of it under `data.explain`.
  const body = found.kind === 'finding' ? { kind: found.kind, finding: { ...found.finding, variants: found.finding.variants ?? [] } } : found;
  const target = targetResult(found.kind === 'finding' ? found.finding.id : found.rule.id, [], { explain: body });
  const run = buildRun(command, { id, rules: typeof file === 'string' ? file : null }, [target], startedAt, g.strict);
  return emit(run, g, undefined, {
    human: (_r, style) =>
      (found.kind === 'finding'
        ? renderFinding(found.finding, style.c.bold, style.sev(found.finding.severity).trim())
        : renderRule(found.rule, style.c.bold, style.sev(found.rule.severity).trim())) + '\n',
  });
}
