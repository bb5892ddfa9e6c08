/**
 * The `xfed doctor` configuration file (YAML or JSON; JSON is read as YAML 1.2, of which
 * it is a subset, so both get line numbers). Validation walks the YAML syntax tree so that
 * every error names the key and its line: `config xfed.yaml line 7: partner: unknown key`.
 */
import { dirname, resolve } from 'node:path';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { FileReadError, InputError, UsageError } from '../core/errors.js';
import { readInput } from '../inputs/index.js';
import { domainProblem, parseDomain } from '../dns/names.js';

export const CONFIG_MAX_BYTES = 1024 * 1024;

export interface IgnoreEntry {
  /** A finding id; `*` matches any run of characters (`dns.xmpps.*`). */
  id: string;
  /** Why it is ignored (mandatory: CI reports show it). */
  reason: string;
  /** Only for this target (a domain, peer, AXL server); `*` allowed. */
  target?: string;
}

export interface DoctorConfig {
  /** The config file, for messages (undefined for the built-in demo). */
  file?: string;
  /** Our own XMPP domains (A-label form): DNS-checked and probed. */
  domains: string[];
  /** Partner domains we federate with: DNS-checked and probed. */
  partners: string[];
  /** Expressway-E hosts (host or host:port): each of our domains is probed on each of them, SRV bypassed. */
  expresswayE: Array<{ host: string; port?: number }>;
  dns: { resolvers?: string[]; doh?: string; tcp: boolean; allowPrivate: boolean; client: boolean; dnssec?: boolean };
  probe: {
    enabled: boolean;
    from?: string;
    secretFile?: string;
    ca: string[];
    insecure: boolean;
    dialback: boolean;
    /** Fetch each domain's POSH file (RFC 7711); default true. */
    posh?: boolean;
    expiryWarnDays: number;
    /** The overall deadline of the probe of one peer (ms); default 4 × its longest phase timeout. */
    deadline?: number;
    /** Our certificate and key (files), presented to partners for SASL EXTERNAL. */
    certFile?: string;
    keyFile?: string;
    keyPassFile?: string;
  };
  /** Chat node aliases and other subdomains, per domain (ours or a partner's): probed, and checked for certificate coverage. */
  aliases?: Record<string, string[]>;
  axl?: { server: string; user: string; passwordFile?: string; expect: string[]; ca?: string; insecure: boolean; all: boolean };
  logs: string[];
  rulesFile?: string;
  ignore: IgnoreEntry[];
  concurrency: number;
  timeouts: { dns?: number; probe?: number; dialback?: number; axl?: number; /** The whole run (ms). */ total?: number };
  /** `xfed serve` only (doctor ignores it): its named modules and its bound on checks in flight. */
  serve?: ServeSection;
}

/** The checks a `xfed serve` module runs. */
export const SERVE_CHECKS = ['dns', 'probe', 'dialback', 'axl'] as const;
export type ServeCheck = (typeof SERVE_CHECKS)[number];

/** One named module of `xfed serve` (`/probe?module=<name>`). */
export interface ServeModuleConfig {
  name: string;
  check: ServeCheck;
  /** probe/dialback: pin this host (and port) instead of SRV resolution, like `xfed probe --host`. */
  host?: string;
  port?: number;
  /** The longest the check may take (ms); the scrape timeout shortens it. */
  timeout?: number;
  insecure?: boolean;
  /** probe: run dialback with a random key (default true). */
  dialback?: boolean;
}

export interface ServeSection {
  maxConcurrent?: number;
  modules: ServeModuleConfig[];
}

// ---- a small schema for the syntax-tree walk -------------------------------------------------

type Spec =
  | { t: 'string'; check?: (v: string) => string | undefined }
  | { t: 'bool' }
  | { t: 'int'; min: number; max: number }
  | { t: 'list'; of: Spec; /** a single value is accepted as a one-element list */ single?: boolean }
  | { t: 'map'; keys: Record<string, Spec>; required?: string[]; forbidden?: Record<string, string> };

const str = (check?: (v: string) => string | undefined): Spec => ({ t: 'string', ...(check ? { check } : {}) });
const bool: Spec = { t: 'bool' };
const int = (min: number, max: number): Spec => ({ t: 'int', min, max });
const list = (of: Spec): Spec => ({ t: 'list', of, single: true });
const ms = int(1, 600_000);

const domainCheck = (v: string) => domainProblem(v);
const idCheck = (v: string) => (/^[a-z0-9*][a-z0-9*._-]*$/i.test(v) ? undefined : 'not a finding id (letters, digits, dots, dashes, * wildcards)');
const hostCheck = (v: string) => {
  const m = /^(\[[0-9a-f:.]+\]|[^\s:/[\]]+)(?::(\d{1,5}))?$/i.exec(v);
  if (!m) return 'expected host or host:port';
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65_535)) return 'port must be 1-65535';
  return undefined;
};

const moduleNameCheck = (v: string) => (/^[a-z][a-z0-9_-]{0,62}$/i.test(v) ? undefined : 'a module name is a letter, then letters, digits, _ or - (at most 63)');
const serveCheckCheck = (v: string) => ((SERVE_CHECKS as readonly string[]).includes(v) ? undefined : `not a check: one of ${SERVE_CHECKS.join(', ')}`);
const hostOnlyCheck = (v: string) => (/^(\[[0-9a-f:.]+\]|[^\s:/[\]@?#]+|[0-9a-f:]+)$/i.test(v) ? undefined : 'expected a host name or address (the port goes in "port")');

const PASSWORD_MSG = 'passwords never go in the config file: set XFED_AXL_PASSWORD or use axl.password_file';
const SECRET_MSG = 'the dialback secret never goes in the config file: set XFED_DIALBACK_SECRET or use probe.secret_file';

export const CONFIG_SPEC: Spec = {
  t: 'map',
  keys: {
    domains: list(str(domainCheck)),
    partners: list(str(domainCheck)),
    expressway_e: list(str(hostCheck)),
    dns: {
      t: 'map',
      keys: { resolvers: list(str()), doh: str(), tcp: bool, allow_private: bool, client: bool, dnssec: bool },
    },
    probe: {
      t: 'map',
      keys: {
        enabled: bool,
        from: str(domainCheck),
        secret_file: str(),
        ca: list(str()),
        insecure: bool,
        dialback: bool,
        posh: bool,
        expiry_warn_days: int(0, 3650),
        deadline: int(1, 3_600_000),
        cert_file: str(),
        key_file: str(),
        key_pass_file: str(),
      },
      forbidden: { secret: SECRET_MSG, dialback_secret: SECRET_MSG },
    },
    axl: {
      t: 'map',
      keys: { server: str(), user: str(), password_file: str(), expect: list(str()), ca: str(), insecure: bool, all: bool },
      required: ['server', 'user'],
      forbidden: { password: PASSWORD_MSG, passwd: PASSWORD_MSG },
    },
    aliases: {
      t: 'list',
      of: { t: 'map', keys: { domain: str(domainCheck), names: list(str(domainCheck)) }, required: ['domain', 'names'] },
    },
    logs: list(str()),
    rules_file: str(),
    ignore: {
      t: 'list',
      of: { t: 'map', keys: { id: str(idCheck), reason: str(), target: str() }, required: ['id', 'reason'] },
    },
    concurrency: int(1, 1024),
    timeouts: { t: 'map', keys: { dns: ms, probe: ms, dialback: ms, axl: ms, total: int(1000, 86_400_000) } },
    serve: {
      t: 'map',
      keys: {
        max_concurrent: int(1, 1024),
        modules: {
          t: 'list',
          of: {
            t: 'map',
            keys: { name: str(moduleNameCheck), check: str(serveCheckCheck), host: str(hostOnlyCheck), port: int(1, 65_535), timeout: ms, insecure: bool, dialback: bool },
            required: ['name', 'check'],
          },
        },
      },
    },
  },
};

/** `aliases: [{ domain, names }]` as a map from the domain (A-label) to its aliases. */
function aliasMap(list: Array<{ domain: string; names: string[] }>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of list) {
    const d = parseDomain(e.domain).ascii;
    out[d] = unique([...(out[d] ?? []), ...e.names.map((n) => parseDomain(n).ascii)]);
  }
  return out;
}

/** A key as shown in a message: at most 64 characters, one line. */
function shorten(key: string): string {
  const oneLine = JSON.stringify(key).slice(1, -1);
  return oneLine.length > 64 ? `${oneLine.slice(0, 40)}…(${key.length} characters)` : oneLine;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

class Walker {
  constructor(
    private readonly where: string,
    private readonly lc: LineCounter,
  ) {}

  fail(node: Node | null | undefined, path: string, msg: string): never {
    const line = node?.range ? this.lc.linePos(node.range[0]).line : undefined;
    throw new UsageError(`${this.where}${line ? ` line ${line}` : ''}: ${path ? `${path}: ` : ''}${msg}`, 'XFED_CONFIG');
  }

  walk(node: unknown, spec: Spec, path: string): unknown {
    const n = node as Node | null;
    if (isAlias(n)) this.fail(n, path, 'YAML aliases (*name) are not allowed in the config');
    const kind = (x: unknown) => (isMap(x) ? 'a mapping' : isSeq(x) ? 'a list' : isScalar(x) ? (x.value === null ? 'empty' : `${typeof x.value} ${JSON.stringify(x.value)}`) : 'empty');
    switch (spec.t) {
      case 'string': {
        if (!isScalar(n) || typeof n.value !== 'string' || n.value.trim() === '') {
          // Numbers and booleans written where text is expected (e.g. a host "10.0.0.1:8443") stay errors: YAML typed them.
          this.fail(n, path, `expected text, got ${kind(n)}`);
        }
        const v = (n.value as string).trim();
        const p = spec.check?.(v);
        if (p) this.fail(n, path, `${JSON.stringify(v)}: ${p}`);
        return v;
      }
      case 'bool':
        if (!isScalar(n) || typeof n.value !== 'boolean') this.fail(n, path, `expected true or false, got ${kind(n)}`);
        return n.value;
      case 'int':
        if (!isScalar(n) || typeof n.value !== 'number' || !Number.isInteger(n.value)) this.fail(n, path, `expected a whole number, got ${kind(n)}`);
        if ((n.value as number) < spec.min || (n.value as number) > spec.max) this.fail(n, path, `must be between ${spec.min} and ${spec.max}`);
        return n.value;
      case 'list': {
        if (!isSeq(n)) {
          if (spec.single && isScalar(n) && n.value !== null) return [this.walk(n, spec.of, path)];
          if (isScalar(n) && n.value === null) return [];
          this.fail(n, path, `expected a list, got ${kind(n)}`);
        }
        return n.items.map((item, i) => this.walk(item, spec.of, `${path}[${i}]`));
      }
      case 'map': {
        if (isScalar(n) && n.value === null) return {};
        if (!isMap(n)) this.fail(n, path, `expected a mapping (key: value), got ${kind(n)}`);
        const out: Record<string, unknown> = {};
        for (const pair of n.items) {
          const keyNode = pair.key as Node;
          if (isAlias(keyNode) || isAlias(pair.value)) this.fail(keyNode ?? n, path, 'YAML aliases (*name) are not allowed in the config');
          const key = isScalar(keyNode) ? String(keyNode.value) : '';
          const kp = path ? `${path}.${shorten(key)}` : shorten(key);
          if (spec.forbidden && Object.hasOwn(spec.forbidden, key)) this.fail(keyNode, kp, spec.forbidden[key]!);
          const sub = Object.hasOwn(spec.keys, key) ? spec.keys[key] : undefined;
          if (!sub) {
            // Only keys of about the same length can be near: a 1 MB key costs nothing.
            const near = Object.keys(spec.keys).filter((k) => Math.abs(k.length - key.length) <= 2 && distance(k, key) <= 2);
            this.fail(keyNode, kp, `unknown key${near.length ? ` (did you mean "${near[0]}"?)` : `; known keys here: ${Object.keys(spec.keys).join(', ')}`}`);
          }
          if (key in out) this.fail(keyNode, kp, 'given twice');
          out[key] = this.walk(pair.value, sub, kp);
        }
        for (const r of spec.required ?? []) if (!(r in out)) this.fail(n, path, `"${r}" is required here`);
        return out;
      }
    }
  }
}

/** Parses and validates config text. `file` names it in errors; relative paths are resolved against its directory. */
export function parseConfig(text: string, file: string, opts: LoadOptions = {}): DoctorConfig {
  const where = `config ${file}`;
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = lc.linePos(e.pos[0]).line;
    throw new UsageError(`${where} line ${line}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, 'XFED_CONFIG_YAML');
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) throw new UsageError(`${where}: the file is empty (run "xfed init" for a starter config)`, 'XFED_CONFIG_EMPTY');
  const w = new Walker(where, lc);
  const raw = w.walk(doc.contents, CONFIG_SPEC, '') as Record<string, any>;
  const base = dirname(resolve(file));
  const path = (p: string | undefined) => (p === undefined ? undefined : resolve(base, p));
  const dnsRaw = raw.dns ?? {};
  const probeRaw = raw.probe ?? {};
  if (dnsRaw.doh && dnsRaw.resolvers?.length) throw new UsageError(`${where}: dns: use either resolvers or doh, not both`, 'XFED_CONFIG');

  const cfg: DoctorConfig = {
    file,
    domains: unique((raw.domains ?? []).map((d: string) => parseDomain(d).ascii)),
    partners: unique((raw.partners ?? []).map((d: string) => parseDomain(d).ascii)),
    expresswayE: (raw.expressway_e ?? []).map(splitHost),
    dns: {
      ...(dnsRaw.resolvers ? { resolvers: dnsRaw.resolvers } : {}),
      ...(dnsRaw.doh ? { doh: dnsRaw.doh } : {}),
      tcp: Boolean(dnsRaw.tcp),
      allowPrivate: Boolean(dnsRaw.allow_private),
      client: Boolean(dnsRaw.client),
      ...(dnsRaw.dnssec ? { dnssec: true } : {}),
    },
    probe: {
      enabled: probeRaw.enabled !== false,
      ...(probeRaw.from ? { from: parseDomain(probeRaw.from).ascii } : {}),
      ...(probeRaw.secret_file ? { secretFile: path(probeRaw.secret_file)! } : {}),
      ca: (probeRaw.ca ?? []).map((p: string) => path(p)!),
      insecure: Boolean(probeRaw.insecure),
      dialback: probeRaw.dialback !== false,
      posh: probeRaw.posh !== false,
      expiryWarnDays: probeRaw.expiry_warn_days ?? 30,
      ...(probeRaw.deadline !== undefined ? { deadline: probeRaw.deadline } : {}),
      ...(probeRaw.cert_file ? { certFile: path(probeRaw.cert_file)! } : {}),
      ...(probeRaw.key_file ? { keyFile: path(probeRaw.key_file)! } : {}),
      ...(probeRaw.key_pass_file ? { keyPassFile: path(probeRaw.key_pass_file)! } : {}),
    },
    aliases: aliasMap(raw.aliases ?? []),
    logs: (raw.logs ?? []).map((p: string) => path(p)!),
    ignore: raw.ignore ?? [],
    concurrency: raw.concurrency ?? 16,
    timeouts: raw.timeouts ?? {},
  };
  if (raw.rules_file) cfg.rulesFile = path(raw.rules_file)!;
  if (raw.serve) cfg.serve = serveSection(where, raw.serve);
  if (raw.axl) {
    const a = raw.axl;
    cfg.axl = {
      server: a.server,
      user: a.user,
      ...(a.password_file ? { passwordFile: path(a.password_file)! } : {}),
      expect: a.expect ?? [],
      ...(a.ca ? { ca: path(a.ca)! } : {}),
      insecure: Boolean(a.insecure),
      all: Boolean(a.all),
    };
  }
  if (opts.requireChecks !== false && !cfg.domains.length && !cfg.partners.length && !cfg.axl && !cfg.logs.length) {
    throw new UsageError(`${where}: nothing to check: give domains, partners, axl or logs`, 'XFED_CONFIG');
  }
  return cfg;
}

function serveSection(where: string, raw: Record<string, any>): ServeSection {
  const modules: ServeModuleConfig[] = (raw.modules ?? []).map((m: Record<string, any>) => ({ ...m, ...(m.host ? { host: String(m.host).replace(/^\[|\]$/g, '') } : {}) }));
  const seen = new Set<string>();
  for (const m of modules) {
    if (seen.has(m.name)) throw new UsageError(`${where}: serve.modules: the name "${m.name}" is given twice`, 'XFED_CONFIG');
    seen.add(m.name);
    if ((m.host || m.port || m.dialback !== undefined) && (m.check === 'dns' || m.check === 'axl')) {
      throw new UsageError(`${where}: serve.modules: ${m.name}: host, port and dialback are for the probe and dialback checks`, 'XFED_CONFIG');
    }
  }
  return { ...(raw.max_concurrent !== undefined ? { maxConcurrent: raw.max_concurrent } : {}), modules };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function splitHost(spec: string): { host: string; port?: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec)!;
  const host = m[1]!.replace(/^\[|\]$/g, '');
  return m[2] ? { host, port: Number(m[2]) } : { host };
}

export interface LoadOptions {
  /** Refuse a config that checks nothing (default true; `xfed serve` takes its targets from the scrapes). */
  requireChecks?: boolean;
}

/** Reads and validates a config file; every problem is a UsageError (exit 2) naming the file. */
export async function loadConfig(file: string, opts: LoadOptions = {}): Promise<DoctorConfig> {
  let text: string;
  try {
    text = (await readInput(file, { field: 'config', maxBytes: CONFIG_MAX_BYTES })).toString('utf8');
  } catch (e) {
    if (e instanceof FileReadError && e.errno === 'ENOENT') throw new UsageError(`config ${file}: no such file (run "xfed init" to write a starter config)`, e.code);
    if (e instanceof InputError) throw new UsageError(e.message, e.code);
    throw e;
  }
  return parseConfig(text, file, opts);
}
