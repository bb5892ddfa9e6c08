/**
 * `axl-verify`: reads IM&P's `xmpps2snodes` table over AXL with the credentials Expressway-C
 * uses, and says why it is wrong (docs/cisco-expressway-imp.md §1, §2, §4 #1-#5, #29).
 * Programmatic core: no printing, no process.exit (xfed doctor calls it too).
 */
import { UsageError } from '../core/errors.js';
import { finding, targetResult, type Evidence, type Finding, type TargetResult } from '../core/result.js';
import { registerSecret } from '../core/redact.js';
import { AxlClient, AxlTransportError, DEFAULT_MAX_RESPONSE_BYTES, peerCertificate, type CertFacts, type HttpReply } from './client.js';
import { matchNodes, parseExpected, type Expected, type NearMiss } from './cpid.js';
import { BadSoapError, VERSION_RE, bestVersion, bodyText, htmlSummary, parseAxlResponse, parseSupportedVersions, type Row } from './soap.js';
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

const REF_TAC_213865 = 'https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/213865-configure-and-troubleshoot-xmpp-federati.html';
const REF_X1402 =
  'https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/config_guide/X14-0-2/chat_presence/exwy_b_chat-and-presence-federation-using-expressway-X1402/exwy_m_xmpp-federation-through-expressway.html';
const REF_AXL_FAQ = 'https://developer.cisco.com/docs/axl/faq';

/** The fix for credentials IM&P refuses: TAC 213865 causes 1 and 2 (the seed). */
export const authFix = (url: string): string =>
  'On Expressway-C (Configuration > Unified Communications > IM and Presence Service nodes) correct the AXL user name and password ' +
  'configured for this IM&P node, and give that IM&P application user the role "Standard AXL API Access" (or a read-only AXL role); ' +
  `check it by browsing to ${url} with the same credentials; then refresh the IM&P servers on Expressway-C ` +
  'and, after fixing it, restart the Cisco XCP Router service on IM&P (if it still bounces packets, reboot the IM&P cluster).';

const INFORMIX: Record<number, string> = {
  [-201]: 'a syntax error in the SQL',
  [-206]: 'the table is not in the database (Informix -206)',
  [-217]: 'a column is not in any table of the query (Informix -217)',
  [-272]: 'the AXL user has no SELECT permission on the table (Informix -272)',
};

export interface AxlVerifyOptions {
  /** `imp-host`, `imp-host:port`, `[v6]:port` or `https://imp-host:8443/axl/`. */
  server: string;
  user: string;
  password: string;
  /** Expressway-E FQDNs or cp_ids that must be in the table. */
  expect?: string[];
  /** Pin the AXL version (no negotiation). */
  axlVersion?: string;
  /** Extra CA certificates, PEM text. */
  ca?: string;
  /** Where the CA came from (a file name), for the report. */
  caSource?: string;
  insecure?: boolean;
  timeoutMs?: number;
  /** Run this one SELECT instead of the xmpps2snodes check. */
  sql?: string;
  /** Also check that XMPP federation is off on IM&P and that GET /axl/ works. */
  all?: boolean;
  maxResponseBytes?: number;
  /** Wait before the one retry after a 503 (default: Retry-After, at most 2 s; 500 ms without it). */
  throttleRetryMs?: number;
  onProgress?: (label: string) => void;
}

export interface ExpectedNode {
  input: string;
  cpId: string;
  fqdn?: string;
  matched: boolean;
  row?: string;
  nearMisses: NearMiss[];
}

export interface AxlData {
  url: string;
  user: string;
  /** The AXL version that answered (after negotiation). */
  axlVersion?: string;
  versionsTried: string[];
  /** Versions a 599 page listed. */
  supportedVersions?: string[];
  /** The query that was run. */
  sql: string;
  /** `xmpps2snodes` (or the singular spelling, if only that exists); absent with --sql. */
  table?: string;
  /** Rows returned (the table, or the --sql result). */
  rows?: Row[];
  /** Row count when rows were returned. */
  rowCount?: number;
  expected: ExpectedNode[];
  unexpected: string[];
  federation?: { checked: boolean; services: Row[] };
  servicePage?: { status: number; ok: boolean };
  tls: { verify: boolean; ca?: string; peer?: CertFacts };
  http: { requests: number; lastStatus?: number; ms: number[] };
}

interface Endpoint {
  origin: string;
  host: string;
  port: number;
  path: string;
  display: string;
}

/** Parses `--server` (https only: AXL is served on 8443 over TLS). */
export function parseServer(server: string): Endpoint {
  const s = server.trim();
  if (!s) throw new UsageError('--server needs the IM&P host (host[:port])');
  let url: URL;
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) url = new URL(s);
    else url = new URL(`https://${s}`);
  } catch {
    throw new UsageError(`--server "${server}" is not a host[:port] or https URL`);
  }
  if (url.protocol !== 'https:') throw new UsageError(`--server must be https (AXL is only served over TLS), got ${url.protocol.replace(':', '')}`);
  if (url.username || url.password) throw new UsageError('--server must not carry credentials; use --user and XFED_AXL_PASSWORD or --password-file');
  if (!url.hostname) throw new UsageError(`--server "${server}" has no host`);
  const port = url.port ? Number(url.port) : 8443;
  const path = url.pathname && url.pathname !== '/' ? url.pathname : '/axl/';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { origin: `https://${hostPart}:${port}`, host, port, path, display: `${hostPart}:${port}` };
}

type Outcome =
  | { kind: 'rows'; rows: Row[]; reply: HttpReply }
  | { kind: 'fault'; reply: HttpReply; axlcode?: number; axlmessage?: string; faultstring: string; faultcode: string }
  | { kind: 'auth'; reply: HttpReply }
  | { kind: 'version'; reply: HttpReply; supported: string[] }
  | { kind: 'throttled'; reply: HttpReply }
  | { kind: 'bad'; reply: HttpReply; reason: string }
  | { kind: 'transport'; error: AxlTransportError };

function classify(reply: HttpReply): Outcome {
  if (reply.status === 401 || reply.status === 403) return { kind: 'auth', reply };
  if (reply.status === 599) return { kind: 'version', reply, supported: parseSupportedVersions(reply.body) };
  if (reply.status === 503) return { kind: 'throttled', reply };
  if (reply.incomplete === 'too-large') return { kind: 'bad', reply, reason: `the response is larger than ${mib(reply.bytes - 1)} (xfed stopped reading)` };
  if (reply.incomplete === 'truncated') return { kind: 'bad', reply, reason: `the response was cut off after ${reply.bytes} bytes (connection closed mid-body)` };
  if (reply.status !== 200 && reply.status !== 500) {
    const title = /html/i.test(reply.contentType) ? htmlSummary(reply.body) : undefined;
    return { kind: 'bad', reply, reason: `HTTP ${reply.status}${title ? ` ("${title}")` : ''} where AXL answers 200 or a 500 SOAP fault` };
  }
  try {
    const a = parseAxlResponse(reply.body);
    if (a.kind === 'rows') {
      if (reply.status !== 200) return { kind: 'bad', reply, reason: `HTTP ${reply.status} with a result set` };
      return { kind: 'rows', rows: a.rows, reply };
    }
    return {
      kind: 'fault',
      reply,
      faultcode: a.faultcode,
      faultstring: a.faultstring,
      ...(a.axlcode !== undefined ? { axlcode: a.axlcode } : {}),
      ...(a.axlmessage ? { axlmessage: a.axlmessage } : {}),
    };
  } catch (e) {
    if (e instanceof BadSoapError) return { kind: 'bad', reply, reason: `${reply.status === 500 ? 'HTTP 500 without a SOAP fault: ' : ''}${e.reason}` };
    throw e;
  }
}

/** Replaces control characters (ANSI escapes, newlines) with spaces: for one-line display of server text. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

/** The "Incorrect axl version…" sentence of a 599 page (its <title> is only "Apache Tomcat - Error report"). */
function versionMessage(body: string): string {
  const text = bodyText(body, 4000);
  return /Incorrect axl version[^.]*\.(?:\s*Supported axl versions are [0-9x.,\s]+(?:and\s+[0-9x.]+)?)?/i.exec(text)?.[0]?.trim() ?? bodyText(body, 200);
}

/** One line of a body for evidence: page text for HTML, the raw start for XML and the rest. */
function bodyExcerpt(reply: HttpReply): string {
  if (/html/i.test(reply.contentType) || /^\s*<(!doctype\s+html|html)/i.test(reply.body)) return bodyText(reply.body, 200);
  const raw = reply.body.replace(/\s+/g, ' ').trim();
  return raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
}

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the AXL checks against one IM&P node. Never throws for network trouble: that becomes findings. */
export async function axlVerify(opts: AxlVerifyOptions): Promise<TargetResult<AxlData>> {
  const ep = parseServer(opts.server);
  if (!opts.user) throw new UsageError('--user is required (the AXL user Expressway-C uses)');
  if (!opts.password) throw new UsageError('no AXL password (set XFED_AXL_PASSWORD, or use --password-file)');
  registerSecret(opts.password);
  if (opts.axlVersion !== undefined && !VERSION_RE.test(opts.axlVersion)) throw new UsageError(`--axl-version must look like 15.0 or 12.5, got "${opts.axlVersion}"`);
  const expected: Expected[] = [];
  for (const e of opts.expect ?? []) {
    const p = parseExpected(e);
    if (typeof p === 'string') throw new UsageError(p);
    expected.push(p);
  }
  let sql = s2sQuery(S2S_TABLE);
  if (opts.sql !== undefined) {
    const c = checkSelect(opts.sql);
    if (!c.ok) throw new UsageError(c.reason!);
    sql = c.sql!;
  }

  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const target = ep.display;
  const url = `${ep.origin}${ep.path}`;
  const findings: Finding[] = [];
  const data: AxlData = {
    url,
    user: opts.user,
    versionsTried: [],
    sql,
    expected: [],
    unexpected: [],
    tls: { verify: !opts.insecure, ...(opts.caSource ? { ca: opts.caSource } : {}) },
    http: { requests: 0, ms: [] },
  };
  // Server-supplied text (fault messages, bodies, rows) must not drive the terminal.
  const f = (x: Omit<Finding, 'target' | 'evidence' | 'fix' | 'detail'> & Partial<Pick<Finding, 'evidence' | 'fix' | 'detail'>>) =>
    findings.push(
      finding({
        target,
        ...x,
        title: printable(x.title),
        ...(x.detail ? { detail: printable(x.detail) } : {}),
        ...(x.evidence ? { evidence: x.evidence.map((e) => ({ ...e, value: printable(e.value) })) } : {}),
      }),
    );
  const ev = (label: string, value: string): Evidence => ({ label, value });

  if (opts.insecure) {
    f({
      id: 'axl.tls.insecure',
      severity: 'warning',
      phase: 'tls',
      title: 'TLS certificate verification is OFF (--insecure)',
      detail: 'xfed sent the AXL credentials to a server whose certificate it did not check: anyone on the path could have read them.',
      fix: "Drop --insecure and pass IM&P's tomcat certificate or its issuing CA with --ca <pem> (Cisco Unified OS Administration > Security > Certificate Management > tomcat).",
    });
  }

  const client = new AxlClient({
    origin: ep.origin,
    path: ep.path,
    user: opts.user,
    password: opts.password,
    timeoutMs,
    insecure: Boolean(opts.insecure),
    ...(opts.ca ? { ca: opts.ca } : {}),
    maxResponseBytes: opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
  });
  const t0 = performance.now();
  let version = opts.axlVersion ?? DEFAULT_AXL_VERSION;

  const call = async (q: string): Promise<Outcome> => {
    data.versionsTried.includes(version) || data.versionsTried.push(version);
    opts.onProgress?.(`executeSQLQuery (ver=${version})`);
    try {
      const reply = await client.executeSqlQuery(q, version);
      data.http.lastStatus = reply.status;
      data.http.ms.push(Math.round(reply.ms * 10) / 10);
      return classify(reply);
    } catch (e) {
      if (e instanceof AxlTransportError) return { kind: 'transport', error: e };
      throw e;
    }
  };

  /** One query with version negotiation (one retry on 599) and one retry on 503. */
  const query = async (q: string): Promise<Outcome> => {
    let out = await call(q);
    if (out.kind === 'version' && !opts.axlVersion) {
      const next = bestVersion(out.supported);
      if (next && next !== version) {
        data.supportedVersions = out.supported;
        version = next;
        out = await call(q);
      }
    }
    if (out.kind === 'throttled') {
      const ra = Number(out.reply.retryAfter);
      await sleep(opts.throttleRetryMs ?? (Number.isFinite(ra) && ra >= 0 ? Math.min(ra * 1000, 2000) : 500));
      out = await call(q);
    }
    return out;
  };

  try {
    let out = await query(sql);
    let table: string | undefined = opts.sql === undefined ? S2S_TABLE : undefined;
    if (out.kind === 'fault' && out.axlcode === -206 && opts.sql === undefined) {
      // The Spanish TAC 213865 (the seed) spells the table in the singular; try it once.
      const alt = await query(s2sQuery(S2S_TABLE_ALT));
      if (alt.kind === 'rows') {
        out = alt;
        table = S2S_TABLE_ALT;
        data.sql = s2sQuery(S2S_TABLE_ALT);
      }
    }
    if (out.kind === 'rows' || out.kind === 'fault') data.axlVersion = version;
    if (out.kind === 'version') data.supportedVersions = out.supported;

    await report(out, table);

    if (opts.all && (out.kind === 'rows' || out.kind === 'fault')) {
      await checkServicePage();
      await checkFederation();
    }
  } finally {
    data.http.requests = client.requests;
    await client.close();
  }
  const total = performance.now() - t0;
  return targetResult(target, findings, data, { timings: { axl: Math.round(total * 10) / 10 } });

  async function report(out: Outcome, table: string | undefined): Promise<void> {
    switch (out.kind) {
      case 'transport':
        return transportFinding(out.error);
      case 'auth':
        return authFinding(out.reply);
      case 'version': {
        const list = out.supported;
        f({
          id: 'axl.version.unsupported',
          severity: 'error',
          phase: 'axl',
          title: `IM&P refused AXL version ${version} (HTTP 599)`,
          detail: list.length
            ? `The server supports ${list.join(', ')}${opts.axlVersion ? '; --axl-version pins the version, so xfed did not retry' : ', and the retry with the best of them failed too'}.`
            : 'The 599 page lists no supported versions xfed could read.',
          evidence: [ev('http.status', '599'), ev('message', versionMessage(out.reply.body)), ev('tried', data.versionsTried.join(', '))],
          fix: list.length
            ? `Use one of the listed versions: --axl-version ${bestVersion(list)}. On Expressway-C the same error means its AXL client is older or newer than this IM&P release supports: upgrade to a combination the compatibility matrix lists.`
            : 'Pass the IM&P release (major.minor) with --axl-version, e.g. --axl-version 14.0.',
          references: [REF_AXL_FAQ],
        });
        return;
      }
      case 'throttled':
        f({
          id: 'axl.throttled',
          severity: 'error',
          phase: 'axl',
          title: 'IM&P is throttling AXL (HTTP 503 Service Unavailable), twice',
          detail: 'AXL answers 503 when too many requests arrive; xfed waited and retried once, and got 503 again, so the table could not be read.',
          evidence: [ev('http.status', '503'), ...(out.reply.retryAfter ? [ev('Retry-After', out.reply.retryAfter)] : [])],
          fix: 'Wait and run xfed again; if it persists, look for another AXL client hammering this IM&P node (Cisco recommends sleeping and retrying after a 503).',
          references: [REF_AXL_FAQ],
        });
        return;
      case 'bad':
        f({
          id: 'axl.bad-response',
          severity: 'error',
          phase: 'axl',
          title: `Not an AXL answer: ${out.reason}`,
          detail: `HTTP ${out.reply.status} (${out.reply.contentType || 'no Content-Type'}, ${out.reply.bytes} bytes) is not the SOAP envelope AXL sends, so xfed cannot tell what is in the table.`,
          evidence: [ev('http.status', String(out.reply.status)), ev('content-type', out.reply.contentType || '(none)'), ...(out.reply.body ? [ev('body', bodyExcerpt(out.reply))] : [])],
          fix: `Check that ${url} is the IM&P node's Cisco AXL Web Service (activated in Serviceability, port 8443) and that no proxy, load balancer or login page answers in its place.`,
        });
        return;
      case 'fault': {
        const code = out.axlcode;
        const known = code !== undefined ? INFORMIX[code] : undefined;
        const noTable = code === -206;
        f({
          id: 'axl.fault',
          severity: 'error',
          phase: 'axl',
          title: `AXL fault${code !== undefined ? ` ${code}` : ''}: ${out.axlmessage || out.faultstring || 'no message'}`,
          detail: noTable && table
            ? `Informix error -206 means the table is not in the database: neither ${S2S_TABLE} nor ${S2S_TABLE_ALT} exists here. This server is probably not an IM and Presence node (a Unified CM node has no XMPP tables), or the release names the table differently.`
            : `The server ran the query and refused it${known ? `: ${known}` : ''}.`,
          evidence: [
            ev('http.status', String(out.reply.status)),
            ...(code !== undefined ? [ev('axlcode', String(code))] : []),
            ...(out.axlmessage ? [ev('axlmessage', out.axlmessage)] : []),
            ...(out.faultstring && out.faultstring !== out.axlmessage ? [ev('faultstring', out.faultstring)] : []),
            ev('sql', data.sql),
          ],
          fix: noTable && table
            ? `Point --server at an IM and Presence node (not Unified CM); on it, "run sql select * from ${S2S_TABLE}" on the admin CLI must work.`
            : opts.sql !== undefined
              ? 'Fix the query (table and column names as in the IM&P data dictionary) and run it again.'
              : 'Check the AXL user\'s roles and the IM&P release; the error text above comes from the database.',
        });
        return;
      }
      case 'rows':
        data.rows = out.rows;
        data.rowCount = out.rows.length;
        if (table) data.table = table;
        if (opts.sql !== undefined) {
          f({
            id: 'axl.query.ok',
            severity: 'info',
            phase: 'axl',
            title: `The query returned ${out.rows.length} row${out.rows.length === 1 ? '' : 's'} (AXL ${version})`,
            evidence: [ev('sql', sql)],
          });
          return;
        }
        return s2sFindings(out.rows, table ?? S2S_TABLE);
    }
  }

  function s2sFindings(rows: Row[], table: string): void {
    const cpIds = rows.map((r) => r.cp_id ?? '').filter((c) => c !== '');
    const rowEvidence = rows.map((r) => ev('row', `${r.pkid ?? '?'}  ${r.cp_id ?? '(no cp_id)'}`));
    if (cpIds.length === 0) {
      data.expected = expected.map((e) => ({ input: e.input, cpId: e.cpId, ...(e.fqdn ? { fqdn: e.fqdn } : {}), matched: false, nearMisses: [] }));
      f({
        id: 'axl.s2snode.empty',
        severity: 'error',
        phase: 's2snode',
        title: `${table} is empty: Expressway-C never registered an Expressway-E S2S node`,
        detail:
          'Expressway-C writes one row per Expressway-E S2S node into this table over AXL when XMPP federation is enabled. With no row, IM&P does not route federated traffic to Expressway and federation silently never starts.',
        evidence: [ev('rows', '0'), ev('sql', data.sql)],
        fix:
          'On Expressway-C, set Network log network.axl to DEBUG and look for Function="executeSQLQuery" Status="401": the AXL user/password configured on ' +
          'Expressway-C (Configuration > Unified Communications > IM and Presence Service nodes) is wrong, or the user lacks the role "Standard AXL API Access" ' +
          '(or a read-only AXL role). Fix it (or a 599 / connection error there), refresh the IM&P servers on Expressway-C so it writes the table again, ' +
          'then restart the Cisco XCP Router on IM&P.',
        references: [REF_TAC_213865],
      });
      return;
    }
    const m = matchNodes(expected, cpIds);
    data.expected = m.expected.map((e) => ({ input: e.input, cpId: e.cpId, ...(e.fqdn ? { fqdn: e.fqdn } : {}), matched: e.matched, ...(e.row ? { row: e.row } : {}), nearMisses: e.nearMisses }));
    for (const e of m.expected.filter((x) => !x.matched)) {
      f({
        id: 'axl.s2snode.missing',
        severity: 'error',
        phase: 's2snode',
        title: `${e.input}: no ${table} row ${e.cpId}`,
        detail: e.nearMisses.length
          ? `A near miss is there instead: ${e.nearMisses.map((n) => `${n.cpId} (${n.explanation})`).join('; ')}.`
          : `IM&P does not know this Expressway-E as an S2S node, so it will not send federated traffic through it. The table has ${cpIds.length} other row${cpIds.length === 1 ? '' : 's'}.`,
        evidence: [ev('expected', e.cpId), ...e.nearMisses.map((n) => ev('near miss', `${n.cpId}: ${n.explanation}`)), ...rowEvidence],
        fix: e.nearMisses.some((n) => n.kind === 'other-domain' || n.kind === 'host-only' || n.kind === 'typo')
          ? "Correct the Expressway-E's System host name / Domain name (or the name given to --expect), then refresh the IM&P servers on Expressway-C and restart the Cisco XCP Router on IM&P."
          : 'Check that XMPP federation is On for this Expressway-E and that Expressway-C can write over AXL (network.axl log: Status="401" means wrong credentials), then refresh the IM&P servers on Expressway-C and restart the Cisco XCP Router on IM&P.',
        references: [REF_TAC_213865],
      });
    }
    if (expected.length && m.unexpected.length) {
      f({
        id: 'axl.s2snode.unexpected',
        severity: 'warning',
        phase: 's2snode',
        title: `${m.unexpected.length} ${table} row${m.unexpected.length === 1 ? '' : 's'} for S2S nodes nobody expects`,
        detail: 'A row for an Expressway-E that is not in --expect is usually a stale entry from a replaced or renamed Expressway-E: IM&P may still route federated traffic to it.',
        evidence: m.unexpected.map((u) => ev('unexpected', u)),
        fix: 'If these Expressway-Es are gone, disable and re-enable XMPP federation on the current Expressway-E (so Expressway-C rewrites the table), refresh the IM&P servers on Expressway-C and restart the Cisco XCP Router on IM&P; if they are live, add them to --expect.',
        references: [REF_TAC_213865],
      });
    }
    const matched = m.expected.filter((e) => e.matched);
    if (!expected.length || matched.length) {
      f({
        id: 'axl.s2snode.ok',
        severity: 'info',
        phase: 's2snode',
        title: expected.length
          ? `${matched.length} of ${expected.length} expected S2S node${expected.length === 1 ? '' : 's'} registered in ${table}`
          : `${cpIds.length} S2S node${cpIds.length === 1 ? '' : 's'} registered in ${table} (pass --expect to check which)`,
        evidence: expected.length ? matched.map((e) => ev('registered', `${e.input} -> ${e.row}`)) : rowEvidence,
      });
    }
  }

  function authFinding(reply: HttpReply): void {
    const forbidden = reply.status === 403;
    f({
      id: 'axl.auth.failed',
      severity: 'error',
      phase: 'auth',
      title: forbidden
        ? `IM&P accepted the password of "${opts.user}" but refused AXL (HTTP 403): the user lacks an AXL role`
        : `IM&P refused the AXL credentials of "${opts.user}" (HTTP 401)`,
      detail:
        'If these are the credentials configured on Expressway-C, Expressway-C cannot write the xmpps2snodes table either: its network.axl log shows Function="executeSQLQuery" Status="' +
        reply.status +
        '", the table stays empty and federation silently never starts.',
      evidence: [ev('http.status', String(reply.status)), ...(htmlSummary(reply.body) ? [ev('page', htmlSummary(reply.body)!)] : []), ev('user', opts.user)],
      fix: authFix(url),
      references: [REF_TAC_213865],
    });
  }

  async function transportFinding(err: AxlTransportError): Promise<void> {
    if (err.kind === 'tls-untrusted' || err.kind === 'tls-name') {
      const peer = await peerCertificate(ep.host, ep.port, timeoutMs);
      if (peer) data.tls.peer = peer;
      const certEv = peer
        ? [
            ev('certificate.subject', peer.subject ?? '?'),
            ev('certificate.issuer', peer.issuer ?? '?'),
            ev('certificate.subjectAltName', peer.subjectAltName ?? '(none)'),
            ev('certificate.validTo', peer.validTo ?? '?'),
            ev('certificate.sha256', peer.fingerprint256 ?? '?'),
          ]
        : [];
      if (err.kind === 'tls-untrusted') {
        f({
          id: 'axl.tls.untrusted',
          severity: 'error',
          phase: 'tls',
          title: `IM&P's certificate is not trusted (${err.code})`,
          detail: `${peer?.selfSigned ? "The tomcat certificate is self-signed (IM&P's default), " : 'The certificate chain does not lead to a CA xfed trusts, '}so xfed did not send the credentials.${opts.ca ? ' The --ca file given does not sign it.' : ''}`,
          evidence: [ev('tls.error', err.message), ...certEv],
          fix: "Pass the IM&P tomcat certificate (if self-signed) or its issuing CA with --ca <pem> (download it from Cisco Unified OS Administration > Security > Certificate Management); Expressway-C must trust the same CA when it verifies IM&P's certificate. --insecure skips the check (not recommended).",
        });
      } else {
        f({
          id: 'axl.tls.name-mismatch',
          severity: 'error',
          phase: 'tls',
          title: `IM&P's certificate does not name ${ep.host}`,
          detail: 'The certificate is trusted but issued for other names, so it does not prove that this server is the IM&P node you named.',
          evidence: [ev('tls.error', err.message), ...certEv],
          fix: `Use a --server name that the certificate lists (its subjectAltName above), or reissue the IM&P tomcat certificate with ${ep.host} in its subjectAltName.`,
        });
      }
      return;
    }
    const what: Record<string, string> = {
      refused: 'connection refused',
      dns: 'the name does not resolve',
      timeout: 'timed out',
      reset: 'the connection was reset',
      'tls-handshake': 'the TLS handshake failed',
      other: 'the request failed',
    };
    f({
      id: 'axl.unreachable',
      severity: 'error',
      phase: 'connect',
      title: `AXL at ${ep.display} is unreachable: ${what[err.kind] ?? err.kind}`,
      detail: `${err.message}. Expressway-C needs the same path (TCP 8443 to every IM&P node) to register its S2S node.`,
      evidence: [ev('error', `${err.code ?? err.kind}: ${err.message}`)],
      fix:
        err.kind === 'dns'
          ? `Check the IM&P host name (${ep.host}) and DNS; Expressway-C discovers IM&P nodes by the names IM&P reports, so they must resolve there too.`
          : err.kind === 'tls-handshake'
            ? `Check that port ${ep.port} serves HTTPS (the Cisco Tomcat service), not plain HTTP or another protocol.`
            : `Check that the Cisco AXL Web Service and Cisco Tomcat run on the IM&P node, that port ${ep.port} is open from here and from Expressway-C, and that IM&P's DNS (forward and PTR) answers: a slow DNS makes AXL time out.`,
    });
  }

  async function checkServicePage(): Promise<void> {
    opts.onProgress?.('GET /axl/');
    try {
      const r = await client.getServicePage();
      const ok = r.status === 200 && /AXL Web Service/i.test(r.body);
      data.servicePage = { status: r.status, ok };
      if (ok) {
        f({ id: 'axl.service.ok', severity: 'info', phase: 'axl', title: `GET ${ep.path} with these credentials shows the AXL Web Service page`, evidence: [ev('page', htmlSummary(r.body) ?? 'AXL Web Service')] });
      } else if (r.status === 401 || r.status === 403) {
        if (!findings.some((x) => x.id === 'axl.auth.failed')) authFinding(r);
      } else {
        f({
          id: 'axl.bad-response',
          severity: 'warning',
          phase: 'axl',
          title: `GET ${ep.path} did not return the AXL Web Service page (HTTP ${r.status})`,
          detail: 'An authenticated GET of the AXL URL normally shows "Cisco CallManager: AXL Web Service" (the manual test in TAC 213865).',
          evidence: [ev('http.status', String(r.status)), ev('body', bodyText(r.body, 200))],
          fix: 'Check that the Cisco AXL Web Service is activated on this IM&P node (Cisco Unified Serviceability > Tools > Service Activation).',
        });
      }
    } catch (e) {
      if (!(e instanceof AxlTransportError)) throw e;
      data.servicePage = { status: 0, ok: false };
    }
  }

  async function checkFederation(): Promise<void> {
    opts.onProgress?.('XMPP federation service');
    const out = await query(FEDERATION_SERVICE_SQL);
    if (out.kind !== 'rows') {
      data.federation = { checked: false, services: [] };
      f({
        id: 'axl.federation.unchecked',
        severity: 'warning',
        phase: 'federation',
        title: 'Could not read the XMPP federation service activation on IM&P',
        detail:
          out.kind === 'fault'
            ? `The processnodeservice/typeservice query failed: ${out.axlcode ?? ''} ${out.axlmessage ?? out.faultstring}.`
            : `The processnodeservice/typeservice query failed (${out.kind}).`,
        evidence: [ev('sql', FEDERATION_SERVICE_SQL)],
        fix: 'Check by hand: Cisco Unified Serviceability > Tools > Service Activation on each IM&P node, and Presence > Inter-Domain Federation > XMPP Federation > Settings > XMPP Federation Node Status = Off.',
      });
      return;
    }
    data.federation = { checked: true, services: out.rows };
    const active = out.rows.filter((r) => /^(t|true|1)$/i.test((r.isactive ?? '').trim()));
    if (active.length) {
      f({
        id: 'axl.federation.imp-enabled',
        severity: 'error',
        phase: 'federation',
        title: `XMPP federation is active on IM&P (${active.map((r) => r.servername ?? '?').join(', ')}) while Expressway does federation`,
        detail: 'When Expressway-E does XMPP federation, IM&P must not: "If you deploy external XMPP federation through Expressway, do not activate the Cisco XCP XMPP federation Connection Manager feature service". Both at once is unsupported.',
        evidence: active.map((r) => ev('activated', `${r.servername ?? '?'}: ${r.service ?? 'XMPP Federation Connection Manager'}`)),
        fix: 'On IM&P set Presence > Inter-Domain Federation > XMPP Federation > Settings > XMPP Federation Node Status to Off and deactivate "Cisco XCP XMPP Federation Connection Manager" (Serviceability > Tools > Service Activation); then refresh the IM&P servers on Expressway-C and restart the Cisco XCP Router on IM&P.',
        references: [REF_X1402],
      });
    } else {
      f({
        id: 'axl.federation.ok',
        severity: 'info',
        phase: 'federation',
        title: 'Cisco XCP XMPP Federation Connection Manager is not activated on IM&P',
        evidence: out.rows.map((r) => ev('service', `${r.servername ?? '?'}: ${r.service ?? '?'} isactive=${r.isactive ?? '?'}`)),
      });
    }
  }
}
