/**
 * DNS over HTTPS (RFC 8484): POST application/dns-message over undici. The answer body is
 * capped at the largest DNS message (65,535 bytes): beyond it the stream is cancelled and the
 * question fails with BADANSWER. The whole exchange, body included, ends within the timeout.
 */
import type { Pool } from 'undici';
import type { RRType } from './client.js';
import { badAnswer, decode, encodeQuery, MAX_MESSAGE, mismatch, networkFailure, question, sameQuestion, undecodable, type Outcome, type QueryFlags } from './message.js';

export interface DohTarget {
  url: URL;
  pool: Pool;
  timeout: number;
}

class TooLarge extends Error {}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown }, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > max) {
      body.destroy(new TooLarge());
      throw new TooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

export async function dohQuery(t: DohTarget, name: string, type: RRType, flags: QueryFlags = {}): Promise<Outcome> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), t.timeout);
  timer.unref?.();
  let body: { destroy(err?: Error): unknown } | undefined;
  try {
    const res = await t.pool.request({
      method: 'POST',
      path: t.url.pathname + t.url.search,
      headers: { 'content-type': 'application/dns-message', accept: 'application/dns-message' },
      // RFC 8484 §4.1: the id SHOULD be 0 for cache friendliness.
      body: encodeQuery(0, name, type, flags),
      signal: ctl.signal,
    });
    body = res.body;
    if (res.statusCode !== 200) {
      res.body.destroy();
      return { rcode: 'NETERR', error: `DoH server answered HTTP ${res.statusCode}` };
    }
    const declared = Number(res.headers['content-length']);
    if (declared > MAX_MESSAGE) {
      res.body.destroy();
      return badAnswer(`a body of ${declared} bytes (Content-Length), more than the largest DNS message (${MAX_MESSAGE}); not read`);
    }
    const buf = await readCapped(res.body, MAX_MESSAGE);
    const d = decode(buf);
    if (!d) return badAnswer(undecodable(buf.length));
    const q = question(name, type);
    if (d.id !== 0 || !sameQuestion(d, q)) return badAnswer(mismatch(d, 0));
    return d;
  } catch (e) {
    body?.destroy();
    if (e instanceof TooLarge) return badAnswer(`a body larger than the largest DNS message (${MAX_MESSAGE} bytes); the stream was cancelled`);
    const err = e as Error & { code?: string };
    const timeout = ctl.signal.aborted || err.name === 'TimeoutError' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_CONNECT_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT';
    return timeout ? { rcode: 'TIMEOUT', error: `no complete answer within ${t.timeout} ms` } : networkFailure(e);
  } finally {
    clearTimeout(timer);
  }
}
