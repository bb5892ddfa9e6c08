import type { Command } from 'commander';

export function defineExplain(program: Command): void {
  program
    .command('explain')
    .description('explain a finding id or a diagnose rule id: what it means, the fix, references')
    .argument('<id>', 'a finding id (e.g. probe.cert.untrusted) or a rule id (e.g. diagnose.axl.http-401)')
    .option('--rules <file>', 'also load your own diagnose rules file (YAML or JSON)')
    .action(async (id: string, opts: Record<string, unknown>, cmd: Command) => {
      const { explainCommand } = await import('../commands/explain.js');
      process.exitCode = await explainCommand(id, opts, cmd);
    });
}
