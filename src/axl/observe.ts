/**
 * Observation for axl-verify: the SOAP exchanges with one IM&P node (version negotiation, the
 * executeSQLQuery of xmpps2snodes with its fallbacks, and with --all the service page and the
 * federation service query). Returns plain facts (see facts.ts); judges nothing.
 */
import { AxlClient, AxlTransportError, DEFAULT_MAX_RESPONSE_BYTES, peerCertificate, type HttpReply } from './client.js';
import { DEFAULT_AXL_VERSION, DEFAULT_TIMEOUT_MS, FEDERATION_SERVICE_SQL, S2S_TABLE, S2S_TABLE_ALT, s2sQuery, type AxlRequest } from './endpoint.js';
import type { AxlExchange, AxlFacts } from './facts.js';
import { BadSoapError, bestVersion, bodyText, htmlSummary, parseAxlResponse, parseSupportedVersions, type Row } from './soap.js';

export interface ObserveAxlInput extends AxlRequest {
  user: string;
  password: string;
  /** Pin the AXL version (no negotiation). */
  axlVersion?: string;
  /** Extra CA certificates, PEM text, and where they came from (a file name) for the report. */
  ca?: string;
  caSource?: string;
  insecure?: boolean;
  timeoutMs?: number;
  /** Also GET the AXL page and read the XMPP federation service activation. */
  all?: boolean;
  maxResponseBytes?: number;
  /** Wait before the one retry after a 503 (default: Retry-After, at most 2 s; 500 ms without it). */
  throttleRetryMs?: number;
}

export interface ObserveContext {
  onProgress?: (label: string) => void;
}

/** One exchange as facts, with the rows it returned (kept apart: they go to `rows` or `federation.services`). */
interface Outcome {
  exchange: AxlExchange;
  rows?: Row[];
}

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}

/** The "Incorrect axl version…" sentence of a 599 page (its <title> is only "Apache Tomcat - Error report"). */
function versionMessage(body: string): string {
  const text = bodyText(body, 4000);
  return /Incorrect axl version[^.]*\.(?:\s*Supported axl versions are [0-9x.,\s]+(?:and\s+[0-9x.]+)?)?/i.exec(text)?.[0]?.trim() ?? bodyText(body, 200);
}

/** One line of a body for evidence: page text for HTML, the raw start for XML and the rest. */
function bodyExcerpt(reply: HttpReply): string {
  if (/html/i.test(reply.contentType) || /^\s*<(!doctype\s+html|html)/i.test(reply.body)) return bodyText(reply.body, 200);
  const raw = reply.body.slice(0, 4096).replace(/\s+/g, ' ').trim();
  return raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
}

function bad(version: string, reply: HttpReply, reason: string): Outcome {
  return {
    exchange: {
      kind: 'bad',
      version,
      status: reply.status,
      contentType: reply.contentType,
      bytes: reply.bytes,
      reason,
      ...(reply.body ? { excerpt: bodyExcerpt(reply) } : {}),
    },
  };
}

/** What an HTTP answer to executeSQLQuery means. Every parser error becomes a `bad` outcome. */
export function classifyReply(reply: HttpReply, version: string): Outcome {
  const { status } = reply;
  if (status === 401 || status === 403) {
    const page = htmlSummary(reply.body);
    return { exchange: { kind: 'auth', version, status, ...(page ? { page } : {}) } };
  }
  if (status === 599) return { exchange: { kind: 'version', version, status, supported: parseSupportedVersions(reply.body), message: versionMessage(reply.body) } };
  if (status === 503) return { exchange: { kind: 'throttled', version, status, ...(reply.retryAfter ? { retryAfter: reply.retryAfter } : {}) } };
  if (reply.incomplete === 'too-large') return bad(version, reply, `the response is larger than ${mib(reply.bytes - 1)} (xfed stopped reading)`);
  if (reply.incomplete === 'truncated') return bad(version, reply, `the response was cut off after ${reply.bytes} bytes (connection closed mid-body)`);
  if (status !== 200 && status !== 500) {
    const title = /html/i.test(reply.contentType) ? htmlSummary(reply.body) : undefined;
    return bad(version, reply, `HTTP ${status}${title ? ` ("${title}")` : ''} where AXL answers 200 or a 500 SOAP fault`);
  }
  let a: ReturnType<typeof parseAxlResponse>;
  try {
    a = parseAxlResponse(reply.body);
  } catch (e) {
    if (e instanceof BadSoapError) return bad(version, reply, `${status === 500 ? 'HTTP 500 without a SOAP fault: ' : ''}${e.reason}`);
    throw e;
  }
  if (a.kind === 'rows') {
    if (status !== 200) return bad(version, reply, `HTTP ${status} with a result set`);
    return { exchange: { kind: 'rows', version, status, rowCount: a.rows.length }, rows: a.rows };
  }
  return {
    exchange: {
      kind: 'fault',
      version,
      status,
      faultcode: a.faultcode,
      faultstring: a.faultstring,
      ...(a.axlcode !== undefined ? { axlcode: a.axlcode } : {}),
      ...(a.axlmessage ? { axlmessage: a.axlmessage } : {}),
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The SOAP side of one run: one client, the current version, and the facts it fills. */
class Session {
  version: string;
  constructor(
    readonly client: AxlClient,
    readonly input: ObserveAxlInput,
    readonly facts: AxlFacts,
    readonly ctx: ObserveContext,
  ) {
    this.version = input.axlVersion ?? DEFAULT_AXL_VERSION;
  }

  private async call(q: string): Promise<Outcome> {
    const { facts, version } = this;
    if (!facts.versionsTried.includes(version)) facts.versionsTried.push(version);
    this.ctx.onProgress?.(`executeSQLQuery (ver=${version})`);
    try {
      const reply = await this.client.executeSqlQuery(q, version);
      facts.http.lastStatus = reply.status;
      facts.http.ms.push(Math.round(reply.ms * 10) / 10);
      return classifyReply(reply, version);
    } catch (e) {
      if (!(e instanceof AxlTransportError)) throw e;
      return { exchange: { kind: 'transport', version, error: { kind: e.kind, message: e.message, ...(e.code ? { code: e.code } : {}) } } };
    }
  }

  /** One query with version negotiation (one retry on 599) and one retry on 503. */
  async query(q: string): Promise<Outcome> {
    let out = await this.call(q);
    if (out.exchange.kind === 'version' && !this.input.axlVersion) {
      const next = bestVersion(out.exchange.supported);
      if (next && next !== this.version) {
        this.facts.supportedVersions = out.exchange.supported;
        this.version = next;
        out = await this.call(q);
      }
    }
    if (out.exchange.kind === 'throttled') {
      const ra = Number(out.exchange.retryAfter);
      await sleep(this.input.throttleRetryMs ?? (Number.isFinite(ra) && ra >= 0 ? Math.min(ra * 1000, 2000) : 500));
      out = await this.call(q);
    }
    return out;
  }

  /** The main query, with the singular table name tried once on Informix -206. */
  async main(): Promise<void> {
    const { facts, input } = this;
    let out = await this.query(facts.sql);
    let table = S2S_TABLE;
    if (out.exchange.kind === 'fault' && out.exchange.axlcode === -206 && !input.customSql) {
      const alt = await this.query(s2sQuery(S2S_TABLE_ALT));
      if (alt.exchange.kind === 'rows') {
        out = alt;
        table = S2S_TABLE_ALT;
        facts.sql = s2sQuery(S2S_TABLE_ALT);
      }
    }
    facts.query = out.exchange;
    if (out.exchange.kind === 'rows' || out.exchange.kind === 'fault') facts.axlVersion = this.version;
    if (out.exchange.kind === 'version') facts.supportedVersions = out.exchange.supported;
    if (out.rows) {
      facts.rows = out.rows;
      facts.rowCount = out.rows.length;
      if (!input.customSql) facts.table = table;
    }
    if (out.exchange.kind === 'transport' && (out.exchange.error.kind === 'tls-untrusted' || out.exchange.error.kind === 'tls-name')) {
      const ep = facts.endpoint;
      const peer = await peerCertificate(ep.host, ep.port, input.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      if (peer) facts.tls.peer = peer;
    }
  }

  async servicePage(): Promise<void> {
    this.ctx.onProgress?.('GET /axl/');
    try {
      const r = await this.client.getServicePage();
      const ok = r.status === 200 && /AXL Web Service/i.test(r.body);
      const page = htmlSummary(r.body);
      this.facts.servicePage = { status: r.status, ok, ...(page ? { page } : {}), ...(ok ? {} : { excerpt: bodyText(r.body, 200) }) };
    } catch (e) {
      if (!(e instanceof AxlTransportError)) throw e;
      this.facts.servicePage = { status: 0, ok: false };
    }
  }

  async federation(): Promise<void> {
    this.ctx.onProgress?.('XMPP federation service');
    const out = await this.query(FEDERATION_SERVICE_SQL);
    this.facts.federation = out.rows ? { checked: true, services: out.rows } : { checked: false, services: [], outcome: out.exchange };
  }
}

/** Runs the AXL exchanges against one IM&P node. Never throws for network trouble: that is a fact. */
export async function observeAxl(input: ObserveAxlInput, ctx: ObserveContext = {}): Promise<AxlFacts> {
  const ep = input.endpoint;
  const facts: AxlFacts = {
    url: `${ep.origin}${ep.path}`,
    endpoint: { host: ep.host, port: ep.port, path: ep.path, display: ep.display },
    user: input.user,
    versionPinned: input.axlVersion !== undefined,
    versionsTried: [],
    sql: input.sql,
    customSql: input.customSql,
    query: { kind: 'transport', version: input.axlVersion ?? DEFAULT_AXL_VERSION, error: { kind: 'other', message: 'no request was made' } },
    expected: [],
    unexpected: [],
    tls: { verify: !input.insecure, ...(input.caSource ? { ca: input.caSource } : {}), customCa: Boolean(input.ca) },
    http: { requests: 0, ms: [] },
  };
  const client = new AxlClient({
    origin: ep.origin,
    path: ep.path,
    user: input.user,
    password: input.password,
    timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    insecure: Boolean(input.insecure),
    ...(input.ca ? { ca: input.ca } : {}),
    maxResponseBytes: input.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
  });
  const session = new Session(client, input, facts, ctx);
  try {
    await session.main();
    if (input.all && (facts.query.kind === 'rows' || facts.query.kind === 'fault')) {
      await session.servicePage();
      await session.federation();
    }
  } finally {
    facts.http.requests = client.requests;
    await client.close();
  }
  return facts;
}
