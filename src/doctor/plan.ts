/**
 * From a validated config to everything a doctor run needs: secrets (from the environment or
 * files, never from the config itself), CA certificates, and checked log paths. Everything
 * that can be wrong with the input fails here, before any network work, with exit 2.
 */
import { readFile, stat } from 'node:fs/promises';
import { InputError, UsageError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { parseExpected } from '../axl/cpid.js';
import { parseServer } from '../axl/verify.js';
import { loadRules } from '../diagnose/index.js';
import { DnsClient } from '../dns/client.js';
import type { DoctorConfig } from './config.js';

export const AXL_PASSWORD_ENV = 'XFED_AXL_PASSWORD';
export const DIALBACK_SECRET_ENV = 'XFED_DIALBACK_SECRET';

export interface DoctorPlan {
  config: DoctorConfig;
  /** The dialback secret of our domain (XEP-0220), if any. */
  secret?: string;
  /** PEM texts of the probe's extra CAs. */
  probeCa?: string[];
  axl?: { password: string; ca?: string };
}

async function readText(what: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${what} ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}`);
  }
}

async function readPem(what: string, file: string): Promise<string> {
  const text = await readText(what, file);
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`${what} ${file}: holds no PEM certificate`);
  return text;
}

/** Reads a secret as `probe --secret-file` does: the whole file without one trailing line ending. */
async function readSecretFile(what: string, file: string): Promise<string> {
  const v = (await readText(what, file)).replace(/\r?\n$/, '');
  if (!v) throw new UsageError(`${what} ${file}: the file is empty`);
  return v;
}

export async function resolvePlan(config: DoctorConfig, env: NodeJS.ProcessEnv = process.env): Promise<DoctorPlan> {
  const plan: DoctorPlan = { config };
  if (config.domains.length || config.partners.length) {
    // Refuses a bad resolver or DoH URL now (exit 2), not as a finding on every domain.
    try {
      new DnsClient({ resolvers: config.dns.resolvers, doh: config.dns.doh, tcp: config.dns.tcp }).close();
    } catch (e) {
      // The DNS client names the config field itself (dns.doh, dns.resolver): no flag to rewrite.
      if (e instanceof InputError) throw new UsageError(e.worded((field) => field), e.code);
      throw e;
    }
  }
  const p = config.probe;
  if (p.enabled && (config.domains.length || config.partners.length)) {
    if (p.secretFile) plan.secret = await readSecretFile('probe.secret_file', p.secretFile);
    else if (env[DIALBACK_SECRET_ENV]) plan.secret = env[DIALBACK_SECRET_ENV];
    // Our domain is the natural dialback originating domain, whichever way the secret came.
    if (plan.secret && !p.from && config.domains.length) p.from = config.domains[0];
    if (plan.secret && !p.from) throw new UsageError('probe: a dialback secret needs probe.from (or domains) to say whose secret it is');
    if (p.ca.length) plan.probeCa = await Promise.all(p.ca.map((f) => readPem('probe.ca', f)));
  }
  if (config.axl) {
    const a = config.axl;
    // The same checks axl-verify makes on its options, now, as config errors.
    try {
      parseServer(a.server);
    } catch (e) {
      throw new UsageError(`axl.server: ${(e as Error).message.replace(/^--server /, '')}`);
    }
    for (const x of a.expect) {
      const p = parseExpected(x);
      if (typeof p === 'string') throw new UsageError(`axl.expect: ${p.replace(/^--expect /, '')}`);
    }
    let password: string | undefined;
    if (a.passwordFile) password = await readSecretFile('axl.password_file', a.passwordFile);
    else password = env[AXL_PASSWORD_ENV];
    if (!password) throw new UsageError(`axl: no password: set ${AXL_PASSWORD_ENV} or axl.password_file`);
    plan.axl = { password, ...(a.ca ? { ca: await readPem('axl.ca', a.ca) } : {}) };
  }
  registerSecret(plan.secret);
  registerSecret(plan.axl?.password);
  for (const l of config.logs) {
    try {
      await stat(l);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`logs: ${l}: ${code === 'ENOENT' ? 'no such file or directory' : (code ?? (e as Error).message)}`);
    }
  }
  if (config.rulesFile) await loadRules(config.rulesFile);
  return plan;
}
