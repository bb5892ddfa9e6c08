import { Option, type Command } from 'commander';
import { intOption } from '../options.js';

export function defineDialback(program: Command): void {
  const db = program.command('dialback').description('Server Dialback (XEP-0220) tools: compute a key, or replay a db:verify');
  db.command('key')
    .description('print the XEP-0220 dialback key for a stream (as in a db:result line: --from originating, --to receiving)')
    .requiredOption('--from <domain>', 'originating domain (the from of db:result)')
    .requiredOption('--to <domain>', 'receiving domain (the to of db:result)')
    .requiredOption('--stream-id <id>', 'the stream id the receiving server gave')
    .option('--secret-file <path>', 'file holding the dialback secret (or XFED_DIALBACK_SECRET)')
    .addHelpText('after', '\nThe key is hex(HMAC-SHA256(hex(SHA256(secret)), "<to> <from> <stream-id>")) (XEP-0185). ejabberd\'s secret is hex(SHA-1(Erlang cookie)).')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { dialbackKeyCommand } = await import('../commands/dialback.js');
      process.exitCode = await dialbackKeyCommand(opts, cmd);
    });
  db.command('verify')
    .description('send a db:verify to an authoritative server and report valid/invalid (as in a db:verify line: --from receiving, --to originating)')
    .argument('<authoritative-host>', 'host name or IP of the authoritative server of --to')
    .requiredOption('--from <domain>', 'receiving domain (the from of db:verify)')
    .requiredOption('--to <domain>', 'originating domain, hosted by the authoritative server (the to of db:verify)')
    .requiredOption('--stream-id <id>', 'the id of the db:verify')
    .requiredOption('--key-file <path>', 'file holding the key ("-" for stdin)')
    .addOption(new Option('--port <n>', 'port').argParser(intOption('--port', 1, 65535)).default(5269))
    .option('--direct-tls', 'connect with direct TLS instead of STARTTLS')
    .option('--no-tls', 'do not start TLS')
    .option('--ca <pem>', 'also trust the CA certificates in this PEM file')
    .option('--insecure', 'certificate problems are reported as info, not errors')
    .option('--transcript [file]', 'write the XML exchange to a file, or stderr')
    .action(async (host: string, opts: Record<string, unknown>, cmd: Command) => {
      const { dialbackVerifyCommand } = await import('../commands/dialback.js');
      process.exitCode = await dialbackVerifyCommand(host, opts, cmd);
    });
}
