/**
 * What `xfed serve` needs before it listens: its modules (the built-in `dns`, `probe`,
 * `dialback`, `axl`, and the named ones of the config's `serve.modules`) and the secrets some
 * of them use, read once from the environment or files like doctor does (never from the config
 * itself). Everything that can be wrong here fails at start, with exit 2.
 */
import { UsageError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { parseServer } from '../axl/verify.js';
import { parseExpected } from '../axl/cpid.js';
import { InputError } from '../core/errors.js';
import { inConfigTerms } from '../cli/flags.js';
import { DnsClient } from '../dns/client.js';
import { readPemFile, readSecretFile } from '../inputs/index.js';
import { AXL_PASSWORD_ENV, DIALBACK_SECRET_ENV } from '../doctor/plan.js';
import type { DoctorConfig, ServeCheck, ServeModuleConfig } from '../doctor/config.js';

/** One module a scrape names with `module=`. */
export type ServeModule = ServeModuleConfig;

/** Checks in flight at once unless the config or --max-concurrent says otherwise. */
export const DEFAULT_MAX_CONCURRENT = 16;
/** The longest a check may take when neither the scrape nor the module says. */
export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

export interface ServeSetup {
  /** The config the modules come from (undefined: built-in modules with defaults). */
  config?: DoctorConfig;
  modules: Map<string, ServeModule>;
  /** Modules that exist but cannot run with this config, and why (a 400 names the reason). */
  unavailable: Map<string, string>;
  dns: { resolvers?: string[]; doh?: string; tcp: boolean; allowPrivate: boolean; client: boolean };
  probe: { ca?: string[]; insecure: boolean; dialback: boolean; expiryWarnDays: number };
  /** The dialback module: our domain and its XEP-0220 secret. */
  dialback?: { from: string; secret: string };
  axl?: { server: string; user: string; password: string; expect: string[]; ca?: string; caSource?: string; insecure: boolean; all: boolean };
  maxConcurrent: number;
}

const BUILTIN: ServeModule[] = (['dns', 'probe', 'dialback', 'axl'] as ServeCheck[]).map((check) => ({ name: check, check }));

/** The setup of a server from its config (or none); input errors are worded with the config keys. */
export async function resolveServe(config: DoctorConfig | undefined, env: NodeJS.ProcessEnv = process.env): Promise<ServeSetup> {
  try {
    return await resolve(config, env);
  } catch (e) {
    throw inConfigTerms(e);
  }
}

async function resolve(config: DoctorConfig | undefined, env: NodeJS.ProcessEnv): Promise<ServeSetup> {
  const setup: ServeSetup = {
    ...(config ? { config } : {}),
    modules: new Map(BUILTIN.map((m) => [m.name, m])),
    unavailable: new Map(),
    dns: config ? { ...config.dns } : { tcp: false, allowPrivate: false, client: false },
    probe: { insecure: config?.probe.insecure ?? false, dialback: config?.probe.dialback ?? true, expiryWarnDays: config?.probe.expiryWarnDays ?? 30 },
    maxConcurrent: config?.serve?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
  };
  // A bad resolver or DoH URL is refused now, not on every scrape.
  new DnsClient({ resolvers: setup.dns.resolvers, doh: setup.dns.doh, tcp: setup.dns.tcp }).close();
  for (const m of config?.serve?.modules ?? []) setup.modules.set(m.name, m);
  if (config?.probe.ca.length) setup.probe.ca = await Promise.all(config.probe.ca.map((f) => readPemFile(f, 'probe.ca')));

  let secret: string | undefined;
  if (config?.probe.secretFile) secret = await readSecretFile(config.probe.secretFile, 'probe.secret_file');
  else if (env[DIALBACK_SECRET_ENV]) secret = env[DIALBACK_SECRET_ENV];
  const from = config?.probe.from ?? config?.domains[0];
  if (secret && from) setup.dialback = { from, secret };
  else setup.unavailable.set('dialback', secret ? 'the dialback check needs our domain: set probe.from (or domains) in the config' : `the dialback check needs our dialback secret: set ${DIALBACK_SECRET_ENV} or probe.secret_file`);
  registerSecret(secret);

  const a = config?.axl;
  if (a) {
    parseServer(a.server);
    for (const x of a.expect) {
      const p = parseExpected(x);
      if (typeof p === 'string') throw new InputError('axl.expect', p, 'XFED_AXL_EXPECT_INVALID');
    }
    const password = a.passwordFile ? await readSecretFile(a.passwordFile, 'axl.password_file') : env[AXL_PASSWORD_ENV];
    if (!password) throw new UsageError(`axl: no password: set ${AXL_PASSWORD_ENV} or axl.password_file`, 'XFED_AXL_NO_PASSWORD');
    registerSecret(password);
    setup.axl = {
      server: a.server,
      user: a.user,
      password,
      expect: a.expect,
      ...(a.ca ? { ca: await readPemFile(a.ca, 'axl.ca'), caSource: a.ca } : {}),
      insecure: a.insecure,
      all: a.all,
    };
  } else {
    setup.unavailable.set('axl', 'the axl check needs an axl section (server, user) in the config');
  }
  // A named module is unavailable when its check is.
  for (const m of setup.modules.values()) {
    const why = setup.unavailable.get(m.check);
    if (why && m.name !== m.check) setup.unavailable.set(m.name, why);
  }
  return setup;
}
