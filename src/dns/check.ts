/**
 * `xfed check-dns`: collects what DNS says about a domain's federation records
 * (observe.ts: DNS questions -> plain facts), then turns them into findings
 * (evaluate.ts: pure, unit-tested from recorded facts).
 */
import { targetResult, type TargetResult } from '../core/result.js';
import { mapPool } from '../core/pool.js';
import type { DnsClient } from './client.js';
import type { DomainName } from './names.js';
import { observeDns } from './observe.js';
import { evaluateDns } from './evaluate.js';
import type { DnsFacts, OptionNames } from './facts.js';

export type { AddressInfo, DnsFacts, DnsSection, EvaluateDnsOptions, OptionNames, QueryLog, ServiceInfo, SrvEntry } from './facts.js';
export { CLI_OPTION_NAMES, CONFIG_OPTION_NAMES } from './facts.js';
export { evaluateDns, LOCAL_RCODE } from './evaluate.js';
export { observeDns } from './observe.js';
/** The former name of observeDns. */
export const observeDomain = observeDns;

export interface CheckDnsOptions {
  client: DnsClient;
  includeClient?: boolean;
  allowPrivate?: boolean;
  /** An unsigned zone is a warning. */
  dnssec?: boolean;
  /** How findings name the options (default: the CLI's flags; doctor passes CONFIG_OPTION_NAMES). */
  optionNames?: Partial<OptionNames>;
}

/** Observes and evaluates one domain. */
export async function checkDomain(domain: DomainName, opts: CheckDnsOptions): Promise<TargetResult<{ dns: DnsFacts }>> {
  const t0 = performance.now();
  const facts = await observeDns(domain, opts);
  const findings = evaluateDns(facts, opts);
  return targetResult(domain.ascii, findings, { dns: facts }, {
    display: domain.unicode,
    timings: { dns: Math.round((performance.now() - t0) * 10) / 10 },
  });
}

/** Checks many domains with bounded concurrency; results keep the input order. */
export async function checkDomains(
  domains: DomainName[],
  opts: CheckDnsOptions & { concurrency?: number; onProgress?: (done: number, total: number) => void },
): Promise<TargetResult<{ dns: DnsFacts }>[]> {
  return mapPool(domains, opts.concurrency ?? 64, (d) => checkDomain(d, opts), opts.onProgress);
}

/**
 * Checks many domains with bounded concurrency and hands each result to `onTarget` as it is
 * done (with its index in `domains`), keeping none: for runs of thousands of domains.
 */
export async function forEachDomain(
  domains: DomainName[],
  opts: CheckDnsOptions & { concurrency?: number; onProgress?: (done: number, total: number) => void },
  onTarget: (t: TargetResult<{ dns: DnsFacts }>, index: number) => void,
): Promise<void> {
  await mapPool(domains, opts.concurrency ?? 64, async (d, i) => void onTarget(await checkDomain(d, opts), i), opts.onProgress);
}
