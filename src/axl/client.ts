/**
 * The HTTP side of AXL: one undici Pool per server (keep-alive, one connection, every phase
 * timed out), Basic auth, the session cookie re-used like Cisco's own clients do (go-axl keeps
 * JSESSIONIDSSO), and a response size cap enforced while the body is read.
 */
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { Pool } from 'undici';
import { TimeoutError, withTimeout } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { buildExecuteSqlQuery, soapAction } from './soap.js';

export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export interface AxlClientOptions {
  /** https://host:port (the AXL path is added per request). */
  origin: string;
  /** AXL path, `/axl/`. */
  path?: string;
  user: string;
  password: string;
  /** Trust anchors (PEM) that replace the system store, like curl --cacert. */
  ca?: string;
  /** Skip certificate verification (--insecure). */
  insecure?: boolean;
  /** Timeout of each phase (connect, headers, between body chunks), ms. */
  timeoutMs: number;
  maxResponseBytes?: number;
}

export interface HttpReply {
  status: number;
  contentType: string;
  retryAfter?: string;
  body: string;
  bytes: number;
  /** Set when the body was not read to its end: the size cap, or the peer closed mid-body. */
  incomplete?: 'too-large' | 'truncated';
  ms: number;
}

export type TransportKind = 'tls-untrusted' | 'tls-name' | 'tls-handshake' | 'refused' | 'timeout' | 'dns' | 'reset' | 'other';

/** The request never produced an HTTP response (or stalled mid-body). */
export class AxlTransportError extends Error {
  override name = 'AxlTransportError';
  constructor(
    readonly kind: TransportKind,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'INVALID_CA', 'CERT_CHAIN_TOO_LONG', 'CERT_REJECTED', 'INVALID_PURPOSE',
]);

function errCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string' && !e.code.startsWith('UND_ERR_SOCKET')) return e.code;
    if (Array.isArray(e.errors) && e.errors.length) e = e.errors[0] as typeof e;
    else e = e.cause as typeof e;
  }
  return (err as { code?: string })?.code;
}

/** Maps a node/undici error to what went wrong, for findings. */
export function classifyError(err: unknown, timeoutMs: number): AxlTransportError {
  if (err instanceof AxlTransportError) return err;
  if (err instanceof TimeoutError) return new AxlTransportError('timeout', `no complete answer within ${err.ms} ms`, 'XFED_TIMEOUT');
  const code = errCode(err);
  const msg = (err as Error)?.message ?? String(err);
  if (code && UNTRUSTED.has(code)) return new AxlTransportError('tls-untrusted', `${code}: ${msg}`, code);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return new AxlTransportError('tls-name', msg, code);
  if (code === 'ECONNREFUSED') return new AxlTransportError('refused', 'connection refused', code);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NONAME') return new AxlTransportError('dns', `name does not resolve (${code})`, code);
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return new AxlTransportError('timeout', `no TCP/TLS connection within ${timeoutMs} ms`, code);
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return new AxlTransportError('timeout', `connected, but no HTTP response within ${timeoutMs} ms`, code);
  if (code === 'UND_ERR_BODY_TIMEOUT') return new AxlTransportError('timeout', `the response stalled for ${timeoutMs} ms mid-body`, code);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return new AxlTransportError('refused', `no route (${code})`, code);
  if (code?.startsWith('ERR_SSL') || code?.startsWith('ERR_TLS') || /SSL|TLS/.test(code ?? '')) {
    return new AxlTransportError('tls-handshake', `TLS handshake failed (${code}): ${msg}`, code);
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || /other side closed|socket hang up/i.test(msg)) {
    return new AxlTransportError('reset', 'the server closed the connection without answering', code ?? 'ECONNRESET');
  }
  return new AxlTransportError('other', msg, code);
}

export class AxlClient {
  readonly origin: string;
  readonly path: string;
  private readonly pool: Pool;
  private readonly auth: string;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private cookie: string | undefined;
  private sequence = BigInt(Date.now()) * 1000n;
  requests = 0;

  constructor(opts: AxlClientOptions) {
    this.origin = opts.origin;
    this.path = opts.path ?? '/axl/';
    this.timeoutMs = opts.timeoutMs;
    this.maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const basic = Buffer.from(`${opts.user}:${opts.password}`, 'utf8').toString('base64');
    registerSecret(opts.password);
    registerSecret(basic);
    this.auth = `Basic ${basic}`;
    this.pool = new Pool(opts.origin, {
      connections: 1,
      pipelining: 1,
      connectTimeout: opts.timeoutMs,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      keepAliveTimeout: 60_000,
      connect: {
        rejectUnauthorized: !opts.insecure,
        ...(opts.ca ? { ca: opts.ca } : {}),
      },
    });
  }

  /** One executeSQLQuery call; rejects with AxlTransportError when no HTTP answer came back. */
  executeSqlQuery(sql: string, version: string): Promise<HttpReply> {
    this.sequence++;
    const body = buildExecuteSqlQuery(sql, version, this.sequence);
    return this.send('POST', {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: soapAction(version),
    }, body);
  }

  /** `GET /axl/`: an authenticated GET returns the "AXL Web Service" page (TAC 213865's manual test). */
  getServicePage(): Promise<HttpReply> {
    return this.send('GET', {}, undefined);
  }

  private async send(method: 'GET' | 'POST', headers: Record<string, string>, body: string | undefined): Promise<HttpReply> {
    const t0 = performance.now();
    this.requests++;
    const all: Record<string, string> = { ...headers, authorization: this.auth, accept: 'text/xml, text/html;q=0.5, */*;q=0.1' };
    if (this.cookie) all.cookie = this.cookie;
    try {
      // An overall deadline on top of undici's per-phase timeouts: a body that trickles in
      // just under bodyTimeout must not hold the run for ever.
      return await withTimeout('axl request', this.timeoutMs * 3, async (signal) => {
        const res = await this.pool.request({ path: this.path, method, headers: all, signal, ...(body !== undefined ? { body } : {}) });
        this.keepCookie(res.headers['set-cookie']);
        const chunks: Buffer[] = [];
        let bytes = 0;
        let incomplete: HttpReply['incomplete'];
        try {
          for await (const chunk of res.body as AsyncIterable<Buffer>) {
            bytes += chunk.length;
            if (bytes > this.maxBytes) {
              incomplete = 'too-large';
              break; // leaving the loop destroys the body stream: no more bytes are read
            }
            chunks.push(chunk);
          }
        } catch (err) {
          const c = classifyError(err, this.timeoutMs);
          if (c.kind === 'timeout') throw c;
          incomplete = 'truncated';
        }
        const ct = res.headers['content-type'];
        const ra = res.headers['retry-after'];
        return {
          status: res.statusCode,
          contentType: Array.isArray(ct) ? ct[0]! : (ct ?? ''),
          ...(ra ? { retryAfter: Array.isArray(ra) ? ra[0]! : ra } : {}),
          body: Buffer.concat(chunks).toString('utf8'),
          bytes,
          ...(incomplete ? { incomplete } : {}),
          ms: performance.now() - t0,
        };
      });
    } catch (err) {
      throw classifyError(err, this.timeoutMs);
    }
  }

  private keepCookie(h: string | string[] | undefined): void {
    if (!h) return;
    for (const c of Array.isArray(h) ? h : [h]) {
      const m = /^\s*(JSESSIONIDSSO|JSESSIONID)=([^;]*)/i.exec(c);
      if (m) {
        registerSecret(m[2]);
        this.cookie = `${m[1]}=${m[2]}`;
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy().catch(() => undefined);
  }
}

export interface CertFacts {
  subject?: string;
  issuer?: string;
  subjectAltName?: string;
  validFrom?: string;
  validTo?: string;
  fingerprint256?: string;
  selfSigned: boolean;
}

/**
 * The certificate the server presents, read without verifying it: evidence for a TLS finding
 * (what name is in it, who issued it) so the user knows which CA to pass with --ca.
 */
export function peerCertificate(host: string, port: number, timeoutMs: number): Promise<CertFacts | undefined> {
  return new Promise((resolve) => {
    const isIp = /^[\d.]+$|:/.test(host);
    const sock = tlsConnect({ host, port, rejectUnauthorized: false, ...(isIp ? {} : { servername: host }) });
    const done = (v: CertFacts | undefined) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    timer.unref?.();
    sock.once('secureConnect', () => {
      const c = sock.getPeerCertificate() as PeerCertificate | undefined;
      if (!c || !c.subject) return done(undefined);
      const dn = (o: Record<string, unknown> | undefined) => (o ? Object.entries(o).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`).join(', ') : undefined);
      const subject = dn(c.subject as unknown as Record<string, unknown>);
      const issuer = dn(c.issuer as unknown as Record<string, unknown>);
      done({
        ...(subject ? { subject } : {}),
        ...(issuer ? { issuer } : {}),
        ...(c.subjectaltname ? { subjectAltName: c.subjectaltname } : {}),
        validFrom: c.valid_from,
        validTo: c.valid_to,
        fingerprint256: c.fingerprint256,
        selfSigned: subject === issuer,
      });
    });
    sock.once('error', () => done(undefined));
  });
}
