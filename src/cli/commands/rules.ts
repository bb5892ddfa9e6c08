import type { Command } from 'commander';
import { targetResult, type RunResult, type TargetResult } from '../../core/result.js';
import { loadRules } from '../../diagnose/index.js';
import type { RuleSpec } from '../../diagnose/types.js';
import { table, type Style } from '../../report/style.js';
import { buildRun, emit, globalOptions } from '../run.js';

function rulesFile(opts: Record<string, unknown>, cmd: Command): string | undefined {
  const file = opts.rules ?? cmd.optsWithGlobals().rules;
  return typeof file === 'string' ? file : undefined;
}

/** A rule as a target of the run: no findings, the rule under `data.rule`. */
function ruleTarget(rule: RuleSpec): TargetResult<{ rule: RuleSpec }> {
  return targetResult(rule.id, [], { rule });
}

const rulesOf = (run: RunResult): RuleSpec[] => run.targets.map((t) => (t.data as { rule: RuleSpec }).rule);

function renderRulesTable(run: RunResult, style: Style): string {
  const rules = rulesOf(run);
  const rows = [['ID', 'SEVERITY', 'READS', 'TITLE']];
  for (const r of rules) rows.push([r.enabled === false ? `${r.id} (disabled)` : r.id, style.sev(r.severity).trim(), r.products.join(','), r.title]);
  const lines = table(rows, style);
  lines.push('', style.c.dim(`${rules.filter((r) => r.enabled !== false).length} rules. \`xfed rules show <id>\` explains one; docs/rules.md has them all.`));
  return lines.join('\n') + '\n';
}

export async function rulesListCommand(opts: Record<string, unknown>, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  const startedAt = new Date();
  const file = rulesFile(opts, cmd);
  const rules = await loadRules(file);
  const run = buildRun('rules', { rules: file ?? null }, rules.map(ruleTarget), startedAt, g.strict);
  return emit(run, g, undefined, { human: renderRulesTable });
}

/** `xfed rules show <id>`: an alias of `xfed explain <id>` (rule ids, and finding ids too). */
export async function rulesShowCommand(id: string, opts: Record<string, unknown>, cmd: Command): Promise<number> {
  const { explainCommand } = await import('./explain.js');
  return explainCommand(id, opts, cmd, 'rules show');
}
