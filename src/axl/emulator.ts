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
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { XMLValidator } from 'fast-xml-parser';
import { HOSTILE_BODIES, SqlFault, TAC_ROW, axlFixture, billionLaughs, checkEnvelope, faultBody, reqParser, rowXml, rowsBody, runSelect } from './emulator-bodies.js';
import type { Row } from './soap.js';

export { TAC_ROW, axlFixture, faultBody, makeSelfSignedCert, rowsBody, runSelect } from './emulator-bodies.js';

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
  | 'truncated'
  /** 200, a row whose columns are named `__proto__` (with a child element), `constructor` and `prototype`. */
  | 'reserved-names'
  /** 200, a `<__proto__>` element where `<row>` belongs. */
  | 'reserved-row'
  /** 200, a column nested 150 elements deep. */
  | 'deep';

export const AXL_SCENARIOS: readonly AxlScenario[] = [
  'normal', 'unauthorized', 'forbidden', 'version', 'fault', 'throttled', 'html', 'malformed', 'not-soap', 'dtd', 'huge', 'stall',
  'stall-body', 'reset', 'truncated', 'reserved-names', 'reserved-row', 'deep',
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


export const DEFAULT_VERSIONS = ['12.5', '14.0', '15.0'];

/** Everything one emulator instance knows; the request handlers below read and update it. */
interface State {
  scenario: AxlScenario;
  users: Record<string, string>;
  forbidden: Set<string>;
  versions: string[];
  fault: AxlFault;
  tables: Record<string, Row[]>;
  hugeBytes: number;
  requests: RecordedRequest[];
  sessionIds: Set<string>;
}

const send = (res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
};
const XML = 'text/xml;charset=utf-8';
const html = (res: ServerResponse, status: number, file: string, extra: Record<string, string> = {}) => send(res, status, 'text/html;charset=utf-8', axlFixture(file), extra);
const soapFault = (res: ServerResponse, code: number, message: string) => send(res, 500, XML, faultBody(code, message));

function versionPage(versions: string[]): string {
  const list = versions.length > 1 ? `${versions.slice(0, -1).join(', ')} and ${versions.at(-1)}` : (versions[0] ?? '');
  return axlFixture('tomcat-599-version.html').split('12.x, 14.0 and 15.0').join(list);
}

/** Tomcat's part: the path, then Basic credentials, then the AXL role; a session cookie for newcomers. Returns the extra headers, or undefined when it answered. */
function gate(st: State, req: IncomingMessage, res: ServerResponse, rec: RecordedRequest, done: (s: number) => void): Record<string, string> | undefined {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/axl/' && path !== '/axl') {
    done(404);
    send(res, 404, 'text/html;charset=utf-8', '<html><head><title>HTTP Status 404 – Not Found</title></head><body><h1>HTTP Status 404 – Not Found</h1></body></html>');
    return undefined;
  }
  // Tomcat checks credentials before the AXL servlet sees anything.
  const auth = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
  const decoded = auth ? Buffer.from(auth[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const user = colon >= 0 ? decoded.slice(0, colon) : undefined;
  if (user !== undefined) rec.user = user;
  const pass = colon >= 0 ? decoded.slice(colon + 1) : undefined;
  const known = user !== undefined && Object.hasOwn(st.users, user) && st.users[user] === pass;
  if (st.scenario === 'unauthorized' || !known) {
    done(401);
    html(res, 401, 'tomcat-401.html', { 'www-authenticate': 'Basic realm="Cisco AXL"' });
    return undefined;
  }
  rec.authOk = true;
  if (st.scenario === 'forbidden' || st.forbidden.has(user!)) {
    done(403);
    html(res, 403, 'tomcat-403.html');
    return undefined;
  }
  const extra: Record<string, string> = {};
  if (!req.headers.cookie || ![...st.sessionIds].some((id) => req.headers.cookie!.includes(id))) {
    const id = randomBytes(16).toString('hex').toUpperCase();
    st.sessionIds.add(id);
    extra['set-cookie'] = `JSESSIONIDSSO=${id}; Path=/; Secure; HttpOnly`;
  }
  return extra;
}

/** The AXL servlet's checks of a POST: SOAPAction, version, Content-Type, envelope. Returns the query, or undefined when it answered. */
function soapRequest(st: State, req: IncomingMessage, res: ServerResponse, raw: string, rec: RecordedRequest, done: (s: number) => void): { version: string; sql: string; sequence?: string } | undefined {
  const action = req.headers.soapaction;
  if (action !== undefined) rec.soapAction = String(action);
  const am = /^"?CUCM:DB ver=(\d{1,2}\.\d{1,2}) (\w+)"?$/.exec(String(action ?? ''));
  if (!am) {
    done(500);
    soapFault(res, 5000, 'Missing or malformed SOAPAction header: expected "CUCM:DB ver=<version> <operation>"');
    return undefined;
  }
  const [, version, operation] = am as unknown as [string, string, string];
  rec.version = version;
  if (st.scenario === 'version' || !st.versions.includes(version)) {
    done(599);
    send(res, 599, 'text/html;charset=utf-8', versionPage(st.versions));
    return undefined;
  }
  if (!/^text\/xml\b/i.test(req.headers['content-type'] ?? '')) {
    done(500);
    soapFault(res, 5000, `Content-Type must be text/xml, got ${req.headers['content-type'] ?? 'none'}`);
    return undefined;
  }
  // The envelope: SOAP 1.1 namespace, AXL namespace matching ver=, the operation named in SOAPAction.
  if (/<!DOCTYPE|<!ENTITY/i.test(raw) || XMLValidator.validate(raw) !== true) {
    done(500);
    send(res, 500, XML, faultBody(5000, 'The request is not well-formed XML', operation, 'soapenv:Client'));
    return undefined;
  }
  const problem = checkEnvelope(reqParser.parse(raw) as Record<string, unknown>, version, operation);
  if (typeof problem === 'string') {
    done(500);
    soapFault(res, 5000, problem);
    return undefined;
  }
  rec.sql = problem.sql;
  if (problem.sequence !== undefined) rec.sequence = problem.sequence;
  if (operation !== 'executeSQLQuery') {
    done(500);
    soapFault(res, 5000, `The emulator only implements executeSQLQuery, not ${operation}`);
    return undefined;
  }
  return { version, ...problem };
}

function streamHuge(res: ServerResponse, hugeBytes: number, version: string, sequence?: string): void {
  res.writeHead(200, { 'content-type': XML });
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

const LOGIN_PAGE =
  '<!DOCTYPE html><html><head><title>Cisco Unified CM IM and Presence Administration</title></head><body><form action="j_security_check" method="post"><input name="j_username"><input type="password" name="j_password"></form></body></html>';

/** The answer of a failure scenario to a valid query; false in the `normal` scenario. */
function scenarioAnswer(st: State, req: IncomingMessage, res: ServerResponse, q: { version: string; sequence?: string }, extra: Record<string, string>, done: (s: number) => void): boolean {
  const { version, sequence } = q;
  const ok = (body: string, type = XML) => {
    done(200);
    send(res, 200, type, body, extra);
  };
  switch (st.scenario) {
    case 'fault':
      done(500);
      soapFault(res, st.fault.code, st.fault.message);
      return true;
    case 'throttled':
      done(503);
      html(res, 503, 'tomcat-503.html');
      return true;
    case 'html':
      ok(LOGIN_PAGE, 'text/html;charset=utf-8');
      return true;
    case 'malformed':
      ok(rowsBody([TAC_ROW], version, sequence).replace('</return>', '</retrun>'));
      return true;
    case 'not-soap':
      ok('<?xml version="1.0"?><status><ok>true</ok></status>');
      return true;
    case 'dtd':
      ok(billionLaughs(version));
      return true;
    case 'reserved-names':
    case 'reserved-row':
    case 'deep':
      ok(HOSTILE_BODIES[st.scenario](version));
      return true;
    case 'huge':
      done(200);
      streamHuge(res, st.hugeBytes, version, sequence);
      return true;
    case 'stall':
      done(0);
      return true; // the socket stays open until the client gives up or close()
    case 'stall-body':
    case 'truncated': {
      done(200);
      const body = rowsBody([TAC_ROW], version, sequence);
      res.writeHead(200, { 'content-type': XML, 'content-length': String(Buffer.byteLength(body)) });
      if (st.scenario === 'stall-body') res.write(body.slice(0, 120));
      else res.write(body.slice(0, Math.floor(body.length / 2)), () => req.socket.destroy());
      return true;
    }
    case 'reset':
      done(0);
      // A TLS socket cannot send RST itself: reset the TCP socket under it.
      resetSocket(req.socket);
      return true;
    default:
      return false;
  }
}

async function handle(st: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
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
    st.requests.push(rec);
    if (st.requests.length > 2000) st.requests.splice(0, st.requests.length - 2000);
  };
  const extra = gate(st, req, res, rec, done);
  if (!extra) return;
  if (req.method === 'GET') {
    done(200);
    return html(res, 200, 'axl-service-page.html', extra);
  }
  if (req.method !== 'POST') {
    done(405);
    return send(res, 405, 'text/plain', 'Method Not Allowed', { allow: 'GET, POST' });
  }
  const q = soapRequest(st, req, res, raw, rec, done);
  if (!q || scenarioAnswer(st, req, res, q, extra, done)) return;
  try {
    const rows = runSelect(q.sql, st.tables);
    done(200);
    return send(res, 200, XML, rowsBody(rows, q.version, q.sequence), extra);
  } catch (e) {
    if (!(e instanceof SqlFault)) throw e;
    done(500);
    return soapFault(res, e.code, e.message);
  }
}

/** Starts the emulator on `host:port` (HTTPS). */
export async function startAxlEmulator(opts: AxlEmulatorOptions): Promise<AxlEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const st: State = {
    scenario: opts.scenario ?? 'normal',
    users: opts.users ?? { axluser: 'axlpass' },
    forbidden: new Set(opts.forbiddenUsers ?? []),
    versions: opts.versions ?? DEFAULT_VERSIONS,
    fault: opts.fault ?? { code: -206, message: 'The specified table (xmpps2snodes) is not in the database.' },
    tables: { xmpps2snodes: [], ...Object.fromEntries(Object.entries(opts.tables ?? {}).map(([k, v]) => [k.toLowerCase(), v])) },
    hugeBytes: opts.hugeBytes ?? 256 * 1024 * 1024,
    requests: [],
    sessionIds: new Set<string>(),
  };
  if (opts.rows) st.tables.xmpps2snodes = opts.rows;
  const sockets = new Set<Socket>();
  const server: Server = createServer({ key: opts.tls.key, cert: opts.tls.cert }, (req, res) => {
    handle(st, req, res).catch(() => {
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
    requests: st.requests,
    sessions: () => st.sessionIds.size,
    setScenario(s) {
      st.scenario = s;
    },
    setRows(rows) {
      st.tables.xmpps2snodes = rows;
    },
    setTable(name, rows) {
      if (rows === null) delete st.tables[name.toLowerCase()];
      else st.tables[name.toLowerCase()] = rows;
    },
    setFault(f) {
      st.fault = f;
    },
    setVersions(v) {
      st.versions = v;
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
