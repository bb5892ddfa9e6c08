/**
 * An AXL emulator: a real HTTPS server that answers `executeSQLQuery` the way IM&P's Cisco AXL
 * Web Service does (docs/cisco-expressway-imp.md §1): Basic auth checked first (401/403 as Tomcat
 * HTML pages), then the SOAPAction header and the SOAP envelope, 599 for an unsupported `ver=`,
 * SOAP faults with Informix codes (-201, -206, -217) as HTTP 500, rows in the TAC 217581 shape.
 * It can be switched into every failure mode xfed must explain (see AxlScenario).
 *
 * Used by the tests, the benchmark and `xfed doctor --demo`. It reads the recorded bodies in
 * fixtures/axl/ from the package root.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SOAP_ENV_NS, axlNamespace, decodeXmlText, escapeXml, type Row } from './soap.js';

export type AxlScenario =
  /** Answer queries from the configured tables. */
  | 'normal'
  /** 401 Tomcat HTML page for everyone (wrong credentials). */
  | 'unauthorized'
  /** 403: authenticated, but no AXL role. */
  | 'forbidden'
  /** 599 "Incorrect axl version" whatever version is asked for. */
  | 'version'
  /** HTTP 500 SOAP fault with `fault` (default -206 table not in database). */
  | 'fault'
  /** 503 Service Unavailable (AXL throttling). */
  | 'throttled'
  /** 200 with an HTML page where SOAP is expected (a login page or proxy). */
  | 'html'
  /** 200, text/xml, but not well-formed. */
  | 'malformed'
  /** 200, text/xml, well-formed XML that is not a SOAP envelope. */
  | 'not-soap'
  /** 200 with a DTD that declares an entity-expansion bomb ("billion laughs"). */
  | 'dtd'
  /** 200 with an endless row stream (up to `hugeBytes`). */
  | 'huge'
  /** Accept the request, never answer. */
  | 'stall'
  /** Send the headers and part of the body, then stall. */
  | 'stall-body'
  /** Close the connection (TCP RST) as soon as the request arrives. */
  | 'reset'
  /** Promise a Content-Length, send less, close. */
  | 'truncated';

export const AXL_SCENARIOS: readonly AxlScenario[] = [
  'normal', 'unauthorized', 'forbidden', 'version', 'fault', 'throttled', 'html', 'malformed', 'not-soap', 'dtd', 'huge', 'stall',
  'stall-body', 'reset', 'truncated',
];

export interface AxlFault {
  code: number;
  message: string;
}

export interface AxlEmulatorOptions {
  /** Loopback address to bind (default 127.0.0.1). */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  tls: { key: string; cert: string };
  scenario?: AxlScenario;
  /** Accepted credentials, user -> password. */
  users?: Record<string, string>;
  /** Users that authenticate but lack an AXL role (403). */
  forbiddenUsers?: string[];
  /** Supported `ver=` values (599 lists them otherwise). Default 12.5, 14.0, 15.0. */
  versions?: string[];
  /** Shorthand for `tables.xmpps2snodes`. */
  rows?: Row[];
  /** Table contents by (lower-case) name. `processnodeservice` rows carry the joined typeservice columns. */
  tables?: Record<string, Row[]>;
  /** The fault the `fault` scenario sends. */
  fault?: AxlFault;
  /** Bytes the `huge` scenario streams at most (default 256 MiB). */
  hugeBytes?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  user?: string;
  authOk: boolean;
  soapAction?: string;
  version?: string;
  sql?: string;
  sequence?: string;
  status: number;
  cookie?: string;
}

export interface AxlEmulator {
  url: string;
  host: string;
  port: number;
  /** Recent requests (at most 2,000), oldest first. */
  requests: RecordedRequest[];
  /** Session cookies handed out (a client that re-uses its cookie keeps this at 1). */
  sessions(): number;
  setScenario(s: AxlScenario): void;
  setRows(rows: Row[]): void;
  /** Sets a table's rows; null drops the table (queries then get Informix -206). */
  setTable(name: string, rows: Row[] | null): void;
  setFault(f: AxlFault): void;
  setVersions(v: string[]): void;
  close(): Promise<void>;
}

/** The TAC 213865 sample row. */
export const TAC_ROW: Row = { pkid: '055c13d9-943d-459d-a3c6-af1d1176936d', cp_id: 'cm-2_s2scp-1.eft-xwye-a-coluc-com' };

export const DEFAULT_VERSIONS = ['12.5', '14.0', '15.0'];

const FIXTURES = new URL('../../../fixtures/axl/', import.meta.url);
const cache = new Map<string, string>();
export function axlFixture(name: string): string {
  let v = cache.get(name);
  if (v === undefined) {
    v = readFileSync(new URL(name, FIXTURES), 'utf8');
    cache.set(name, v);
  }
  return v;
}

const reqParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/** A SOAP fault body in the shape AXL sends (go-axl sample). */
export function faultBody(code: number, message: string, request = 'executeSQLQuery', faultcode = 'soapenv:Client'): string {
  const m = escapeXml(message);
  return (
    "<?xml version='1.0' encoding='UTF-8'?>" +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}"><soapenv:Body><soapenv:Fault><faultcode>${faultcode}</faultcode><faultstring>${m}</faultstring>` +
    `<detail><axlError><axlcode>${code}</axlcode><axlmessage>${m}</axlmessage><request>${escapeXml(request)}</request></axlError></detail>` +
    '</soapenv:Fault></soapenv:Body></soapenv:Envelope>'
  );
}

function rowXml(row: Row): string {
  return `<row>${Object.entries(row)
    .map(([k, v]) => (v === '' ? `<${k}/>` : `<${k}>${escapeXml(v)}</${k}>`))
    .join('')}</row>`;
}

/** A success body in the TAC 217581 response shape (`<return/>` for zero rows). */
export function rowsBody(rows: Row[], version: string, sequence?: string): string {
  const seq = sequence === undefined ? '' : ` sequence="${escapeXml(sequence)}"`;
  const ret = rows.length ? `<return>${rows.map(rowXml).join('')}</return>` : '<return/>';
  return (
    "<?xml version='1.0' encoding='utf-8'?>" +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}"><soapenv:Body><ns:executeSQLQueryResponse${seq} xmlns:ns="${axlNamespace(version)}">${ret}</ns:executeSQLQueryResponse></soapenv:Body></soapenv:Envelope>`
  );
}

class SqlFault extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A very small SELECT evaluator: `SELECT <cols|*|count(*)> FROM <table>[, ...] [WHERE ...]`.
 * The first table's rows are the answer (WHERE is not evaluated: tables hold exactly the rows a
 * query should see); columns are projected by name or alias, with Informix errors otherwise.
 */
export function runSelect(sql: string, tables: Record<string, Row[]>): Row[] {
  const m = /^\s*select\s+(?:first\s+\d+\s+)?([\s\S]*?)\s+from\s+([a-z_][a-z0-9_]*)/i.exec(sql);
  if (!m) throw new SqlFault(-201, 'A syntax error has occurred.');
  const table = m[2]!.toLowerCase();
  const rows = tables[table];
  if (!rows) throw new SqlFault(-206, `The specified table (${table}) is not in the database.`);
  const list = m[1]!.trim();
  if (list === '*') return rows.map((r) => ({ ...r }));
  if (/^count\s*\(\s*\*\s*\)(\s+(as\s+)?\w+)?$/i.test(list)) {
    const alias = /\)\s+(?:as\s+)?(\w+)$/i.exec(list)?.[1] ?? 'count';
    return [{ [alias.toLowerCase()]: String(rows.length) }];
  }
  const cols = list.split(',').map((item) => {
    const t = item.trim();
    const a = /^(.*?)\s+(?:as\s+)?([a-z_][a-z0-9_]*)$/i.exec(t);
    const expr = (a ? a[1]! : t).trim();
    const col = expr.split('.').pop()!.toLowerCase();
    if (!/^[a-z_][a-z0-9_]*$/.test(col)) throw new SqlFault(-201, 'A syntax error has occurred.');
    return { col, name: (a ? a[2]! : col).toLowerCase() };
  });
  return rows.map((r) => {
    const out: Row = {};
    for (const { col, name } of cols) {
      if (!(col in r)) throw new SqlFault(-217, `Column (${col}) not found in any table in the query (or SLV is undefined).`);
      out[name] = r[col]!;
    }
    return out;
  });
}

function billionLaughs(version: string): string {
  const ents = ['<!ENTITY lol "lol">'];
  for (let i = 1; i <= 9; i++) ents.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
  return (
    `<?xml version="1.0"?><!DOCTYPE lolz [${ents.join('')}]>` +
    rowsBody([{ pkid: '&lol9;', cp_id: 'cm-2_s2scp-1.expe' }], version).replace('&amp;lol9;', '&lol9;').replace(/^<\?xml[^>]*\?>/, '')
  );
}

/** Starts the emulator on `host:port` (HTTPS). */
export async function startAxlEmulator(opts: AxlEmulatorOptions): Promise<AxlEmulator> {
  const host = opts.host ?? '127.0.0.1';
  let scenario: AxlScenario = opts.scenario ?? 'normal';
  const users = opts.users ?? { axluser: 'axlpass' };
  const forbidden = new Set(opts.forbiddenUsers ?? []);
  let versions = opts.versions ?? DEFAULT_VERSIONS;
  let fault: AxlFault = opts.fault ?? { code: -206, message: 'The specified table (xmpps2snodes) is not in the database.' };
  const tables: Record<string, Row[]> = { xmpps2snodes: [], ...Object.fromEntries(Object.entries(opts.tables ?? {}).map(([k, v]) => [k.toLowerCase(), v])) };
  if (opts.rows) tables.xmpps2snodes = opts.rows;
  const hugeBytes = opts.hugeBytes ?? 256 * 1024 * 1024;
  const requests: RecordedRequest[] = [];
  const sessionIds = new Set<string>();
  const sockets = new Set<Socket>();

  const record = (r: RecordedRequest) => {
    requests.push(r);
    if (requests.length > 2000) requests.splice(0, requests.length - 2000);
  };

  const send = (res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...extra });
    res.end(body);
  };
  const html = (res: ServerResponse, status: number, file: string, extra: Record<string, string> = {}) => send(res, status, 'text/html;charset=utf-8', axlFixture(file), extra);
  const soapFault = (res: ServerResponse, code: number, message: string) => send(res, 500, 'text/xml;charset=utf-8', faultBody(code, message));
  const versionPage = () => {
    const list = versions.length > 1 ? `${versions.slice(0, -1).join(', ')} and ${versions.at(-1)}` : (versions[0] ?? '');
    return axlFixture('tomcat-599-version.html').split('12.x, 14.0 and 15.0').join(list);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > 1024 * 1024) return send(res, 413, 'text/plain', 'request too large');
      chunks.push(c);
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    const rec: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', authOk: false, status: 0 };
    if (req.headers.cookie) rec.cookie = req.headers.cookie;
    const done = (status: number) => {
      rec.status = status;
      record(rec);
    };

    const path = (req.url ?? '').split('?')[0];
    if (path !== '/axl/' && path !== '/axl') {
      done(404);
      return send(res, 404, 'text/html;charset=utf-8', '<html><head><title>HTTP Status 404 – Not Found</title></head><body><h1>HTTP Status 404 – Not Found</h1></body></html>');
    }

    // Tomcat checks credentials before the AXL servlet sees anything.
    const auth = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
    const decoded = auth ? Buffer.from(auth[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const user = colon >= 0 ? decoded.slice(0, colon) : undefined;
    if (user !== undefined) rec.user = user;
    const pass = colon >= 0 ? decoded.slice(colon + 1) : undefined;
    const known = user !== undefined && Object.hasOwn(users, user) && users[user] === pass;
    if (scenario === 'unauthorized' || !known) {
      done(401);
      return html(res, 401, 'tomcat-401.html', { 'www-authenticate': 'Basic realm="Cisco AXL"' });
    }
    rec.authOk = true;
    if (scenario === 'forbidden' || forbidden.has(user!)) {
      done(403);
      return html(res, 403, 'tomcat-403.html');
    }
    const extra: Record<string, string> = {};
    if (!req.headers.cookie || ![...sessionIds].some((id) => req.headers.cookie!.includes(id))) {
      const id = randomBytes(16).toString('hex').toUpperCase();
      sessionIds.add(id);
      extra['set-cookie'] = `JSESSIONIDSSO=${id}; Path=/; Secure; HttpOnly`;
    }

    if (req.method === 'GET') {
      done(200);
      return html(res, 200, 'axl-service-page.html', extra);
    }
    if (req.method !== 'POST') {
      done(405);
      return send(res, 405, 'text/plain', 'Method Not Allowed', { allow: 'GET, POST' });
    }

    const action = req.headers.soapaction;
    if (action !== undefined) rec.soapAction = String(action);
    const am = /^"?CUCM:DB ver=(\d{1,2}\.\d{1,2}) (\w+)"?$/.exec(String(action ?? ''));
    if (!am) {
      done(500);
      return soapFault(res, 5000, 'Missing or malformed SOAPAction header: expected "CUCM:DB ver=<version> <operation>"');
    }
    const [, version, operation] = am as unknown as [string, string, string];
    rec.version = version;
    if (scenario === 'version' || !versions.includes(version)) {
      done(599);
      return send(res, 599, 'text/html;charset=utf-8', versionPage());
    }
    if (!/^text\/xml\b/i.test(req.headers['content-type'] ?? '')) {
      done(500);
      return soapFault(res, 5000, `Content-Type must be text/xml, got ${req.headers['content-type'] ?? 'none'}`);
    }

    // The envelope: SOAP 1.1 namespace, AXL namespace matching ver=, the operation named in SOAPAction.
    if (/<!DOCTYPE|<!ENTITY/i.test(raw) || XMLValidator.validate(raw) !== true) {
      done(500);
      return send(res, 500, 'text/xml;charset=utf-8', faultBody(5000, 'The request is not well-formed XML', operation, 'soapenv:Client'));
    }
    const doc = reqParser.parse(raw) as Record<string, unknown>;
    const problem = checkEnvelope(doc, version, operation);
    if (typeof problem === 'string') {
      done(500);
      return soapFault(res, 5000, problem);
    }
    rec.sql = problem.sql;
    if (problem.sequence !== undefined) rec.sequence = problem.sequence;
    if (operation !== 'executeSQLQuery') {
      done(500);
      return soapFault(res, 5000, `The emulator only implements executeSQLQuery, not ${operation}`);
    }

    switch (scenario) {
      case 'fault':
        done(500);
        return soapFault(res, fault.code, fault.message);
      case 'throttled':
        done(503);
        return html(res, 503, 'tomcat-503.html');
      case 'html':
        done(200);
        return send(res, 200, 'text/html;charset=utf-8', '<!DOCTYPE html><html><head><title>Cisco Unified CM IM and Presence Administration</title></head><body><form action="j_security_check" method="post"><input name="j_username"><input type="password" name="j_password"></form></body></html>', extra);
      case 'malformed':
        done(200);
        return send(res, 200, 'text/xml;charset=utf-8', rowsBody([TAC_ROW], version, problem.sequence).replace('</return>', '</retrun>'), extra);
      case 'not-soap':
        done(200);
        return send(res, 200, 'text/xml;charset=utf-8', '<?xml version="1.0"?><status><ok>true</ok></status>', extra);
      case 'dtd':
        done(200);
        return send(res, 200, 'text/xml;charset=utf-8', billionLaughs(version), extra);
      case 'huge':
        done(200);
        return streamHuge(res, version, problem.sequence);
      case 'stall':
        done(0);
        return; // the socket stays open until the client gives up or close()
      case 'stall-body': {
        done(200);
        const body = rowsBody([TAC_ROW], version, problem.sequence);
        res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
        res.write(body.slice(0, 120));
        return;
      }
      case 'reset':
        done(0);
        // A TLS socket cannot send RST itself: reset the TCP socket under it.
        resetSocket(req.socket);
        return;
      case 'truncated': {
        done(200);
        const body = rowsBody([TAC_ROW], version, problem.sequence);
        res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
        res.write(body.slice(0, Math.floor(body.length / 2)), () => req.socket.destroy());
        return;
      }
      default:
        break;
    }
    try {
      const rows = runSelect(problem.sql, tables);
      done(200);
      return send(res, 200, 'text/xml;charset=utf-8', rowsBody(rows, version, problem.sequence), extra);
    } catch (e) {
      if (!(e instanceof SqlFault)) throw e;
      done(500);
      return soapFault(res, e.code, e.message);
    }
  }

  function streamHuge(res: ServerResponse, version: string, sequence?: string): void {
    res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' });
    const head = rowsBody([], version, sequence).replace('<return/></ns:executeSQLQueryResponse></soapenv:Body></soapenv:Envelope>', '<return>');
    const chunk = Array.from({ length: 512 }, (_, i) => rowXml({ pkid: randomUUID(), cp_id: `cm-2_s2scp-1.filler-${i}-example-com` })).join('');
    let sent = 0;
    const pump = () => {
      while (sent < hugeBytes && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end('</return></ns:executeSQLQueryResponse></soapenv:Body></soapenv:Envelope>');
    };
    res.write(head);
    pump();
  }

  const server: Server = createServer({ key: opts.tls.key, cert: opts.tls.cert }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain', 'emulator error');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `https://${urlHost}:${port}/axl/`,
    host,
    port,
    requests,
    sessions: () => sessionIds.size,
    setScenario(s) {
      scenario = s;
    },
    setRows(rows) {
      tables.xmpps2snodes = rows;
    },
    setTable(name, rows) {
      if (rows === null) delete tables[name.toLowerCase()];
      else tables[name.toLowerCase()] = rows;
    },
    setFault(f) {
      fault = f;
    },
    setVersions(v) {
      versions = v;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections?.();
      });
    },
  };
}

function resetSocket(sock: Socket): void {
  const raw = (sock as Socket & { _parent?: Socket | null })._parent ?? sock;
  try {
    raw.resetAndDestroy();
  } catch {
    sock.destroy();
  }
  sock.destroy();
}

function checkEnvelope(doc: Record<string, unknown>, version: string, operation: string): string | { sql: string; sequence?: string } {
  const envKey = Object.keys(doc).find((k) => k === 'Envelope' || k.endsWith(':Envelope'));
  if (!envKey) return 'No SOAP Envelope in the request';
  const env = doc[envKey] as Record<string, unknown>;
  const nsOf = (key: string, ...scopes: Array<Record<string, unknown>>): string | undefined => {
    const prefix = key.includes(':') ? key.split(':')[0] : undefined;
    const attr = prefix ? `@_xmlns:${prefix}` : '@_xmlns';
    for (const s of scopes) if (typeof s === 'object' && s && attr in s) return String(s[attr]);
    return undefined;
  };
  if (nsOf(envKey, env) !== SOAP_ENV_NS) return `The Envelope is not in the SOAP 1.1 namespace ${SOAP_ENV_NS}`;
  const envPrefix = envKey.includes(':') ? `${envKey.split(':')[0]}:` : '';
  const body = env[`${envPrefix}Body`] as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return 'No SOAP Body in the request';
  const opKey = Object.keys(body).find((k) => !k.startsWith('@_') && (k === operation || k.endsWith(`:${operation}`)));
  if (!opKey) return `The Body does not hold the operation named in SOAPAction (${operation})`;
  const op = body[opKey] as Record<string, unknown>;
  const ns = nsOf(opKey, op, body, env);
  if (ns !== axlNamespace(version)) return `The ${operation} element is in namespace ${ns ?? '(none)'}, expected ${axlNamespace(version)} (SOAPAction ver=${version})`;
  if (!op || typeof op !== 'object' || !('sql' in op)) return `${operation} needs a <sql> element`;
  const sqlNode = op.sql;
  const sql = decodeXmlText(typeof sqlNode === 'object' && sqlNode ? String((sqlNode as Record<string, unknown>)['#text'] ?? '') : String(sqlNode ?? ''));
  if (!sql.trim()) return 'The <sql> element is empty';
  const seq = op['@_sequence'];
  return { sql, ...(seq !== undefined ? { sequence: String(seq) } : {}) };
}

/**
 * A fresh self-signed certificate and key (PEM) for the emulator, made with openssl.
 * `ips`/`dns` go into subjectAltName; the certificate is its own CA (pass it as --ca).
 */
export function makeSelfSignedCert(opts: { ips?: string[]; dns?: string[]; cn?: string; days?: number } = {}): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'xfed-axl-cert-'));
  try {
    const san = [...(opts.ips ?? []).map((ip) => `IP:${ip}`), ...(opts.dns ?? []).map((d) => `DNS:${d}`)].join(',');
    const args = [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', String(opts.days ?? 2),
      '-subj', `/CN=${opts.cn ?? 'imp-emulator'}`,
      ...(san ? ['-addext', `subjectAltName=${san}`] : []),
    ];
    execFileSync('openssl', args, { stdio: 'pipe' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
