import type { Command } from 'commander';

export function defineExplain(program: Command): void {
  program
    .command('explain')
    .description('explain a finding id or a diagnose rule id: what it means, the fix, references')
    .argument('<id>', 'a finding id (e.g. probe.cert.untrusted) or a rule id (e.g. diagnose.axl.http-401)')
    .option('--rules <file>', 'also load your own diagnose rules file (YAML or JSON)')
    .addHelpText(
      'after',
      `
Examples:
  xfed explain probe.cert.untrusted        a finding: meaning, fix, references
  xfed explain diagnose.axl.http-401       a diagnose rule (also: xfed rules show <id>)
  xfed explain site.quarantine --rules site-rules.yaml`,
    )
    .action(async (id: string, opts: Record<string, unknown>, cmd: Command) => {
      const { explainCommand } = await import('../commands/explain.js');
      process.exitCode = await explainCommand(id, opts, cmd);
    });
}
