/**
 * DNS messages as the transports (udp.ts, tcp.ts, doh.ts) exchange them: the query xfed
 * writes, the answer it accepts, and the outcome of one question on one transport.
 * An answer is accepted only for the question asked: same ID (where the transport has one),
 * same name (ASCII case-insensitively), type and class (RFC 5452 §4.2). Anything else is
 * ignored, and named as a bad answer if nothing valid comes.
 */
import { decodeMessage, TYPE_CODES, TYPE_NAMES } from './wire.js';
import type { DnsRecord, Rcode, RRType } from './client.js';

const RCODES: Record<number, Rcode> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };
export const CLASS_IN = 1;
/** The largest DNS message (RFC 1035 §4.2.2: a 16-bit length). */
export const MAX_MESSAGE = 65_535;

export interface Decoded {
  id: number;
  rcode: Rcode;
  tc: boolean;
  aa: boolean;
  /** The AD bit (RFC 4035 §3.2.3). */
  ad: boolean;
  qname: string;
  qtype: number;
  qclass: number;
  records: DnsRecord[];
  authority: DnsRecord[];
}

/** No usable answer: TIMEOUT (silence), NETERR (network), BADANSWER (only invalid answers), LOCALERR (this machine). */
export interface Failure {
  rcode: 'TIMEOUT' | 'NETERR' | 'BADANSWER' | 'LOCALERR';
  error: string;
}

export type Outcome = Decoded | Failure;

export function isDecoded(v: Outcome): v is Decoded {
  return 'id' in v;
}

/** The question one transport asks: what an answer must repeat. */
export interface Question {
  qname: string;
  qtype: number;
}

export function question(name: string, type: RRType): Question {
  return { qname: normName(name), qtype: TYPE_CODES[type] };
}

export function normName(n: string | undefined): string {
  return (n ?? '').replace(/\.$/, '').toLowerCase();
}

/** Decodes a response; undefined when it is malformed or not a response (QR=0). */
export function decode(buf: Buffer): Decoded | undefined {
  const m = decodeMessage(buf);
  if (!m || !m.qr) return undefined;
  return {
    id: m.id,
    rcode: RCODES[m.rcode] ?? (`RCODE${m.rcode}` as Rcode),
    tc: m.tc,
    aa: m.aa,
    ad: m.ad,
    qname: m.qname,
    qtype: m.qtype,
    qclass: m.qclass,
    records: m.answers,
    authority: m.authority,
  };
}

/** Names are decoded lower-case (wire.ts), so this comparison is ASCII case-insensitive. */
export function sameQuestion(d: Decoded, q: Question): boolean {
  return d.qname === q.qname && d.qtype === q.qtype && d.qclass === CLASS_IN;
}

/** Why an answer that decoded does not answer `q`, in words for the evidence. */
export function mismatch(d: Decoded, id?: number): string {
  if (id !== undefined && d.id !== id) return `an answer with the wrong message ID (${d.id}, asked ${id})`;
  const type = TYPE_NAMES[d.qtype] ?? `TYPE${d.qtype}`;
  return `an answer for another question (${d.qname || '(no question)'} ${type}${d.qclass === CLASS_IN ? '' : ` class ${d.qclass}`})`;
}

export function undecodable(bytes: number): string {
  return `an undecodable message (${bytes} bytes)`;
}

export function badAnswer(why: string): Failure {
  return { rcode: 'BADANSWER', error: `no valid answer: the server sent ${why}` };
}

/** errno codes that mean this machine ran out of something, not that the resolver failed. */
const LOCAL_ERRNO = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM']);

/** The outcome of a socket or HTTP error: LOCALERR for local resource exhaustion, else NETERR. */
export function networkFailure(e: unknown): Failure {
  const err = e as Error & { code?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code;
  if (code && LOCAL_ERRNO.has(code)) return { rcode: 'LOCALERR', error: `${code} on this machine (${code === 'EMFILE' || code === 'ENFILE' ? 'no file descriptor left' : 'out of memory or buffers'})` };
  if (code === 'ECONNREFUSED') return { rcode: 'NETERR', error: 'connection refused (no DNS server listens there)' };
  return { rcode: 'NETERR', error: err.message || String(code ?? e) };
}

/** Header flags a question may ask for beyond RD. */
export interface QueryFlags {
  /** Checking Disabled (RFC 4035 §3.2.2): the resolver answers without validating (tells a bogus zone from a broken one). */
  cd?: boolean | undefined;
}

/**
 * A standard query (RFC 1035 §4.1): header with RD, one IN question, and an
 * EDNS(0) OPT record (RFC 6891) advertising 1232 bytes (DNS Flag Day 2020: fewer
 * truncations, no fragmentation) with the DO bit (RFC 3225: a validating resolver then
 * reports AD, so every answer says whether it was authenticated without a question of
 * its own). CD on request. Written directly: dns2's bit-level writer costs ~30 µs a
 * query, a third of the whole check at a thousand domains.
 */
export function encodeQuery(id: number, name: string, type: RRType, flags: QueryFlags = {}): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const qnameLen = labels.reduce((n, l) => n + 1 + Buffer.byteLength(l), 1);
  const buf = Buffer.alloc(12 + qnameLen + 4 + 11);
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(flags.cd ? 0x0110 : 0x0100, 2); // RD (+ CD)
  buf.writeUInt16BE(1, 4); // QDCOUNT
  buf.writeUInt16BE(1, 10); // ARCOUNT (OPT)
  let o = 12;
  for (const l of labels) {
    o = buf.writeUInt8(Buffer.byteLength(l), o);
    o += buf.write(l, o, 'ascii');
  }
  o = buf.writeUInt8(0, o);
  o = buf.writeUInt16BE(TYPE_CODES[type], o);
  o = buf.writeUInt16BE(CLASS_IN, o);
  // OPT: root name, TYPE 41, CLASS = UDP payload size, TTL = rcode/version/flags (DO), RDLEN 0.
  o = buf.writeUInt8(0, o);
  o = buf.writeUInt16BE(41, o);
  o = buf.writeUInt16BE(1232, o);
  o = buf.writeUInt32BE(0x8000, o); // extended rcode 0, version 0, DO
  buf.writeUInt16BE(0, o);
  return buf;
}
