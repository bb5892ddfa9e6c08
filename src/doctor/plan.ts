/**
 * From a validated config to everything a doctor run needs: secrets (from the environment or
 * files, never from the config itself), CA certificates, and checked log paths. Everything
 * that can be wrong with the input fails here, before any network work, with exit 2.
 */
import { InputError, UsageError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { parseExpected } from '../axl/cpid.js';
import { parseServer } from '../axl/verify.js';
import { inConfigTerms } from '../cli/flags.js';
import { loadRules } from '../diagnose/index.js';
import { DnsClient } from '../dns/client.js';
import { checkKind, readCertKey, readError, readPemFile, readSecretFile, type CertKey } from '../inputs/index.js';
import { statSync } from 'node:fs';
import type { DoctorConfig } from './config.js';

export const AXL_PASSWORD_ENV = 'XFED_AXL_PASSWORD';
export const DIALBACK_SECRET_ENV = 'XFED_DIALBACK_SECRET';

export interface DoctorPlan {
  config: DoctorConfig;
  /** The dialback secret of our domain (XEP-0220), if any. */
  secret?: string;
  /** PEM texts of the probe's extra CAs. */
  probeCa?: string[];
  /** Our certificate and key (probe.cert_file, probe.key_file). */
  probeCert?: CertKey;
  axl?: { password: string; ca?: string };
}

/** Everything a doctor run needs from its config; input errors are worded with the config keys (exit 2). */
export async function resolvePlan(config: DoctorConfig, env: NodeJS.ProcessEnv = process.env): Promise<DoctorPlan> {
  try {
    return await resolve(config, env);
  } catch (e) {
    throw inConfigTerms(e);
  }
}

async function resolve(config: DoctorConfig, env: NodeJS.ProcessEnv): Promise<DoctorPlan> {
  const plan: DoctorPlan = { config };
  if (config.domains.length || config.partners.length) {
    // Refuses a bad resolver or DoH URL now (exit 2), not as a finding on every domain.
    // The DNS client throws InputErrors of dns.doh / dns.resolver, worded here with the config keys.
    new DnsClient({ resolvers: config.dns.resolvers, doh: config.dns.doh, tcp: config.dns.tcp }).close();
  }
  const p = config.probe;
  if (p.enabled && (config.domains.length || config.partners.length)) {
    if (p.secretFile) plan.secret = await readSecretFile(p.secretFile, 'probe.secret_file');
    else if (env[DIALBACK_SECRET_ENV]) plan.secret = env[DIALBACK_SECRET_ENV];
    // Our domain is the natural dialback originating domain, whichever way the secret came.
    if (plan.secret && !p.from && config.domains.length) p.from = config.domains[0]!;
    if (plan.secret && !p.from) throw new UsageError('probe: a dialback secret needs probe.from (or domains) to say whose secret it is', 'XFED_CONFIG');
    if (p.ca.length) plan.probeCa = await Promise.all(p.ca.map((f) => readPemFile(f, 'probe.ca')));
    if (Boolean(p.certFile) !== Boolean(p.keyFile)) throw new UsageError(p.certFile ? 'probe.cert_file needs probe.key_file' : 'probe.key_file needs probe.cert_file', 'XFED_CONFIG');
    if (p.certFile && p.keyFile) {
      plan.probeCert = await readCertKey({ cert: p.certFile, key: p.keyFile, pass: p.keyPassFile }, { cert: 'probe.cert_file', key: 'probe.key_file', pass: 'probe.key_pass_file' });
      registerSecret(plan.probeCert.passphrase);
    }
  }
  if (config.axl) {
    const a = config.axl;
    // The same checks axl-verify makes on its options, now, as config errors: InputErrors named
    // by the config keys (axl.server, axl.expect).
    parseServer(a.server);
    for (const x of a.expect) {
      const p = parseExpected(x);
      if (typeof p === 'string') throw new InputError('axl.expect', p, 'XFED_AXL_EXPECT_INVALID');
    }
    let password: string | undefined;
    if (a.passwordFile) password = await readSecretFile(a.passwordFile, 'axl.password_file');
    else password = env[AXL_PASSWORD_ENV];
    if (!password) throw new UsageError(`axl: no password: set ${AXL_PASSWORD_ENV} or axl.password_file`, 'XFED_AXL_NO_PASSWORD');
    plan.axl = { password, ...(a.ca ? { ca: await readPemFile(a.ca, 'axl.ca') } : {}) };
  }
  registerSecret(plan.secret);
  registerSecret(plan.axl?.password);
  for (const l of config.logs) {
    let st;
    try {
      st = statSync(l);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`logs: ${l}: no such file or directory`, 'XFED_FILE_UNREADABLE');
      throw readError('logs', l, e);
    }
    // Sockets and devices are refused now; a pipe is read (once a writer is there) by the diagnose check.
    if (!st.isDirectory()) checkKind('logs', l, st);
  }
  if (config.rulesFile) await loadRules(config.rulesFile);
  return plan;
}
