import { Option, type Command } from 'commander';
import { intOption } from '../options.js';

export function defineDialback(program: Command): void {
  const db = program.command('dialback').description('Server Dialback (XEP-0220) tools: compute a key, or replay a db:verify');
  db.command('key')
    .description('print the XEP-0220 dialback key for a stream (--originating sends, --receiving accepts)')
    .option('--originating <domain>', 'originating domain: the one that wants to send (the from of db:result); same as --from')
    .option('--receiving <domain>', 'receiving domain: the one that accepts the stream (the to of db:result); same as --to')
    .option('--from <domain>', 'the originating domain (as in probe --from)')
    .option('--to <domain>', 'the receiving domain')
    .requiredOption('--stream-id <id>', 'the stream id the receiving server gave')
    .option('--secret-file <path>', 'file holding the dialback secret (or XFED_DIALBACK_SECRET)')
    .addHelpText(
      'after',
      `
The key is hex(HMAC-SHA256(hex(SHA256(secret)), "<receiving> <originating> <stream-id>")) (XEP-0185).
ejabberd's secret is hex(SHA-1(Erlang cookie)).

Examples:
  XFED_DIALBACK_SECRET=... xfed dialback key --originating example.com --receiving partner.example --stream-id 5f2a91
  xfed dialback key --secret-file /etc/xfed/dialback.secret --from example.com --to partner.example --stream-id 5f2a91
  (then compare with the key in the receiving server's log line <db:result from='example.com' to='partner.example'>)`,
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { dialbackKeyCommand } = await import('../commands/dialback.js');
      process.exitCode = await dialbackKeyCommand(opts, cmd);
    });
  db.command('verify')
    .description('send a db:verify to the authoritative server of the originating domain and report valid/invalid')
    .argument('<authoritative-host>', 'host name or IP of the authoritative server of --originating')
    .option('--originating <domain>', 'originating domain, hosted by the authoritative server (the to of db:verify)')
    .option('--receiving <domain>', 'receiving domain, the one checking the key (the from of db:verify)')
    .option('--from <domain>', 'deprecated here (the from of db:verify, i.e. --receiving): use --receiving')
    .option('--to <domain>', 'deprecated here (the to of db:verify, i.e. --originating): use --originating')
    .requiredOption('--stream-id <id>', 'the id of the db:verify')
    .requiredOption('--key-file <path>', 'file holding the key ("-" for stdin)')
    .addOption(new Option('--port <n>', 'port').argParser(intOption('--port', 1, 65535)).default(5269))
    .option('--direct-tls', 'connect with direct TLS instead of STARTTLS')
    .option('--no-tls', 'do not start TLS')
    .option('--ca <pem>', 'also trust the CA certificates in this PEM file')
    .option('--insecure', 'certificate problems are reported as info, not errors')
    .option('--transcript [file]', 'write the XML exchange to a file, or stderr')
    .addHelpText(
      'after',
      `
Examples:
  xfed dialback verify xmpp.example.com --originating example.com --receiving partner.example --stream-id 5f2a91 --key-file key.txt
  xfed dialback key ... | xfed dialback verify xmpp.example.com --originating example.com --receiving partner.example --stream-id 5f2a91 --key-file -`,
    )
    .action(async (host: string, opts: Record<string, unknown>, cmd: Command) => {
      const { dialbackVerifyCommand } = await import('../commands/dialback.js');
      process.exitCode = await dialbackVerifyCommand(host, opts, cmd);
    });
}
