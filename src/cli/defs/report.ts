import type { Command } from 'commander';

export function defineReport(program: Command): void {
  program
    .command('report')
    .description('render saved xfed JSON results (--json, -o json=) as one self-contained HTML report')
    .argument('<file...>', 'xfed JSON results (several are merged; each target says which run it came from); "-" for stdin')
    .requiredOption('--html <file>', 'the HTML file to write ("-" for stdout)')
    .addHelpText(
      'after',
      `
The report is one file: inline CSS and SVG, no script, nothing loaded from the network;
secrets are redacted as in every format. Exit 0 when it is written (the findings in the
results do not change the exit code), 2 for a file that is not an xfed JSON result, 3 when
the report cannot be written.

Examples:
  xfed doctor -c xfed.yaml -o html=report.html          (any command can write it directly)
  xfed report --html partner.html dns.json probe.json axl.json
  xfed probe partner.example --json | xfed report --html probe.html -`,
    )
    .action(async (files: string[], opts: Record<string, unknown>, cmd: Command) => {
      const { reportCommand } = await import('../commands/report.js');
      process.exitCode = await reportCommand(files, opts, cmd);
    });
}
