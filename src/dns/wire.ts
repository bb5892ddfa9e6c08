/**
 * Decoding DNS answers (RFC 1035 §4.1, name compression §4.1.4) into xfed's
 * records. dns2's bit-level reader costs ~55 µs an answer, most of check-dns's
 * CPU at a thousand domains, and loading dns2 adds ~40 ms to every start; this
 * reads bytes directly. test/dns/check-dns.test.ts checks it against dns2's
 * decoder on real answers from unbound.
 */
import type { DnsRecord, RRType } from './client.js';

export const TYPE_CODES: Record<RRType, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, TXT: 16, AAAA: 28, SRV: 33, TLSA: 52 };
export const TYPE_NAMES: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 50: 'NSEC3', 52: 'TLSA' };
/** DNSSEC proof records (RFC 4034) that answers carry when the DO bit is set: not kept (the AD flag says what they proved). */
const PROOF_TYPES = new Set(['RRSIG', 'NSEC', 'NSEC3']);
/** TLSA association data longer than this is not kept as hex (a full certificate is a few KiB; 65,535 is the message). */
const MAX_TLSA_DATA = 16_384;
const MAX_POINTERS = 64;

export interface WireMessage {
  id: number;
  qr: boolean;
  aa: boolean;
  tc: boolean;
  /** Authentic Data (RFC 4035 §3.2.3): a validating resolver vouches for the answer and authority sections. */
  ad: boolean;
  /** Checking Disabled was set (echoed from the query). */
  cd: boolean;
  rcode: number;
  qname: string;
  qtype: number;
  qclass: number;
  answers: DnsRecord[];
  authority: DnsRecord[];
}

class Malformed extends Error {}

function readName(buf: Buffer, start: number): [string, number] {
  const labels: string[] = [];
  let o = start;
  let end = -1;
  let jumps = 0;
  let length = 0;
  for (;;) {
    if (o >= buf.length) throw new Malformed('name runs past the message');
    const len = buf[o]!;
    if (len === 0) {
      o++;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (o + 1 >= buf.length || ++jumps > MAX_POINTERS) throw new Malformed('bad compression pointer');
      if (end < 0) end = o + 2;
      o = ((len & 0x3f) << 8) | buf[o + 1]!;
      continue;
    }
    if (len > 63) throw new Malformed('label longer than 63');
    if (o + 1 + len > buf.length) throw new Malformed('label runs past the message');
    length += len + 1;
    if (length > 255) throw new Malformed('name longer than 255');
    labels.push(buf.toString('latin1', o + 1, o + 1 + len).toLowerCase());
    o += 1 + len;
  }
  return [labels.join('.'), end < 0 ? o : end];
}

/** RFC 5952 text form: lowercase, no leading zeros, the longest run of two or more zero groups as "::". */
export function ipv6Text(b: Buffer, o: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(o + i * 2));
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function readRecord(buf: Buffer, start: number): [DnsRecord, number] {
  const [name, o] = readName(buf, start);
  if (o + 10 > buf.length) throw new Malformed('record header runs past the message');
  const typeNum = buf.readUInt16BE(o);
  const ttl = buf.readUInt32BE(o + 4);
  const rdlen = buf.readUInt16BE(o + 8);
  const r = o + 10;
  const end = r + rdlen;
  if (end > buf.length) throw new Malformed('rdata runs past the message');
  const type = TYPE_NAMES[typeNum] ?? `TYPE${typeNum}`;
  const rec: DnsRecord = { name, type, ttl, data: '' };
  switch (type) {
    case 'A':
      if (rdlen !== 4) throw new Malformed('A rdata is not 4 bytes');
      rec.address = `${buf[r]}.${buf[r + 1]}.${buf[r + 2]}.${buf[r + 3]}`;
      rec.data = rec.address;
      break;
    case 'AAAA':
      if (rdlen !== 16) throw new Malformed('AAAA rdata is not 16 bytes');
      rec.address = ipv6Text(buf, r);
      rec.data = rec.address;
      break;
    case 'CNAME':
    case 'NS':
    case 'PTR':
      rec.target = readName(buf, r)[0];
      rec.data = rec.target;
      break;
    case 'SRV': {
      if (rdlen < 7) throw new Malformed('SRV rdata too short');
      rec.priority = buf.readUInt16BE(r);
      rec.weight = buf.readUInt16BE(r + 2);
      rec.port = buf.readUInt16BE(r + 4);
      rec.target = readName(buf, r + 6)[0];
      rec.data = `${rec.priority} ${rec.weight} ${rec.port} ${rec.target || '.'}`;
      break;
    }
    case 'SOA': {
      const [mname, o1] = readName(buf, r);
      const [rname, o2] = readName(buf, o1);
      rec.data = `${mname} ${rname} ${o2 + 4 <= end ? buf.readUInt32BE(o2) : 0}`;
      break;
    }
    case 'TLSA':
      readTlsa(buf, r, rdlen, rec);
      break;
    case 'TXT': {
      const parts: string[] = [];
      for (let p = r; p < end; ) {
        const l = buf[p]!;
        parts.push(buf.toString('utf8', p + 1, Math.min(end, p + 1 + l)));
        p += 1 + l;
      }
      rec.data = parts.join('');
      break;
    }
  }
  return [rec, end];
}

/**
 * TLSA rdata (RFC 6698 §2.1): usage, selector, matching type (one byte each) and the
 * association data. Rdata that cannot be read is named in `malformed`, never thrown: one bad
 * record must not cost the rest of the answer.
 */
function readTlsa(buf: Buffer, r: number, rdlen: number, rec: DnsRecord): void {
  if (rdlen < 4) {
    rec.malformed = `TLSA rdata of ${rdlen} byte${rdlen === 1 ? '' : 's'} (at least 4 needed: usage, selector, matching type, data)`;
    return;
  }
  const dataLen = rdlen - 3;
  rec.tlsa = { usage: buf[r]!, selector: buf[r + 1]!, matchingType: buf[r + 2]!, data: dataLen > MAX_TLSA_DATA ? '' : buf.toString('hex', r + 3, r + rdlen) };
  if (dataLen > MAX_TLSA_DATA) rec.malformed = `TLSA association data of ${dataLen} bytes (more than ${MAX_TLSA_DATA}; not kept)`;
  rec.data = `${rec.tlsa.usage} ${rec.tlsa.selector} ${rec.tlsa.matchingType} ${rec.tlsa.data || '-'}`;
}

/** Decodes a whole DNS message; undefined when it is malformed. */
export function decodeMessage(buf: Buffer): WireMessage | undefined {
  try {
    if (buf.length < 12) return undefined;
    const flags = buf.readUInt16BE(2);
    const qd = buf.readUInt16BE(4);
    const an = buf.readUInt16BE(6);
    const ns = buf.readUInt16BE(8);
    let o = 12;
    let qname = '';
    let qtype = 0;
    let qclass = 0;
    for (let i = 0; i < qd; i++) {
      const [n, next] = readName(buf, o);
      if (next + 4 > buf.length) return undefined;
      if (i === 0) {
        qname = n;
        qtype = buf.readUInt16BE(next);
        qclass = buf.readUInt16BE(next + 2);
      }
      o = next + 4;
    }
    const answers: DnsRecord[] = [];
    const authority: DnsRecord[] = [];
    for (let i = 0; i < an + ns; i++) {
      const [rec, next] = readRecord(buf, o);
      if (!PROOF_TYPES.has(rec.type)) (i < an ? answers : authority).push(rec);
      o = next;
    }
    return {
      id: buf.readUInt16BE(0),
      qr: (flags & 0x8000) !== 0,
      aa: (flags & 0x0400) !== 0,
      tc: (flags & 0x0200) !== 0,
      ad: (flags & 0x0020) !== 0,
      cd: (flags & 0x0010) !== 0,
      rcode: flags & 0x000f,
      qname,
      qtype,
      qclass,
      answers,
      authority,
    };
  } catch (e) {
    if (e instanceof Malformed || e instanceof RangeError) return undefined;
    throw e;
  }
}
