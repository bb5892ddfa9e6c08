/**
 * What axl-verify asks and where: the IM&P endpoint, the queries, and the checks of the input
 * (server, user, expected nodes, version, --sql) made before any request.
 */
import { InputError } from '../core/errors.js';
import { parseExpected, type Expected } from './cpid.js';
import { VERSION_RE } from './soap.js';
import { checkSelect } from './sql.js';

/** The version xfed asks for first: current IM&P/CUCM (15); a 599 tells us what else works. */
export const DEFAULT_AXL_VERSION = '15.0';
export const DEFAULT_TIMEOUT_MS = 10_000;
export const S2S_TABLE = 'xmpps2snodes';
/** The table name as the Spanish copy of TAC 213865 (the seed) spells it; tried once on -206. */
export const S2S_TABLE_ALT = 'xmpps2snode';
export const s2sQuery = (table: string): string => `SELECT pkid, cp_id FROM ${table}`;

/**
 * Service activation of "Cisco XCP XMPP Federation Connection Manager" on every IM&P node
 * (processnodeservice/typeservice, as documented in docs §2; `isactive='t'` = activated, inferred).
 */
export const FEDERATION_SERVICE_SQL =
  "SELECT pns.servername, ts.name AS service, pns.isactive FROM processnodeservice AS pns, typeservice AS ts WHERE ts.enum = pns.tkservice AND (LOWER(ts.name) LIKE '%xmpp federation%' OR LOWER(ts.nameforcontrol) LIKE '%xmpp federation%')";

export interface Endpoint {
  origin: string;
  host: string;
  port: number;
  path: string;
  display: string;
}

/** Parses the IM&P server (https only: AXL is served on 8443 over TLS); InputError on `axl.server`. */
export function parseServer(server: string): Endpoint {
  const s = server.trim();
  if (!s) throw new InputError('axl.server', 'needs the IM&P host (host[:port])', 'XFED_AXL_SERVER_MISSING');
  let url: URL;
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) url = new URL(s);
    else url = new URL(`https://${s}`);
  } catch {
    throw new InputError('axl.server', `"${server}" is not a host[:port] or https URL`, 'XFED_AXL_SERVER_INVALID');
  }
  if (url.protocol !== 'https:') throw new InputError('axl.server', `must be https (AXL is only served over TLS), got ${url.protocol.replace(':', '')}`, 'XFED_AXL_SERVER_NOT_HTTPS');
  if (url.username || url.password) throw new InputError('axl.server', 'must not carry credentials (give the AXL user and password separately)', 'XFED_AXL_SERVER_CREDENTIALS');
  if (!url.hostname) throw new InputError('axl.server', `"${server}" has no host`, 'XFED_AXL_SERVER_INVALID');
  const port = url.port ? Number(url.port) : 8443;
  const path = url.pathname && url.pathname !== '/' ? url.pathname : '/axl/';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { origin: `https://${hostPart}:${port}`, host, port, path, display: `${hostPart}:${port}` };
}

export interface AxlRequest {
  endpoint: Endpoint;
  expected: Expected[];
  /** The query to run: the xmpps2snodes query, or the checked --sql statement. */
  sql: string;
  customSql: boolean;
}

/**
 * Checks everything about the input that can be checked offline. Throws InputError (exit 2) named
 * by the field: axl.server, axl.user, axl.version, axl.expect, axl.sql (axlVerify adds axl.password).
 */
export function checkAxlInput(opts: { server: string; user: string; expect?: string[]; axlVersion?: string; sql?: string }): AxlRequest {
  const endpoint = parseServer(opts.server);
  if (!opts.user) throw new InputError('axl.user', 'is required (the AXL user Expressway-C uses)', 'XFED_AXL_USER_MISSING');
  if (opts.axlVersion !== undefined && !VERSION_RE.test(opts.axlVersion)) throw new InputError('axl.version', `must look like 15.0 or 12.5, got "${opts.axlVersion}"`, 'XFED_AXL_VERSION_INVALID');
  const expected: Expected[] = [];
  for (const e of opts.expect ?? []) {
    const p = parseExpected(e);
    if (typeof p === 'string') throw new InputError('axl.expect', p, 'XFED_AXL_EXPECT_INVALID');
    expected.push(p);
  }
  if (opts.sql === undefined) return { endpoint, expected, sql: s2sQuery(S2S_TABLE), customSql: false };
  const c = checkSelect(opts.sql);
  if (!c.ok) throw new InputError('axl.sql', c.reason!, 'XFED_AXL_SQL_REFUSED');
  return { endpoint, expected, sql: c.sql!, customSql: true };
}
