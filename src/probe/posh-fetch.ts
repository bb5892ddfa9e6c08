/**
 * The HTTP side of POSH (RFC 7711): one GET over HTTPS with undici, the host resolved through
 * the probe's DNS client (never the system resolver), the probe's trust (--ca plus the bundled
 * roots), no redirects followed here (the caller handles 3xx), no credentials (no cookies, no
 * authorization header, no userinfo), the body streamed and cut at a size limit, and a time limit.
 */
import type { LookupFunction } from 'node:net';
import { isIP } from '../core/ip.js';
import { within } from '../core/wait-for.js';
// The default import: `tls.rootCertificates` is a getter that builds the roots on first use.
import tls from 'node:tls';
import { loadUndici } from '../core/undici.js';
import type { DnsClient } from '../dns/client.js';
import { resolveAddresses } from '../dns/xmpp-srv.js';
import { anchorsOf } from './chain.js';
import type { PoshRequest } from './posh-types.js';

/** Largest POSH file read (bytes): a file of a few fingerprints is well under 1 KiB. */
export const POSH_MAX_BYTES = 64 * 1024;

export interface PoshFetchEnv {
  dns: DnsClient;
  ca?: string[] | undefined;
  family?: 4 | 6 | undefined;
  /** TCP + TLS connect timeout (ms). */
  connectMs: number;
  /** performance.now() at which the whole POSH fetch stops. */
  until: number;
}

export interface PoshAnswer {
  request: PoshRequest;
  /** The body (status 2xx only), at most POSH_MAX_BYTES. */
  body?: Buffer;
}

/** A URL that may carry credentials or leave HTTPS is never asked. */
export function urlProblem(url: URL): 'not-https' | 'credentials' | undefined {
  if (url.protocol !== 'https:') return 'not-https';
  if (url.username || url.password) return 'credentials';
  return undefined;
}

/** A URL as facts keep it: credentials never recorded, and at most 2000 characters. */
export function safeUrl(text: string, base?: URL): string {
  try {
    const u = new URL(text, base);
    if (u.username || u.password) {
      u.username = 'redacted';
      u.password = '';
    }
    return u.href.slice(0, 2000);
  } catch {
    return text.slice(0, 2000);
  }
}

function left(env: PoshFetchEnv): number {
  return Math.max(0, Math.floor(env.until - performance.now()));
}

/** The first address of `host` (of the wanted family), through the probe's DNS client. */
async function addressOf(env: PoshFetchEnv, host: string): Promise<{ address: string; family: 4 | 6 } | { code: string; error: string }> {
  const bare = host.replace(/^\[|\]$/g, '');
  const ip = isIP(bare);
  if (ip) return { address: bare, family: ip === 6 ? 6 : 4 };
  const r = await within(resolveAddresses(env.dns, host), left(env));
  if (!r) return { code: 'TIMEOUT', error: `no DNS answer for ${host} in time` };
  // IPv4 first: a one-attempt fetch should not fall on an IPv6 route that is often missing.
  const list = [...r.addresses].sort((a, b) => a.family - b.family).filter((a) => !env.family || a.family === env.family);
  if (!list.length) return { code: 'NOADDRESS', error: `no ${env.family ? `IPv${env.family} ` : ''}address for ${host} (${r.responses.map((x) => `${x.type} ${x.rcode}`).join(', ')})` };
  return { address: list[0]!.address, family: list[0]!.family };
}

function codeOf(e: unknown, timedOut: boolean): { code: string; error: string } {
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const inner = err?.cause ?? err;
  const c = String(inner?.code ?? err?.code ?? '');
  const msg = String(inner?.message ?? err?.message ?? e);
  if (timedOut || c === 'UND_ERR_HEADERS_TIMEOUT' || c === 'UND_ERR_BODY_TIMEOUT' || c === 'UND_ERR_ABORTED' || err?.name === 'AbortError') return { code: 'TIMEOUT', error: 'no complete answer in time' };
  if (c === 'UND_ERR_CONNECT_TIMEOUT') return { code: 'CONNECT-TIMEOUT', error: 'no TCP/TLS connection in time' };
  if (c === 'ECONNREFUSED') return { code: 'ECONNREFUSED', error: 'connection refused' };
  if (/CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|ERR_SSL|EPROTO/.test(c)) return { code: 'TLS', error: `${c}: ${msg}` };
  return { code: 'ERROR', error: c ? `${c}: ${msg}` : msg };
}

/** One GET of `url`; never throws. */
export async function poshGet(env: PoshFetchEnv, url: URL): Promise<PoshAnswer> {
  const t0 = performance.now();
  const req: PoshRequest = { url: url.href, ms: 0 };
  const done = (extra: Partial<PoshRequest>, body?: Buffer): PoshAnswer => {
    Object.assign(req, extra, { ms: Math.round(performance.now() - t0) });
    return body ? { request: req, body } : { request: req };
  };
  const a = await addressOf(env, url.hostname);
  if ('code' in a) return done(a);
  req.address = a.address;
  const lookup: LookupFunction = (_host, opts, cb) => {
    if (opts.all) (cb as unknown as (e: null, l: Array<{ address: string; family: number }>) => void)(null, [{ address: a.address, family: a.family }]);
    else cb(null, a.address, a.family);
  };
  const budget = left(env);
  if (budget <= 0) return done({ code: 'TIMEOUT', error: 'no time left' });
  const ac = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, budget);
  // undici loads only now: a peer without a POSH host costs the probe no HTTP library.
  const { Agent, request } = await loadUndici();
  const agent = new Agent({
    connect: {
      lookup,
      timeout: Math.min(env.connectMs, budget),
      ...(env.ca?.length ? { ca: [...tls.rootCertificates, ...anchorsOf(env.ca)] } : {}),
    },
    headersTimeout: budget,
    bodyTimeout: budget,
    pipelining: 0,
  });
  try {
    const res = await request(url, {
      dispatcher: agent,
      method: 'GET',
      headers: { accept: 'application/json', 'user-agent': 'xfed (POSH check, RFC 7711)' },
      signal: ac.signal,
    });
    const status = res.statusCode;
    if (status < 200 || status >= 300) {
      const location = res.headers.location;
      await res.body.dump({ limit: 4096 }).catch(() => {});
      return done({ status, ...(typeof location === 'string' ? { location: safeUrl(location, url) } : {}) });
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > POSH_MAX_BYTES) {
        res.body.destroy();
        return done({ status, bytes: POSH_MAX_BYTES, code: 'TOO-LARGE', error: `more than ${POSH_MAX_BYTES} bytes` });
      }
      chunks.push(chunk);
    }
    return done({ status, bytes }, Buffer.concat(chunks));
  } catch (e) {
    return done(codeOf(e, timedOut));
  } finally {
    clearTimeout(timer);
    agent.destroy().catch(() => {});
  }
}
