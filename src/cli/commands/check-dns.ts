import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { DnsClient } from '../../dns/client.js';
import { forEachDomain, type DnsFacts } from '../../dns/check.js';
import { startProgress } from '../../report/progress.js';
import { dnsSection } from '../../report/sections/check-dns.js';
import { readDomainArgs } from '../inputs.js';
import { globalOptions } from '../run.js';
import { streamRun } from '../stream.js';

interface CheckDnsCliOptions {
  file?: string;
  resolver?: string[];
  doh?: string;
  tcp?: boolean;
  concurrency: number;
  client?: boolean;
  allowPrivate?: boolean;
  dnssec?: boolean;
}

export async function checkDnsCommand(args: string[], raw: Record<string, unknown>, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  const opts = raw as unknown as CheckDnsCliOptions;
  const startedAt = new Date();
  const domains = await readDomainArgs(args, opts.file);
  if (opts.doh && opts.resolver?.length) throw new UsageError('use either --resolver or --doh, not both');
  if (opts.doh && opts.tcp) throw new UsageError('--tcp does not apply to --doh');
  const client = new DnsClient({ resolvers: opts.resolver, doh: opts.doh, tcp: opts.tcp, timeout: g.timeout ?? 5000 });
  const progress = await startProgress('Checking DNS', domains.length > 3 && !g.quiet, g.color);
  const options = {
    resolver: client.describe(),
    transport: opts.doh ? 'doh' : opts.tcp ? 'tcp' : 'udp',
    timeoutMs: client.timeout,
    client: Boolean(opts.client),
    allowPrivate: Boolean(opts.allowPrivate),
    ...(opts.dnssec ? { dnssec: true } : {}),
    strict: g.strict,
  };
  // Each domain is written as soon as it and the ones before it are done; Ctrl-C reports those done.
  const report = await streamRun<{ dns: DnsFacts }>('check-dns', options, domains.length, startedAt, g, {
    section: dnsSection,
    before: () => progress.stop(),
    beforeStdout: () => progress.clear(),
  });
  try {
    await forEachDomain(
      domains,
      { client, includeClient: Boolean(opts.client), allowPrivate: Boolean(opts.allowPrivate), dnssec: Boolean(opts.dnssec), concurrency: opts.concurrency, onProgress: (done, total) => progress.update(done, total) },
      (t, i) => report.add(i, t),
    );
    progress.stop();
    return await report.finish();
  } catch (e) {
    await report.abort(e);
    throw e;
  } finally {
    progress.stop();
    client.close();
  }
}
