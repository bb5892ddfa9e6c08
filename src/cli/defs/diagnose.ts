import { Option, type Command } from 'commander';
import { intOption } from '../options.js';
import { defineRules } from './rules.js';

export function defineDiagnose(program: Command): void {
  program
    .command('diagnose')
    .description('match Expressway / IM&P / Prosody / ejabberd logs and xfed JSON results against the rule set: cause, evidence, fix')
    .argument('<path...>', 'log files, directories, .gz files, .tar/.tar.gz/.tgz bundles, xfed --json results; "-" for stdin')
    .option('--rules <file>', 'your own rules (YAML or JSON, same schema): extend or override the built-ins')
    .addOption(new Option('--max-evidence <n>', 'evidence entries shown per finding').argParser(intOption('--max-evidence', 1, 1000)).default(10))
    .option('--strict', 'exit 1 on warnings too')
    .addHelpText(
      'after',
      `
Examples:
  xfed diagnose diagnostic_log_expe_2026-11-25.tar.gz
  xfed diagnose /var/log/prosody/ --rules site-rules.yaml
  xfed probe partner.example --json | xfed diagnose - expc-logs/
  xfed rules                      list the rules; xfed rules show <id> explains one`,
    )
    .action(async (paths: string[], opts: Record<string, unknown>, cmd: Command) => {
      const { diagnoseCommand } = await import('../commands/diagnose.js');
      process.exitCode = await diagnoseCommand(paths, opts, cmd);
    });
  defineRules(program);
}
