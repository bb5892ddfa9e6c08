import { Option, type Command } from 'commander';
import { collect, intOption } from '../options.js';

export function defineCheckDns(program: Command): void {
  program
    .command('check-dns')
    .description('check the DNS records XMPP federation needs (_xmpp-server / _xmpps-server SRV, targets, addresses)')
    .argument('[domain...]', 'domains to check (Unicode or A-label form)')
    .option('-f, --file <path>', 'read domains from a file, one a line ("-" for stdin; # comments)')
    .option('-r, --resolver <ip[:port]>', 'ask this DNS server (repeatable; default: the system resolvers)', collect)
    .option('--doh <url>', 'ask a DNS-over-HTTPS server (RFC 8484) instead')
    .option('--tcp', 'query over TCP instead of UDP')
    .addOption(new Option('-c, --concurrency <n>', 'domains checked at once').argParser(intOption('--concurrency', 1, 1024)).default(64))
    .option('--client', 'also check the client records (_xmpp-client / _xmpps-client)')
    .option('--allow-private', 'private, loopback or link-local targets are info, not errors (lab or private federation)')
    .option('--dnssec', 'DNSSEC is expected: an unsigned zone is a warning, not info')
    .option('--strict', 'exit 1 on warnings too')
    .addHelpText(
      'after',
      `
Examples:
  xfed check-dns example.com partner.example
  xfed check-dns --file domains.txt --json > dns.json
  xfed check-dns --resolver 9.9.9.9 --client bücher.example`,
    )
    .action(async (domains: string[], opts: Record<string, unknown>, cmd: Command) => {
      const { checkDnsCommand } = await import('../commands/check-dns.js');
      process.exitCode = await checkDnsCommand(domains, opts, cmd);
    });
}
