/**
 * One scrape's check: a module (what to run) on a target (whom), through the commands' own
 * observe/evaluate cores (checkDomain, probePeer, axlVerify). Nothing here prints or throws
 * for a network reason: that becomes findings, as in the commands.
 */
import { isIP } from '../core/ip.js';
import type { TargetResult } from '../core/result.js';
import { checkDomain } from '../dns/check.js';
import { DnsClient } from '../dns/client.js';
import { domainProblem, parseDomain } from '../dns/names.js';
import { probePeer } from '../probe/probe.js';
import { DEFAULT_FROM_DIALBACK_MS, DEFAULT_TIMEOUTS, type ProbeOptions } from '../probe/types.js';
import { axlVerify, parseServer } from '../axl/verify.js';
import type { ServeModule, ServeSetup } from './setup.js';

/** Why a target cannot be checked by this module (the one line of a 400), or undefined. */
export function targetProblem(mod: ServeModule, target: string, setup: ServeSetup): string | undefined {
  if (mod.check === 'axl') {
    // The AXL password only ever goes to the configured IM&P node: a scrape cannot send it elsewhere.
    if (!setup.axl || sameServer(target, setup.axl.server)) return undefined;
    return 'target is not the configured AXL server (axl.server)';
  }
  if (target.length > 253) return 'target is not a domain (longer than 253 characters)';
  const p = domainProblem(target);
  return p ? `target is not a domain: ${p}` : undefined;
}

function sameServer(a: string, b: string): boolean {
  try {
    const [x, y] = [parseServer(a), parseServer(b)];
    return `${x.origin}${x.path}`.toLowerCase() === `${y.origin}${y.path}`.toLowerCase();
  } catch {
    return false;
  }
}

/** The check's own budget: the scrape's, cut by the module's timeout. */
export function checkBudget(mod: ServeModule, scrapeMs: number | undefined, dflt: number): number {
  const limits = [scrapeMs ?? dflt, mod.timeout ?? Number.POSITIVE_INFINITY];
  return Math.max(100, Math.floor(Math.min(...limits)));
}

/** Runs one module on one target within `budgetMs` (the cores' own timeouts and deadline). */
export async function runModule(mod: ServeModule, target: string, setup: ServeSetup, budgetMs: number): Promise<TargetResult> {
  switch (mod.check) {
    case 'dns': {
      const client = new DnsClient({ resolvers: setup.dns.resolvers, doh: setup.dns.doh, tcp: setup.dns.tcp, timeout: Math.min(DEFAULT_TIMEOUTS.dns, budgetMs) });
      try {
        return await checkDomain(parseDomain(target), { client, includeClient: setup.dns.client, allowPrivate: setup.dns.allowPrivate });
      } finally {
        client.close();
      }
    }
    case 'probe':
    case 'dialback':
      return probePeer(probeOptions(mod, target, setup, budgetMs));
    case 'axl': {
      const a = setup.axl!;
      return axlVerify({
        server: a.server,
        user: a.user,
        password: a.password,
        expect: a.expect,
        ...(a.ca ? { ca: a.ca, caSource: a.caSource } : {}),
        insecure: mod.insecure ?? a.insecure,
        all: a.all,
        timeoutMs: budgetMs,
        throttleRetryMs: Math.min(500, Math.floor(budgetMs / 4)),
      });
    }
  }
}

/** The probe of a probe or dialback module: every phase and the whole probe inside the budget. */
export function probeOptions(mod: ServeModule, target: string, setup: ServeSetup, budgetMs: number): ProbeOptions {
  const cap = (ms: number) => Math.min(ms, budgetMs);
  const withSecret = mod.check === 'dialback' ? setup.dialback : undefined;
  const peer = parseDomain(target).ascii;
  return {
    peer,
    ...(withSecret ? { from: withSecret.from, secret: withSecret.secret } : {}),
    ...(mod.host ? { host: mod.host } : {}),
    ...(mod.port ? { port: mod.port } : {}),
    ...(setup.probe.ca ? { ca: setup.probe.ca } : {}),
    insecure: mod.insecure ?? setup.probe.insecure,
    dialback: mod.check === 'dialback' ? true : (mod.dialback ?? setup.probe.dialback),
    timeouts: {
      dns: cap(DEFAULT_TIMEOUTS.dns),
      tcp: cap(DEFAULT_TIMEOUTS.tcp),
      stream: cap(DEFAULT_TIMEOUTS.stream),
      tls: cap(DEFAULT_TIMEOUTS.tls),
      dialback: cap(withSecret ? DEFAULT_TIMEOUTS.dialback : DEFAULT_FROM_DIALBACK_MS),
    },
    deadline: budgetMs,
    // One session per scrape, as a federating server opens: the extra handshakes (no SNI, TLS 1.2 at
    // most, TLS 1.0/1.1) are for probe and doctor, not for every scrape of a partner's server.
    handshakes: false,
    expiresSoonDays: setup.probe.expiryWarnDays,
    ...(mod.host && isIP(mod.host) ? {} : { resolvers: setup.dns.resolvers, doh: setup.dns.doh, dnsTcp: setup.dns.tcp }),
  };
}
