/**
 * DANE for the probe (RFC 6698, RFC 7671, RFC 7673): after TLS, the TLSA RRset of the target
 * the session ran on (`_<port>._tcp.<host>`), asked through the probe's own DNS client (with
 * the DO bit, like every question), matched against the chain the server presented.
 *
 * DANE applies (`usable`) only when the TLSA RRset is authenticated, the SRV RRset that led to
 * the host too (when one did), and a record has usage 2 (DANE-TA) or 3 (DANE-EE). DANE-EE
 * matches the leaf only; DANE-TA any certificate of the presented chain (RFC 7671 §5.2.2: the
 * server sends its trust anchor). Evaluation: probe.dane.match / probe.dane.mismatch.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from '../core/ip.js';
import { answerRecords } from '../dns/client.js';
import { readTlsaRecords, tlsaName, tlsaText } from '../dns/tlsa.js';
import type { Evidence } from '../core/result.js';
import { REF } from '../findings/refs.js';
import type { Draft } from './common.js';
import { beforeDeadline, type ObserveCtx } from './context.js';
import type { DaneFacts, TlsaRecordFacts } from './dane-types.js';
import type { ProbeFacts } from './types.js';


/** The bytes a selector picks from a certificate: 0 the whole DER, 1 its SubjectPublicKeyInfo (DER). */
function selected(der: Buffer, selector: number): Buffer | undefined {
  if (selector === 0) return der;
  if (selector !== 1) return undefined;
  try {
    return new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
  } catch {
    return undefined;
  }
}

/** The association data of `bytes` for a matching type: 0 exact, 1 SHA-256, 2 SHA-512 (hex). */
function associate(bytes: Buffer, matchingType: number): string | undefined {
  if (matchingType === 0) return bytes.toString('hex');
  if (matchingType === 1) return createHash('sha256').update(bytes).digest('hex');
  if (matchingType === 2) return createHash('sha512').update(bytes).digest('hex');
  return undefined;
}

/** Indexes of the chain certificates (0 = leaf) whose selected bytes match a record. */
export function matchChain(chain: Buffer[], r: { selector: number; matchingType: number; data: string }): number[] {
  const out: number[] = [];
  chain.forEach((der, i) => {
    const bytes = selected(der, r.selector);
    if (bytes && associate(bytes, r.matchingType) === r.data.toLowerCase()) out.push(i);
  });
  return out;
}

/** The record to publish for a leaf ("3 1 1" + SHA-256 of its SubjectPublicKeyInfo), or undefined. */
export function spkiSha256(der: Buffer): string | undefined {
  const spki = selected(der, 1);
  return spki ? createHash('sha256').update(spki).digest('hex') : undefined;
}

/** Whether every SRV answer that named `host` was authenticated; undefined when no SRV record led to it. */
export function srvAuthenticated(facts: ProbeFacts, host: string): boolean | undefined {
  const source = facts.attempts.find((a) => a.ok && a.host === host)?.source;
  if (source !== 'srv') return undefined;
  const h = host.replace(/\.$/, '').toLowerCase();
  const led = (facts.resolve?.responses ?? []).filter((r) => r.type === 'SRV' && r.records.some((x) => x.split(' ')[3]?.replace(/\.$/, '').toLowerCase() === h));
  return led.length > 0 && led.every((r) => r.authenticated === true);
}

/** Builds the DANE facts from a TLSA answer and the presented chain (pure: unit-tested). */
export function daneFacts(name: string, rcode: string, tlsaAuthenticated: boolean, srvAuth: boolean | undefined, records: ReturnType<typeof readTlsaRecords>, chain: Buffer[], sent = chain.length): DaneFacts {
  const recs: TlsaRecordFacts[] = records.records.map((r) => ({ usage: r.usage, selector: r.selector, matchingType: r.matchingType, data: r.data, matches: matchChain(chain, r) }));
  const daneUsage = recs.filter((r) => r.usage === 2 || r.usage === 3);
  const usable = tlsaAuthenticated && srvAuth !== false && daneUsage.length > 0;
  const facts: DaneFacts = { name, rcode, ...(srvAuth !== undefined ? { srvAuthenticated: srvAuth } : {}), tlsaAuthenticated, usable, records: recs };
  if (records.malformed.length) facts.malformed = records.malformed;
  if (sent < chain.length) facts.sent = sent;
  const spki = chain[0] ? spkiSha256(chain[0]) : undefined;
  if (spki && recs.length) facts.leafSpkiSha256 = spki;
  if (usable) {
    for (const r of daneUsage) {
      // DANE-EE binds the leaf only (RFC 7671 §5.1); DANE-TA any certificate the server sent, or
      // any of the chain when the record holds the whole trust anchor ("2 0 0", §5.2.2).
      const idx = r.usage === 3 ? r.matches.filter((i) => i === 0) : r.matches.filter((i) => i < sent || (r.selector === 0 && r.matchingType === 0));
      if (idx.length) {
        facts.matched = { usage: r.usage as 2 | 3, selector: r.selector, matchingType: r.matchingType, certIndex: idx[0]! };
        break;
      }
    }
  }
  return facts;
}

/** After TLS: asks the TLSA RRset of the connected target and matches it (never throws; no DANE facts when it cannot ask). */
export async function observeDane(ctx: ObserveCtx): Promise<void> {
  const c = ctx.facts.connected;
  const chain = ctx.chainDer;
  if (!c || !chain?.length || isIP(c.host)) return;
  const name = tlsaName(c.host, c.port);
  // Not a phase of its own in the timings: it runs alongside the session (like the extra handshakes).
  try {
    const r = await beforeDeadline(ctx, 'dane', ctx.dns().query(name, 'TLSA'));
    const recs = readTlsaRecords(answerRecords(r, 'TLSA').records);
    ctx.facts.dane = daneFacts(name, r.rcode, r.authenticated, srvAuthenticated(ctx.facts, c.host), recs, chain, ctx.chainSent ?? chain.length);
  } catch {
    // The probe's deadline came first: no DANE facts (the deadline is reported on its own).
  }
}

/** probe.dane.match / probe.dane.mismatch, only where DANE applies (`usable`). */
/** Why a usable record did not match: none of the chain, or only a trust anchor the server does not send. */
function mismatchText(r: TlsaRecordFacts, d: DaneFacts, certText: (i: number) => string): string {
  if (r.usage === 3) return 'matches no leaf';
  const unsent = d.sent !== undefined ? r.matches.filter((i) => i >= d.sent!) : [];
  if (unsent.length) return `matches ${certText(unsent[0]!)}, which the server does not send: a DANE-TA digest needs the trust anchor in the server's chain (RFC 7671 §5.2.2)`;
  return 'matches no certificate of the chain';
}

/** The matched record in presentation form (its parameters alone if the facts do not hold it). */
function matchedText(d: DaneFacts, m: NonNullable<DaneFacts['matched']>): string {
  const r = d.records.find((x) => x.usage === m.usage && x.selector === m.selector && x.matchingType === m.matchingType && x.matches.includes(m.certIndex));
  return r ? tlsaText(r) : `${m.usage} ${m.selector} ${m.matchingType}`;
}

export function evaluateDane(facts: ProbeFacts): Draft[] {
  const d = facts.dane;
  if (!d?.usable) return [];
  const chain = facts.tls?.chain ?? [];
  const certText = (i: number) => `#${i}${i === 0 ? ' (leaf)' : ''} ${chain[i]?.subject ?? '?'} (sha256 ${chain[i]?.sha256 ?? '?'})`;
  const where = `${facts.connected?.host}:${facts.connected?.port}`;
  if (d.matched) {
    const m = d.matched;
    return [
      {
        id: 'probe.dane.match',
        severity: 'info',
        phase: 'dane',
        title: `the certificate of ${where} matches its DNSSEC-signed TLSA record (${m.usage} ${m.selector} ${m.matchingType}, ${m.usage === 3 ? 'DANE-EE' : 'DANE-TA'})`,
        detail: m.usage === 3 ? 'Validating peers that implement DANE (Prosody 13 among them) accept this certificate by its key, with no name check (RFC 7671 §5.1).' : 'Validating peers that implement DANE accept chains to this trust anchor; the SRV target is an acceptable reference identity (RFC 7673).',
        evidence: [{ label: 'TLSA', value: `${d.name} ${matchedText(d, m)}`, source: 'DNSSEC-authenticated' }, { label: 'certificate', value: certText(m.certIndex) }],
        references: [REF.rfc7671, REF.rfc7673],
      },
    ];
  }
  const usable = d.records.filter((r) => r.usage === 2 || r.usage === 3);
  const evidence: Evidence[] = [
    ...usable.map((r) => ({ label: 'TLSA', value: `${d.name} ${tlsaText(r)}: ${mismatchText(r, d, certText)}`, source: 'DNSSEC-authenticated' })),
    ...chain.map((_, i) => ({ label: 'certificate', value: certText(i) })),
  ];
  return [
    {
      id: 'probe.dane.mismatch',
      severity: 'error',
      phase: 'dane',
      title: `the certificate of ${where} matches none of its ${usable.length} DNSSEC-signed TLSA record${usable.length === 1 ? '' : 's'} (${d.name})`,
      detail: 'Peers that validate DANE (Prosody 13 among them) refuse this server: DNSSEC says which certificate or key to expect, and the server presents another. Usually the certificate was renewed with a new key and the TLSA record was not updated first.',
      evidence,
      fix: `Publish a TLSA record for the key the server presents ("${d.name}. IN TLSA 3 1 1 ${d.leafSpkiSha256 ?? '<SHA-256 of its SubjectPublicKeyInfo>'}"), keep the old one until its TTL has passed, then remove it. Next time, roll TLSA before the certificate: publish "3 1 1" for the new key first, wait at least the TTL, then install the new certificate.`,
      references: [REF.rfc7671, REF.rfc7673, REF.rfc6698],
    },
  ];
}
