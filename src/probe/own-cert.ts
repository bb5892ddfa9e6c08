/**
 * Our own certificate as a partner sees it: the one given with --cert (presented in the
 * handshake for SASL EXTERNAL), or the one our own domain serves when the probe targets it.
 * Observation reads the certificate; evaluation judges its purpose (clientAuth EKU), its
 * names (our domain and aliases) and its dates.
 */
import { X509Certificate } from 'node:crypto';
import { certFacts, matchIdentity, type CertFacts } from '../xmpp/identity.js';
import { REF, type Draft } from './common.js';
import { DEFAULT_FROM, PROBE_CLI_NAMES, type OwnCertFacts, type ProbeEvaluateOptions, type ProbeFacts } from './types.js';

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

/** The facts of our certificate (DER or PEM); `domains`: the names it must cover. */
export function ownCertFacts(cert: Uint8Array | string, source: OwnCertFacts['source'], domains: string[], now = Date.now()): OwnCertFacts {
  const x = new X509Certificate(cert);
  const c: CertFacts = certFacts(new Uint8Array(x.raw), now);
  // node's keyUsage is the extended key usage (OIDs); undefined without the extension.
  const oids = x.keyUsage as string[] | undefined;
  const eku = oids?.map((o) => EKU_NAMES[o] ?? o);
  const clientAuth = !eku || eku.includes('clientAuth') || eku.includes('anyExtendedKeyUsage');
  const coverage = domains.map((domain) => {
    const m = c.names ? matchIdentity(domain, c.names) : { matched: false };
    return { domain, matched: m.matched, ...(m.method ? { method: m.method } : {}) };
  });
  return { source, cert: c, ...(eku ? { eku } : {}), clientAuth, coverage };
}

/** The names our certificate must cover: our domain (unless the default), then the aliases. */
export function ownDomains(from: string, aliases: string[] | undefined): string[] {
  return [...new Set([...(from !== DEFAULT_FROM ? [from] : []), ...(aliases ?? [])].map((d) => d.toLowerCase()))];
}

export function evaluateOwnCert(facts: ProbeFacts, o: ProbeEvaluateOptions = {}): Draft[] {
  const own = facts.ownCert;
  if (!own) return [];
  const out: Draft[] = [];
  const c = own.cert;
  const whose = own.source === 'file' ? `our certificate (${(o.names ?? PROBE_CLI_NAMES).cert})` : `the certificate ${facts.peer} serves (ours)`;
  const ev = [
    { label: 'subject', value: c.subject, source: own.source },
    { label: 'issuer', value: c.issuer },
    { label: 'valid', value: `${c.notBefore} .. ${c.notAfter}` },
    { label: 'extendedKeyUsage', value: own.eku?.join(', ') ?? '(none: any purpose)' },
  ];
  if (!own.clientAuth) {
    out.push({
      id: 'probe.own-cert.no-client-auth',
      severity: 'warning',
      phase: 'tls',
      title: `${whose} lacks the TLS Client Authentication purpose (EKU ${own.eku?.join(', ')})`,
      detail:
        'When our server connects out, it presents this certificate as a TLS client. Partners that check the purpose refuse it for SASL EXTERNAL ("unsupported certificate purpose"): ejabberd before 25.08, Openfire, Metronome; Cisco Expressway requires Client Authentication on its server certificate when Unified Communications is on. Since 2026 Let\'s Encrypt no longer puts clientAuth into its default certificates.',
      evidence: ev,
      fix: 'Keep Server Dialback enabled on our server (partners fall back to it), or get a certificate whose extendedKeyUsage includes clientAuth (TLS Web Client Authentication) from a CA that still issues one.',
      references: ['https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.12', 'https://xmpp.org/extensions/xep-0178.html', 'https://github.com/processone/ejabberd/issues/4392', REF.rfc9525],
    });
  }
  for (const cov of own.coverage.filter((x) => !x.matched)) {
    out.push({
      id: 'probe.own-cert.name-mismatch',
      severity: 'warning',
      phase: 'tls',
      title: `${whose} does not cover ${cov.domain}`,
      detail: `Partners check that the certificate of a connecting server names its domain (RFC 6120 §13.7.1.2, RFC 9525); for ${cov.domain} SASL EXTERNAL fails and peers that require authenticated certificates refuse us.`,
      evidence: [...ev, { label: 'names', value: [...(c.names?.dnsNames ?? []).map((n) => `DNS ${n}`), ...(c.names?.xmppAddrs ?? []).map((n) => `XmppAddr ${n}`), ...(c.names?.srvNames ?? []).map((n) => `SRVName ${n}`)].join(', ') || '(none)' }],
      fix: `Add ${cov.domain} as a subjectAltName dNSName (for Cisco: every chat node alias too) and reissue the certificate.`,
      references: [REF.rfc9525, `${REF.rfc6120}#section-13.7.1.2`],
    });
  }
  const now = o.now ?? Date.now();
  const daysLeft = Math.floor((Date.parse(c.notAfter) - now) / 86_400_000);
  if (Date.parse(c.notAfter) < now) {
    out.push({
      id: 'probe.own-cert.expired',
      severity: 'error',
      phase: 'tls',
      title: `${whose} expired on ${c.notAfter.slice(0, 10)}`,
      detail: 'Partners that verify certificates refuse our connections (SASL EXTERNAL fails, Prosody with s2s_secure_auth and Cisco with TLS verify refuse the stream).',
      evidence: ev,
      fix: 'Renew the certificate and reload our server.',
      references: [REF.rfc9525],
    });
  } else if (daysLeft <= (o.expiresSoonDays ?? 30)) {
    out.push({
      id: 'probe.own-cert.expires-soon',
      severity: 'warning',
      phase: 'tls',
      title: `${whose} expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`,
      detail: `It is valid until ${c.notAfter}.`,
      evidence: ev,
      fix: 'Renew the certificate before it expires.',
    });
  }
  return out;
}
