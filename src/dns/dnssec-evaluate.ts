/**
 * check-dns evaluation of DNSSEC and TLSA facts (dnssec.ts): signed, unsigned, bogus, a
 * resolver that does not validate, TLSA records peers would ignore or cannot use. Pure.
 *
 * RFC 4035 §3.2.3 (AD), §3.2.2 (CD); RFC 6698, RFC 7671 (TLSA); RFC 7673 (DANE for SRV:
 * DANE applies only when both the SRV and the TLSA RRsets are authenticated).
 */
import type { Evidence, Finding, Severity } from '../core/result.js';
import { finding } from '../core/result.js';
import { REF } from '../findings/refs.js';
import { conclusive } from './client.js';
import type { DnsFacts, EvaluateDnsOptions, OptionNames, QueryLog, TlsaInfo } from './facts.js';
import { tlsaText } from './tlsa.js';

type Add = (f: Omit<Parameters<typeof finding>[0], 'target'>) => void;

/** The `name type` keys of questions that failed because of DNSSEC (bogus): dns.resolver.failed leaves them to dns.dnssec.bogus. */
export function bogusKeys(s: DnsFacts): Set<string> {
  return new Set((s.dnssec?.bogus ?? []).map((b) => `${b.name}|${b.type}`));
}

/** Whether a name is the domain or under it (the domain's own zone, or a child of it). */
function inDomain(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

function adText(q: QueryLog): string {
  return `${q.rcode}, ${q.authenticated ? 'AD (authenticated)' : 'no AD (not authenticated)'}`;
}

export function evaluateDnssec(s: DnsFacts, opts: EvaluateDnsOptions, names: OptionNames): Finding[] {
  const out: Finding[] = [];
  const add: Add = (f) => out.push(finding({ phase: 'dnssec', ...f, target: s.domain }));
  const d = s.dnssec;
  if (!d) return out;
  if (!d.validating) {
    add({
      id: 'dns.dnssec.resolver-not-validating',
      severity: 'info',
      title: `The resolver does not validate DNSSEC: no DNSSEC verdict for ${s.unicode}`,
      detail: 'The root zone is signed, so a validating resolver answers ". SOA" (asked with the DO bit) with the AD flag. Without it, xfed cannot tell signed from unsigned or bogus, and TLSA records cannot be judged.',
      evidence: [{ label: '. SOA', value: `${d.probe.rcode}${d.probe.error ? `: ${d.probe.error}` : ''}, ${d.probe.authenticated ? 'AD' : 'no AD'}`, source: d.probe.resolver }],
      fix: `For DNSSEC and DANE verdicts, ask a validating resolver (${names.resolver}), for example a local unbound with its default trust anchor.`,
      references: [REF.rfc4035],
    });
    out.push(...evaluateTlsa(s, s.tlsa ?? [], false));
    return out;
  }
  if (d.bogus.length) {
    const first = d.bogus[0]!;
    add({
      id: 'dns.dnssec.bogus',
      severity: 'error',
      title: `DNSSEC validation fails for ${first.name} (${first.type})${d.bogus.length > 1 ? ` and ${d.bogus.length - 1} more` : ''}: validating peers cannot resolve it`,
      detail: 'The validating resolver answers SERVFAIL, but answers with checking disabled (CD=1): the records exist and their signatures do not validate (expired or missing RRSIGs, or a DS at the parent that matches no DNSKEY). Every peer behind a validating resolver fails the same way and cannot reach this domain.',
      evidence: d.bogus.map((b) => ({ label: `${b.type} ${b.name}`, value: `${b.rcode}; with CD=1: ${b.cdRcode}`, source: b.resolver })),
      fix: 'Re-sign the zone (or let the signer run again: RRSIGs expire) and check that the DS record at the parent matches a DNSKEY the zone publishes; while it is broken, removing the DS at the registrar makes the zone insecure rather than bogus.',
      references: [REF.rfc4035, REF.rfc4033],
    });
    return out;
  }
  signedOrNot(s, opts, names, add);
  out.push(...evaluateTlsa(s, s.tlsa ?? [], true));
  return out;
}

/** The domain's own answers (SRV, A/AAAA of the domain and of targets under it): all authenticated, or not. */
function signedOrNot(s: DnsFacts, opts: EvaluateDnsOptions, names: OptionNames, add: Add): void {
  const own = s.queries.filter((q) => inDomain(q.name, s.domain) && q.type !== 'TLSA' && conclusive(q));
  if (!own.length) return;
  const unsigned = own.filter((q) => !q.authenticated);
  const ev: Evidence[] = own.map((q) => ({ label: `${q.type} ${q.name}`, value: adText(q), source: q.resolver }));
  if (!unsigned.length) {
    add({
      id: 'dns.dnssec.signed',
      severity: 'info',
      title: `${s.unicode} is DNSSEC-signed: its answers are authenticated`,
      detail: 'The validating resolver set the AD flag on every answer about the domain: peers that validate can trust its SRV records (and TLSA records, for DANE).',
      evidence: ev,
      references: [REF.rfc4035],
    });
    return;
  }
  const sev: Severity = opts.dnssec ? 'warning' : 'info';
  const partly = unsigned.length < own.length;
  add({
    id: 'dns.dnssec.unsigned',
    severity: sev,
    title: partly ? `Part of ${s.unicode} is not DNSSEC-signed (${unsigned.map((q) => q.name).filter((n, i, a) => a.indexOf(n) === i).join(', ')})` : `${s.unicode} is not DNSSEC-signed`,
    detail: `The validating resolver did not set the AD flag${partly ? ' on these answers' : ''}: the zone is insecure (no chain of trust from the root). Federation works, but DANE (TLSA) cannot apply and SRV answers can be forged on the path.${opts.dnssec ? ` A warning because of ${names.dnssec}.` : ''}`,
    evidence: ev.filter((_, i) => !own[i]!.authenticated),
    fix: 'Sign the zone at your DNS provider and publish its DS record at the parent (the registrar), then check again.',
    references: [REF.rfc4035, REF.rfc7673],
  });
}

function tlsaEvidence(t: TlsaInfo, source: string): Evidence[] {
  return [
    ...t.records.map((r) => ({ label: 'TLSA', value: `${t.name}. ${r.ttl} IN TLSA ${tlsaText(r)}`, source })),
    ...(t.malformed ?? []).map((m) => ({ label: 'TLSA unusable', value: `${t.name}: ${m}` })),
  ];
}

/** TLSA records peers cannot use (malformed), or ignore (not authenticated: judged only with a validating resolver). */
export function evaluateTlsa(s: DnsFacts, sets: TlsaInfo[], validating: boolean): Finding[] {
  const out: Finding[] = [];
  const add: Add = (f) => out.push(finding({ phase: 'dane', ...f, target: s.domain }));
  for (const t of sets) {
    const present = t.records.length > 0 || (t.malformed?.length ?? 0) > 0;
    if (!present) continue;
    if (validating && (!t.authenticated || !t.srvAuthenticated)) {
      const which = !t.authenticated ? `the TLSA RRset ${t.name}` : `the SRV RRset that leads to ${t.target}`;
      add({
        id: 'dns.tlsa.unsigned',
        severity: 'warning',
        title: `TLSA records for ${t.target}:${t.port} are ignored: ${which} is not DNSSEC-authenticated`,
        detail: 'DANE applies only when both the SRV and the TLSA RRsets are authenticated (RFC 7673 §3, RFC 6698 §4.1): peers treat unauthenticated TLSA records as absent and fall back to PKIX checks.',
        evidence: [...tlsaEvidence(t, s.resolver), { label: 'DNSSEC', value: `TLSA ${t.authenticated ? 'authenticated' : 'not authenticated'}; SRV ${t.srvAuthenticated ? 'authenticated' : 'not authenticated'}` }],
        fix: 'Sign the zone(s) that hold the SRV and TLSA records and publish the DS at the parent; or remove the TLSA records if DANE is not intended.',
        references: [REF.rfc7673, REF.rfc6698],
      });
    }
    if (t.malformed?.length) {
      add({
        id: 'dns.tlsa.malformed',
        severity: 'warning',
        title: `${t.malformed.length} TLSA record${t.malformed.length === 1 ? '' : 's'} at ${t.name} cannot be used`,
        detail: t.records.length
          ? 'Peers skip unusable TLSA records (unknown parameters, unreadable rdata, a digest of the wrong length) and use the others.'
          : 'No TLSA record there is usable: DANE peers treat the RRset as unusable, and some refuse to connect rather than fall back.',
        evidence: tlsaEvidence(t, s.resolver),
        fix: 'Publish each record as "<usage> <selector> <matching type> <hex>", e.g. "3 1 1 <SHA-256 of the SubjectPublicKeyInfo>" (64 hex digits), generated from the certificate (ldns-dane or openssl).',
        references: [REF.rfc6698, REF.rfc7671],
      });
    }
  }
  return out;
}
