import type { Command } from 'commander';

export function defineRules(program: Command): void {
  const rules = program
    .command('rules')
    .description('list the diagnose rules (built-in, plus --rules <file>)')
    .option('--rules <file>', 'also load your own rules file (YAML or JSON)')
    .addHelpText(
      'after',
      `
Examples:
  xfed rules                                 the built-in rules: id, severity, products, title
  xfed rules --rules site-rules.yaml         with your own rules (checked as they load)
  xfed rules show diagnose.dialback.invalid  one rule: what it matches, cause, fix, references
  xfed --json rules | jq -r '.targets[].target'`,
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { rulesListCommand } = await import('../commands/rules.js');
      process.exitCode = await rulesListCommand(opts, cmd);
    });
  rules
    .command('show')
    .description('show one rule: what it matches, cause, fix, references (same as `xfed explain <id>`)')
    .argument('<id>', 'rule id, e.g. diagnose.axl.http-401')
    .option('--rules <file>', 'also load your own rules file (YAML or JSON)')
    .action(async (id: string, opts: Record<string, unknown>, cmd: Command) => {
      const { rulesShowCommand } = await import('../commands/rules.js');
      process.exitCode = await rulesShowCommand(id, opts, cmd);
    });
}
