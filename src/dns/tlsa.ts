/**
 * TLSA records (RFC 6698, RFC 7671) as check-dns and the probe read them: where they live for
 * an SRV target (RFC 7673 §3), and which records cannot be used. Pure.
 */
import type { DnsRecord } from './client.js';

/** Records of one TLSA RRset kept at most (a larger RRset is named, not kept: RFC 7671 advises a few). */
export const MAX_TLSA_RECORDS = 32;

/** The TLSA owner name of a service endpoint: `_<port>._tcp.<host>` (RFC 6698 §3, RFC 7673 §3). */
export function tlsaName(host: string, port: number): string {
  return `_${port}._tcp.${host.replace(/\.$/, '').toLowerCase()}`;
}

/** A record's rdata in presentation form, `usage selector matching-type data`, the data cut at `max` hex digits. */
export function tlsaText(r: { usage: number; selector: number; matchingType: number; data: string }, max = 64): string {
  return `${r.usage} ${r.selector} ${r.matchingType} ${r.data.length > max ? `${r.data.slice(0, max)}...` : r.data}`;
}

const DIGEST_BYTES: Record<number, number> = { 1: 32, 2: 64 };

/** Why a TLSA record cannot be used, or undefined when it can (RFC 6698 §2.1, RFC 7671 §4). */
export function tlsaProblem(r: Pick<DnsRecord, 'tlsa' | 'malformed'>): string | undefined {
  if (r.malformed) return r.malformed;
  const t = r.tlsa;
  if (!t) return 'no TLSA rdata';
  const text = `"${t.usage} ${t.selector} ${t.matchingType} ${t.data.slice(0, 16)}${t.data.length > 16 ? '...' : ''}"`;
  if (t.usage > 3) return `${text}: unknown certificate usage ${t.usage} (0-3)`;
  if (t.selector > 1) return `${text}: unknown selector ${t.selector} (0 or 1)`;
  if (t.matchingType > 2) return `${text}: unknown matching type ${t.matchingType} (0, 1 or 2)`;
  const bytes = t.data.length / 2;
  const want = DIGEST_BYTES[t.matchingType];
  if (want !== undefined && bytes !== want) return `${text}: ${bytes} bytes of association data for ${t.matchingType === 1 ? 'SHA-256' : 'SHA-512'} (${want} expected)`;
  if (bytes === 0) return `${text}: no association data`;
  return undefined;
}

export interface ReadTlsa {
  /** Usable-looking records (well formed), at most MAX_TLSA_RECORDS. */
  records: Array<{ usage: number; selector: number; matchingType: number; data: string; ttl: number }>;
  /** Records that cannot be used, in words. */
  malformed: string[];
}

/** Splits a TLSA answer into well-formed records and named problems. */
export function readTlsaRecords(records: DnsRecord[]): ReadTlsa {
  const out: ReadTlsa = { records: [], malformed: [] };
  for (const r of records) {
    const problem = tlsaProblem(r);
    if (problem) out.malformed.push(problem);
    else if (out.records.length < MAX_TLSA_RECORDS) out.records.push({ ...r.tlsa!, ttl: r.ttl });
  }
  const kept = out.records.length + out.malformed.length;
  if (records.length > kept) out.malformed.push(`${records.length - kept} more TLSA records not read (at most ${MAX_TLSA_RECORDS} are kept)`);
  if (out.malformed.length > MAX_TLSA_RECORDS) out.malformed.splice(MAX_TLSA_RECORDS, out.malformed.length, `and ${out.malformed.length - MAX_TLSA_RECORDS} more unusable records`);
  return out;
}
