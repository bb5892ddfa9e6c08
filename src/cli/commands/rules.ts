import type { Command } from 'commander';
import { INPUT_FINDINGS, loadRules } from '../../diagnose/index.js';
import type { RuleSpec } from '../../diagnose/types.js';
import { makeStyle, table, wantColor } from '../../report/style.js';
import { globalOptions, write } from '../run.js';
import { VERSION } from '../../core/version.js';

async function rulesFor(opts: Record<string, unknown>, cmd: Command): Promise<RuleSpec[]> {
  const file = opts.rules ?? cmd.optsWithGlobals().rules;
  return loadRules(typeof file === 'string' ? file : undefined);
}

function doc(command: string, body: Record<string, unknown>): string {
  return JSON.stringify({ schema: 1, tool: 'xfed', version: VERSION, command, ...body }, null, 2) + '\n';
}

export async function rulesListCommand(opts: Record<string, unknown>, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  const rules = await rulesFor(opts, cmd);
  if (g.json) {
    await write(process.stdout, doc('rules', { rules, inputFindings: INPUT_FINDINGS }));
    return 0;
  }
  const style = makeStyle(wantColor(g.color));
  const rows = [['ID', 'SEVERITY', 'READS', 'TITLE']];
  for (const r of rules) rows.push([r.enabled === false ? `${r.id} (disabled)` : r.id, style.sev(r.severity).trim(), r.products.join(','), r.title]);
  const lines = table(rows, style);
  lines.push('', style.c.dim(`${rules.filter((r) => r.enabled !== false).length} rules. \`xfed rules show <id>\` explains one; docs/rules.md has them all.`));
  await write(process.stdout, lines.join('\n') + '\n');
  return 0;
}

/** `xfed rules show <id>`: an alias of `xfed explain <id>` (rule ids, and finding ids too). */
export async function rulesShowCommand(id: string, opts: Record<string, unknown>, cmd: Command): Promise<number> {
  const { explainCommand } = await import('./explain.js');
  return explainCommand(id, opts, cmd, 'rules show');
}
