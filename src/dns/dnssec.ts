/**
 * check-dns observation of DNSSEC (RFC 4035 §3.2) and TLSA (RFC 6698, RFC 7673).
 *
 * - Every question already carries the DO bit, so each answer's AD flag comes for free.
 * - Whether the resolver validates at all is asked once per client (so once per run and
 *   resolver): `. SOA` with DO; the root is signed, so a validating resolver sets AD.
 * - A SERVFAIL is asked again with CD=1 (only from a validating resolver, only on failure):
 *   an answer then means the data exists but does not validate (bogus).
 * - TLSA: one question per federation SRV target and port, `_<port>._tcp.<target>`.
 */
import { isIP } from '../core/ip.js';
import { within } from '../core/wait-for.js';
import { answerRecords, conclusive, type DnsClient, type DnsResponse } from './client.js';
import type { DnssecFacts, ServiceInfo, TlsaInfo } from './facts.js';
import { isDecline } from './srv.js';
import { readTlsaRecords, tlsaName } from './tlsa.js';

/** Asks whether the resolver validates: `. SOA` with DO, AD expected. Cached by the client: one question per run. */
export function askValidating(client: DnsClient): Promise<DnsResponse> {
  return client.query('.', 'SOA');
}

/**
 * How long a domain waits for the `. SOA` answer once its own answers are in. A resolver that
 * never answers it must not hold every domain for a whole timeout; a domain answered with AD
 * needs no wait (only a validating resolver sets AD).
 */
export const VALIDATING_GRACE_MS = 1000;

/** The DNSSEC facts of one domain: the resolver's validation, and which failures are DNSSEC failures. */
export async function observeDnssec(client: DnsClient, soa: Promise<DnsResponse>, responses: DnsResponse[]): Promise<DnssecFacts> {
  const anyAd = responses.some((r) => r.authenticated);
  const probe = (await within(soa, anyAd ? 0 : Math.min(VALIDATING_GRACE_MS, client.timeout))) ?? {
    rcode: 'TIMEOUT',
    authenticated: false,
    resolver: client.describe(),
    error: anyAd ? 'not answered yet (the domain\'s answers carry AD: the resolver validates)' : `no answer within ${Math.min(VALIDATING_GRACE_MS, client.timeout)} ms of the domain's own answers`,
  };
  const validating = anyAd || (probe.rcode === 'NOERROR' && probe.authenticated);
  const facts: DnssecFacts = {
    validating,
    probe: { rcode: probe.rcode, authenticated: probe.authenticated, resolver: probe.resolver, ...(probe.error ? { error: probe.error } : {}) },
    bogus: [],
  };
  if (!validating) return facts;
  const failed = responses.filter((r) => r.rcode === 'SERVFAIL');
  const again = await Promise.all(failed.map((r) => client.query(r.name, r.type, { cd: true })));
  failed.forEach((r, i) => {
    const cd = again[i]!;
    if (conclusive(cd)) facts.bogus.push({ name: r.name, type: r.type, rcode: r.rcode, cdRcode: cd.rcode, resolver: r.resolver });
  });
  return facts;
}

/** TLSA questions per domain at most: the first endpoints in SRV order (as many as a probe tries, MAX_TARGETS). */
export const MAX_TLSA_ENDPOINTS = 16;

/** The TLSA RRset of every federation SRV target (server services only), once per target and port; the first MAX_TLSA_ENDPOINTS. */
export async function observeTlsa(client: DnsClient, infos: ServiceInfo[], srvResponses: DnsResponse[]): Promise<{ tlsa: TlsaInfo[]; responses: DnsResponse[] }> {
  const endpoints = new Map<string, { target: string; port: number; srvAuthenticated: boolean }>();
  const auth = new Map(infos.map((info, i) => [info, srvResponses[i]?.authenticated ?? false]));
  const entries = infos
    .filter((info) => info.service.endsWith('-server'))
    .flatMap((info) => info.records.map((e) => ({ e, authenticated: auth.get(info)! })))
    .sort((a, b) => (a.e.rank || 1e9) - (b.e.rank || 1e9));
  for (const { e, authenticated } of entries) {
    if (isDecline(e) || isIP(e.target) || e.port === 0) continue;
    const name = tlsaName(e.target, e.port);
    const prev = endpoints.get(name);
    if (!prev && endpoints.size >= MAX_TLSA_ENDPOINTS) continue;
    endpoints.set(name, { target: e.target, port: e.port, srvAuthenticated: (prev?.srvAuthenticated ?? true) && authenticated });
  }
  const names = [...endpoints.keys()];
  const responses = await Promise.all(names.map((n) => client.query(n, 'TLSA')));
  const tlsa = names.map((name, i): TlsaInfo => {
    const r = responses[i]!;
    const ep = endpoints.get(name)!;
    const { records, malformed } = readTlsaRecords(answerRecords(r, 'TLSA').records);
    return { name, target: ep.target, port: ep.port, rcode: r.rcode, authenticated: r.authenticated, srvAuthenticated: ep.srvAuthenticated, records, ...(malformed.length ? { malformed } : {}) };
  });
  return { tlsa, responses };
}
