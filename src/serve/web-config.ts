/**
 * The listener's web config file, after the Prometheus exporter-toolkit convention
 * (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md):
 *
 *   tls_server_config:
 *     cert_file: server.crt      # relative paths: against this file's directory
 *     key_file: server.key
 *   basic_auth_users:
 *     prometheus: $2y$10$...     # bcrypt hashes (htpasswd -nbBC 10 "" pw | tr -d ':\n')
 *
 * Only these keys are understood; any other key is refused (never silently ignored), so a
 * setting such as client_auth_type cannot look applied when it is not. bcrypt comes from
 * bcryptjs (pure JavaScript, no install script, no dependency). A successful check is cached
 * (by a SHA-256 of user, password and hash) so a scrape every 15 s does not pay bcrypt each time.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import bcrypt from 'bcryptjs';
import { isMap, parseDocument } from 'yaml';
import { UsageError } from '../core/errors.js';
import { readPemFile, readSecretFile, readText } from '../inputs/index.js';

export interface WebConfig {
  tls?: { cert: string; key: string };
  /** user -> bcrypt hash */
  users?: Map<string, string>;
}

const BCRYPT = /^\$2[aby]?\$\d\d\$[./A-Za-z0-9]{53}$/;
const TLS_KEYS = ['cert_file', 'key_file'];

/** Reads and validates a web config file; every problem is a UsageError (exit 2) naming the file and key. */
export async function loadWebConfig(file: string): Promise<WebConfig> {
  const where = `web config ${file}`;
  const text = await readText(file, 'serve.web_config', { maxBytes: 64 * 1024 });
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) throw new UsageError(`${where}: not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, 'XFED_WEB_CONFIG');
  const raw = doc.toJS() as unknown;
  if (raw === null || raw === undefined) return {};
  if (!isMap(doc.contents) || typeof raw !== 'object') throw new UsageError(`${where}: expected a mapping (key: value)`, 'XFED_WEB_CONFIG');
  const out: WebConfig = {};
  const base = dirname(resolve(file));
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === 'tls_server_config') {
      const tls = await tlsConfig(where, base, value);
      if (tls) out.tls = tls;
    }
    else if (key === 'basic_auth_users') out.users = users(where, value);
    else throw new UsageError(`${where}: ${key}: not supported by xfed serve (supported: tls_server_config, basic_auth_users)`, 'XFED_WEB_CONFIG');
  }
  return out;
}

async function tlsConfig(where: string, base: string, value: unknown): Promise<WebConfig['tls']> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${where}: tls_server_config: expected a mapping with cert_file and key_file`, 'XFED_WEB_CONFIG');
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) {
    if (!TLS_KEYS.includes(k)) throw new UsageError(`${where}: tls_server_config.${k}: not supported by xfed serve (supported: ${TLS_KEYS.join(', ')})`, 'XFED_WEB_CONFIG');
  }
  for (const k of TLS_KEYS) {
    if (typeof v[k] !== 'string' || !(v[k] as string).trim()) throw new UsageError(`${where}: tls_server_config.${k}: a file name is required`, 'XFED_WEB_CONFIG');
  }
  const cert = await readPemFile(resolve(base, v.cert_file as string), 'serve.tls_cert_file');
  const key = await readSecretFile(resolve(base, v.key_file as string), 'serve.tls_key_file');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) throw new UsageError(`${where}: tls_server_config.key_file: holds no PEM private key`, 'XFED_WEB_CONFIG');
  return { cert, key };
}

function users(where: string, value: unknown): Map<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${where}: basic_auth_users: expected a mapping of user: bcrypt hash`, 'XFED_WEB_CONFIG');
  const m = new Map<string, string>();
  for (const [user, hash] of Object.entries(value as Record<string, unknown>)) {
    // The user name is shown; the value never is (it may be a password written by mistake).
    if (typeof hash !== 'string' || !BCRYPT.test(hash)) throw new UsageError(`${where}: basic_auth_users.${JSON.stringify(user).slice(1, -1).slice(0, 64)}: not a bcrypt hash ($2y$...; plain passwords are not accepted)`, 'XFED_WEB_CONFIG');
    m.set(user, hash);
  }
  return m;
}

/** A bcrypt hash no password matches, compared for unknown users so that they cost the same time. */
const DUMMY = '$2b$10$CwTycUXWue0Thq9StjUM0uJ8.qO0hEoY8o6aW3p4jxSPFMKFuZ8Ue';
const CACHE_MAX = 256;

/** Checks `Authorization: Basic ...` against the users; successes are cached. */
export class BasicAuth {
  private readonly ok = new Set<string>();

  constructor(private readonly users: Map<string, string>) {}

  async check(header: string | undefined): Promise<boolean> {
    const m = /^Basic ([A-Za-z0-9+/=]{1,1024})$/i.exec(header?.trim() ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const hash = this.users.get(user);
    const key = createHash('sha256').update(`${user}\u0000${password}\u0000${hash ?? ''}`).digest('hex');
    if (hash && this.ok.has(key)) return true;
    const good = await bcrypt.compare(password, hash ?? DUMMY);
    if (!good || !hash) return false;
    if (this.ok.size >= CACHE_MAX) this.ok.clear();
    this.ok.add(key);
    return true;
  }
}
