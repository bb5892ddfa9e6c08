import { Option, type Command } from 'commander';
import { collect } from '../options.js';

export function defineAxlVerify(program: Command): void {
  program
    .command('axl-verify')
    .description("read IM&P's xmpps2snodes table over AXL and say why Expressway-E's S2S nodes are not registered")
    .option('-s, --server <host[:port]>', 'IM&P node (AXL on port 8443 unless given; an https URL works too)')
    .option('-u, --user <name>', 'AXL user (the one configured on Expressway-C)')
    .option('--password-file <file|->', 'read the password from a file ("-" for stdin); default: XFED_AXL_PASSWORD, else a hidden prompt')
    .addOption(new Option('--password <password>', 'refused: a password on the command line is visible to other users').hideHelp())
    .option('-e, --expect <fqdn|cp_id>', 'Expressway-E FQDN (or cp_id) that must be registered (repeatable)', collect)
    .option('--axl-version <ver>', 'AXL version to use (default: 15.0, then what a 599 answer lists)')
    .option('--ca <pem>', 'trust the CA or IM&P tomcat certificate(s) in this PEM file instead of the system store (like curl --cacert)')
    .option('-k, --insecure', 'do not verify the certificate (loud warning; the password goes to whoever answers)')
    .option('--sql <select>', 'run this one plain SELECT instead of the xmpps2snodes check (tables, columns, WHERE/ORDER BY; functions only count, sum, min, max, avg, lower, upper, trim and a few more)')
    .option('-a, --all', 'also check that XMPP federation is off on IM&P and that GET /axl/ works')
    .addHelpText(
      'after',
      `
Examples:
  xfed axl-verify --server imp1.example.com --user axlxfed --password-file /etc/xfed/axl.pw --expect expe1.example.com
  xfed axl-verify -s imp1.example.com -u axlxfed --password-file ~/.axlpass --ca tomcat-ca.pem --all --json
  xfed axl-verify -s imp1.example.com -u axlxfed --sql "select name, nameforcontrol from typeservice where name like '%XCP%'"`,
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { axlVerifyCommand } = await import('../commands/axl-verify.js');
      process.exitCode = await axlVerifyCommand(opts, cmd);
    });
}
