/**
 * DNS over TCP (RFC 1035 §4.2.2, RFC 7766): one connection per question. Messages are read
 * one after another from the stream; one that does not answer the question (wrong ID, other
 * question, undecodable) is skipped, and named if no valid one follows.
 */
import { createConnection, type Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import type { ResolverAddress, RRType } from './client.js';
import { badAnswer, decode, encodeQuery, mismatch, networkFailure, question, sameQuestion, undecodable, type Outcome, type QueryFlags } from './message.js';

/** Bytes read from one connection before giving up on it (a valid answer is at most 64 KiB). */
const MAX_STREAM = 1 << 20;

export function tcpQuery(to: ResolverAddress, name: string, type: RRType, timeout: number, flags: QueryFlags = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const id = randomInt(0x10000);
    const q = question(name, type);
    const msg = encodeQuery(id, name, type, flags);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(msg.length);
    let bad: string | undefined;
    let total = 0;
    let buf = Buffer.alloc(0);
    let sock: Socket | undefined;
    const finish = (v: Outcome) => {
      clearTimeout(timer);
      sock?.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish(bad ? badAnswer(`${bad} within ${timeout} ms`) : { rcode: 'TIMEOUT', error: `no answer within ${timeout} ms` }), timeout);
    try {
      sock = createConnection({ host: to.address, port: to.port });
    } catch (e) {
      finish(networkFailure(e));
      return;
    }
    const s = sock;
    s.on('connect', () => s.write(Buffer.concat([len, msg])));
    s.on('data', (chunk) => {
      total += chunk.length;
      if (total > MAX_STREAM) return finish(badAnswer(`more than ${MAX_STREAM} bytes without a valid answer`));
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const n = buf.readUInt16BE(0);
        const d = decode(buf.subarray(2, 2 + n));
        buf = buf.subarray(2 + n);
        if (d && d.id === id && sameQuestion(d, q)) return finish(d);
        bad = d ? mismatch(d, id) : undecodable(n);
      }
    });
    s.on('error', (e) => finish(networkFailure(e)));
    s.on('end', () => finish(bad ? badAnswer(bad) : buf.length ? badAnswer(`a message cut short (${buf.length} bytes) before closing`) : { rcode: 'NETERR', error: 'connection closed before the answer' }));
  });
}
