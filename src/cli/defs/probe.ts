import { Option, type Command } from 'commander';
import { collect, intOption } from '../options.js';
import { defineDialback } from './dialback.js';

/** `xfed probe` and its companion `xfed dialback key|verify`. */
export function defineProbe(program: Command): void {
  program
    .command('probe')
    .description('open a real server-to-server session with a peer: DNS, TCP, stream, STARTTLS/direct TLS, certificate, Server Dialback')
    .argument('[peer...]', 'peer XMPP domains')
    .option('-f, --file <path>', 'read peer domains from a file, one a line ("-" for stdin; # comments)')
    .option('--from <domain>', 'our domain: stream from and dialback originating domain (default: xfed-probe.invalid)')
    .option('--host <address>', 'connect to this host or IP instead of resolving SRV records')
    .addOption(new Option('--port <n>', 'port to connect to (default: from SRV; with --host 5269, or 5270 with --direct-tls)').argParser(intOption('--port', 1, 65535)))
    .option('-r, --resolver <ip[:port]>', 'DNS server to ask (repeatable; default: the system resolvers)', collect)
    .option('--doh <url>', 'ask a DNS-over-HTTPS server (RFC 8484) instead')
    .option('--dns-tcp', 'query DNS over TCP')
    .addOption(new Option('--direct-tls', 'only direct-TLS targets (_xmpps-server, XEP-0368)').conflicts(['starttls', 'tls']))
    .addOption(new Option('--starttls', 'only STARTTLS targets (_xmpp-server)').conflicts(['tls']))
    .option('--no-tls', 'do not start TLS (shows whether the peer requires it)')
    .option('--ca <pem>', 'also trust the CA certificates in this PEM file (repeatable)', collect)
    .option('--insecure', 'certificate problems are reported as info, not errors')
    .option('--cert <pem>', 'present our certificate (PEM, leaf first) in the TLS handshake and try SASL EXTERNAL as --from; with --key')
    .option('--key <pem>', 'the private key of --cert (a file; never on the command line)')
    .option('--key-pass-file <path>', 'the passphrase of an encrypted --key, read from a file')
    .addOption(new Option('-4, --ipv4', 'only IPv4 addresses').conflicts('ipv6'))
    .option('-6, --ipv6', 'only IPv6 addresses')
    .option('--alias <domain>', 'also probe this chat node alias / subdomain, and check that our certificate covers it (repeatable)', collect)
    .option('--secret-file <path>', 'dialback secret of the authoritative server of --from (or XFED_DIALBACK_SECRET; never on the command line)')
    .option('--no-dialback', 'stop after TLS and the stream features')
    .option('--no-posh', 'do not fetch the peer\'s POSH file (RFC 7711, https://<peer>/.well-known/posh/xmpp-server.json)')
    .addOption(new Option('--dialback-timeout <ms>', 'how long to wait for the dialback answer').argParser(intOption('--dialback-timeout', 1, 600_000)))
    .addOption(new Option('--deadline <ms>', 'stop probing one peer after this long, whatever phase it is in (default: 4 × the longest phase timeout, e.g. 4 × --timeout)').argParser(intOption('--deadline', 1, 3_600_000)))
    .addOption(new Option('--expires-days <n>', 'a certificate expiring within n days is a warning').argParser(intOption('--expires-days', 0, 3650)).default(30))
    .option('--transcript [file]', 'write the XML exchange (both directions, timestamps, keys redacted) to a file, or stderr')
    .addOption(new Option('-c, --concurrency <n>', 'peers probed at once').argParser(intOption('--concurrency', 1, 256)).default(16))
    .addHelpText(
      'after',
      `
Examples:
  xfed probe partner.example
  xfed probe partner.example --from example.com --secret-file /etc/xfed/dialback.secret
  xfed probe partner.example --host 192.0.2.10 --no-dialback --json
  xfed probe partner.example --from example.com --cert /etc/ssl/xmpp.pem --key /etc/ssl/xmpp.key
  xfed probe partner.example -6 --alias conference.partner.example
  xfed probe --file partners.txt --from example.com --secret-file /etc/xfed/dialback.secret`,
    )
    .action(async (peers: string[], opts: Record<string, unknown>, cmd: Command) => {
      const { probeCommand } = await import('../commands/probe.js');
      process.exitCode = await probeCommand(peers, opts, cmd);
    });
  defineDialback(program);
}
