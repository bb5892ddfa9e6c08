import { Option, type Command } from 'commander';
import { intOption } from '../options.js';

export function defineDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check a whole deployment from one config file (DNS, probes, AXL, logs), for CI; --demo runs a built-in one')
    .option('-c, --config <file>', 'the config file, YAML or JSON (default: ./xfed.yaml if it exists; "xfed init" writes one)')
    .option('--demo', 'start a simulated deployment on 127.0.0.1 (DNS, XMPP s2s, AXL, logs) inside xfed and check it')
    .addOption(new Option('--concurrency <n>', 'targets checked at once per check (overrides the config)').argParser(intOption('--concurrency', 1, 1024)))
    .addOption(new Option('--deadline <ms>', 'the whole run ends within this; unfinished checks become doctor.deadline.exceeded (overrides timeouts.total; default 300000)').argParser(intOption('--deadline', 1000, 86_400_000)))
    .option('--strict', 'exit 1 on warnings too')
    .addHelpText(
      'after',
      `
Examples:
  xfed doctor --demo                               see the whole job on a simulated deployment
  xfed init && xfed doctor --config xfed.yaml      write a starter config, then check
  xfed doctor -c xfed.yaml --format junit > junit.xml
  xfed doctor -c xfed.yaml --output json=xfed-report.json --output junit=xfed-junit.xml   (human text on stdout)
  xfed doctor -c xfed.yaml --format github --strict    (axl.password_file, or XFED_AXL_PASSWORD from the CI secret store)`,
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { doctorCommand } = await import('../commands/doctor.js');
      process.exitCode = await doctorCommand(opts, cmd);
    });
  program
    .command('init')
    .description('write a commented starter config for "xfed doctor"')
    .argument('[file]', 'where to write it ("-" for stdout)', 'xfed.yaml')
    .option('-f, --force', 'overwrite an existing file')
    .addHelpText(
      'after',
      `
Examples:
  xfed init                      write ./xfed.yaml (refused if it exists)
  xfed init site/xfed.yaml -f    write it elsewhere, overwriting
  xfed init - | less             read the starter config without writing it
  xfed init && xfed doctor       then edit xfed.yaml and check`,
    )
    .action(async (file: string, opts: Record<string, unknown>) => {
      const { initCommand } = await import('../commands/init.js');
      process.exitCode = await initCommand(file, opts);
    });
}
