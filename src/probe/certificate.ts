/**
 * Phase 5: the peer's certificate (RFC 9525, RFC 7590): the chain it sent, its dates, its
 * trust and its identity. Observation reads the chain off the TLS socket; evaluation judges it.
 */
import type { TLSSocket } from 'node:tls';
import type { Evidence } from '../core/result.js';
import { certFacts, matchIdentity, type CertFacts } from '../xmpp/identity.js';
import { missingIssuer } from './chain.js';
import { delegations } from './delegation.js';
import { peerIdentity, REF, whereOf, type Draft } from './common.js';
import type { ObserveCtx } from './context.js';
import { PROBE_CLI_NAMES, type ProbeEvaluateOptions, type ProbeFacts, type TlsFacts, type TlsMode } from './types.js';

function chainOf(tls: TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  let c = tls.getPeerCertificate(true);
  const seen = new Set<string>();
  while (c && c.raw && !seen.has(c.fingerprint256) && out.length < 10) {
    seen.add(c.fingerprint256);
    out.push(c.raw);
    c = c.issuerCertificate;
  }
  return out;
}

/**
 * How many certificates the server sent: getPeerCertificate(true) completes the chain from the
 * trust store, while getPeerX509Certificate() links only the certificates of the handshake.
 */
function sentCount(tls: TLSSocket): number | undefined {
  try {
    let n = 0;
    const seen = new Set<string>();
    for (let c = tls.getPeerX509Certificate(); c && !seen.has(c.fingerprint256) && n < 10; c = c.issuerCertificate) {
      seen.add(c.fingerprint256);
      n++;
    }
    return n;
  } catch {
    return undefined;
  }
}

/** Records the TLS session and the certificate chain (`facts.tls`). */
export function observeCertificate(ctx: ObserveCtx, tls: TLSSocket, mode: TlsMode, required: boolean): TlsFacts {
  const chain: CertFacts[] = [];
  const raw = chainOf(tls);
  if (raw[0]) ctx.leafDer = raw[0];
  ctx.chainDer = raw;
  ctx.chainSent = sentCount(tls);
  for (const der of raw) {
    try {
      chain.push(certFacts(der));
    } catch {
      // An unparseable certificate shows up as an empty chain.
    }
  }
  const version = tls.getProtocol() ?? undefined;
  const cipher = tls.getCipher()?.name;
  const group = tls.getEphemeralKeyInfo();
  const facts: TlsFacts = {
    mode,
    required: mode === 'direct' || required,
    ...(version !== undefined ? { version } : {}),
    ...(cipher !== undefined ? { cipher } : {}),
    alpn: tls.alpnProtocol ?? false,
    ...(group && 'name' in group && group.name ? { group: group.name } : {}),
    authorized: tls.authorized,
    chain,
  };
  if (tls.authorizationError) facts.authorizationError = String(tls.authorizationError);
  try {
    const missing = missingIssuer(raw, ctx.o.ca);
    if (missing) facts.missingIssuer = missing;
  } catch {
    // An unreadable chain: the trust check reports it.
  }
  const names = chain[0]?.names;
  if (chain[0]) facts.identity = { ...(names ? matchIdentity(ctx.o.peer, names) : { matched: false }), domain: ctx.o.peer };
  ctx.facts.tls = facts;
  return facts;
}

function dates(facts: ProbeFacts, leaf: CertFacts, ev: Evidence[], o: ProbeEvaluateOptions, now: number): Draft | undefined {
  const peer = facts.peer;
  const soft = o.insecure ? 'info' : 'error';
  const note = o.insecure ? ` (${(o.names ?? PROBE_CLI_NAMES).insecure}: not counted as an error)` : '';
  if (Date.parse(leaf.notAfter) < now) {
    return {
      id: 'probe.cert.expired',
      severity: soft,
      phase: 'tls',
      title: `the certificate of ${peer} expired on ${leaf.notAfter.slice(0, 10)}${note}`,
      detail: 'Peers that verify certificates (SASL EXTERNAL, or Prosody with s2s_secure_auth) refuse the connection.',
      evidence: ev,
      fix: 'Renew the certificate and reload the server (on Expressway-E: Maintenance > Security > Server certificate).',
      references: [REF.rfc9525],
    };
  }
  if (Date.parse(leaf.notBefore) > now) {
    return {
      id: 'probe.cert.not-yet-valid',
      severity: soft,
      phase: 'tls',
      title: `the certificate of ${peer} is valid only from ${leaf.notBefore}${note}`,
      detail: 'Either the certificate was issued with a future start date or a clock is wrong.',
      evidence: ev,
      fix: 'Check the clocks (NTP) of the server and of this machine; reissue the certificate if its start date is wrong.',
    };
  }
  if (leaf.daysLeft <= (o.expiresSoonDays ?? 30)) {
    return {
      id: 'probe.cert.expires-soon',
      severity: 'warning',
      phase: 'tls',
      title: `the certificate of ${peer} expires in ${leaf.daysLeft} day${leaf.daysLeft === 1 ? '' : 's'}`,
      detail: `It is valid until ${leaf.notAfter}.`,
      evidence: ev,
      fix: 'Renew the certificate before it expires.',
    };
  }
  return undefined;
}

function trust(facts: ProbeFacts, tl: TlsFacts, leafDates: boolean, ev: (c: CertFacts) => Evidence[], o: ProbeEvaluateOptions, now: number): Draft | undefined {
  const err = tl.authorizationError;
  const chain = tl.chain;
  const leaf = chain[0]!;
  const dateErr = err === 'CERT_HAS_EXPIRED' || err === 'CERT_NOT_YET_VALID';
  if (!err || (dateErr && leafDates)) return undefined;
  if (tl.missingIssuer && (err === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || err === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY')) {
    const m = tl.missingIssuer;
    return {
      id: 'probe.cert.chain-incomplete',
      severity: 'error',
      phase: 'tls',
      title: `${facts.peer} does not send the intermediate certificate ${m.subject}`,
      detail: `The served chain stops at ${chain[chain.length - 1]!.subject}; its issuer ${m.subject} is known (${m.from === 'ca' ? `in the ${(o.names ?? PROBE_CLI_NAMES).ca} bundle` : 'in the system store'}) and leads to a trusted root, but the server does not send it. Browsers hide this by fetching the issuer (AIA); XMPP servers do not, so peers that verify certificates refuse the chain.`,
      evidence: [...ev(leaf), { label: 'missing issuer', value: m.subject, source: m.from }, { label: 'chain', value: `${chain.length} certificate(s) sent` }, { label: 'tls.verify', value: err }],
      fix: 'Configure the full chain on the server (leaf followed by the intermediate certificate(s), e.g. fullchain.pem) and reload it.',
      references: [REF.rfc9525, 'https://www.rfc-editor.org/rfc/rfc8446#section-4.4.2'],
    };
  }
  // The date findings judge the leaf only: a date error from OpenSSL without one of them
  // is about an intermediate (or root) certificate, and must not be dropped.
  const badCa = dateErr ? chain.slice(1).find((c) => (err === 'CERT_HAS_EXPIRED' ? Date.parse(c.notAfter) < now : Date.parse(c.notBefore) > now)) : undefined;
  const note = o.insecure ? ` (${(o.names ?? PROBE_CLI_NAMES).insecure}: not counted as an error)` : '';
  return {
    id: 'probe.cert.untrusted',
    severity: o.insecure ? 'info' : 'error',
    phase: 'tls',
    title: dateErr
      ? `a certificate in the chain of ${facts.peer} ${err === 'CERT_HAS_EXPIRED' ? 'is expired' : 'is not yet valid'}${badCa ? ` (${badCa.subject}, valid ${badCa.notBefore.slice(0, 10)} .. ${badCa.notAfter.slice(0, 10)})` : ''} (${err})${note}`
      : `the certificate chain of ${facts.peer} is not trusted (${err})${note}`,
    detail: dateErr
      ? 'The leaf certificate is within its dates, but an intermediate or root certificate of its chain is not: peers that verify certificates refuse the chain.'
      : err === 'DEPTH_ZERO_SELF_SIGNED_CERT' || err === 'SELF_SIGNED_CERT_IN_CHAIN'
        ? 'The certificate is self-signed: peers that authenticate with certificates refuse it; dialback may still work.'
        : err === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || err === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
          ? 'The chain does not lead to a trusted root: usually the server does not send its intermediate certificate(s).'
          : 'The chain did not verify against the trusted roots.',
    evidence: [...ev(leaf), ...(badCa ? ev(badCa).map((e) => ({ ...e, label: `chain ${e.label}` })) : []), { label: 'tls.verify', value: err }, { label: 'chain', value: `${chain.length} certificate(s) sent` }],
    fix: dateErr
      ? 'Install the current intermediate certificate(s) of the CA (the old one expired) and reload the server.'
      : `Install a certificate from a CA the peers trust, with the full chain (leaf + intermediates); for a private CA, pass it to xfed with ${(o.names ?? PROBE_CLI_NAMES).ca}.`,
    references: [REF.rfc9525],
  };
}

function identity(facts: ProbeFacts, tl: TlsFacts, ev: Evidence[], o: ProbeEvaluateOptions): Draft | undefined {
  const peer = facts.peer;
  const leaf = tl.chain[0]!;
  const names = leaf.names;
  const id = peerIdentity(peer, tl);
  if (id.matched) {
    if (id.method !== 'cn') return undefined;
    return {
      id: 'probe.cert.cn-only',
      severity: 'warning',
      phase: 'tls',
      title: `the certificate names ${peer} only in its subject CN`,
      detail: 'It has no subjectAltName; RFC 9525 no longer accepts the CN, and modern peers reject such certificates.',
      evidence: ev,
      fix: `Reissue the certificate with ${peer} as a subjectAltName dNSName.`,
      references: [REF.rfc9525],
    };
  }
  const presented = names ? [...names.srvNames.map((n) => `SRVName ${n}`), ...names.xmppAddrs.map((n) => `XmppAddr ${n}`), ...names.dnsNames.map((n) => `DNS ${n}`), ...names.cns.map((n) => `CN ${n}`)] : [];
  const evPresented = presented.slice(0, 20).map((v) => ({ label: 'presented', value: v, source: whereOf(facts) }));
  const by = delegations(facts);
  if (by.length) {
    return {
      id: 'probe.cert.delegated',
      severity: 'info',
      phase: 'tls',
      title: `the certificate does not name ${peer}, but ${peer} delegates to it by ${by.map((d) => `${d.via} (${d.rfc})`).join(' and ')}`,
      detail: `${by.map((d) => d.how).join('; ')}. Peers that check ${by.map((d) => d.via).join(' or ')} accept it; peers that check only the names in the certificate (RFC 9525) do not.`,
      evidence: [...by.flatMap((d) => d.evidence), ...evPresented],
      references: [...new Set(by.flatMap((d) => d.references))],
    };
  }
  const target = facts.connected?.host;
  const posh = facts.posh && facts.posh.outcome !== 'found' && facts.posh.outcome !== 'skipped' ? ` POSH: ${facts.posh.outcome}${facts.posh.reason ? ` (${facts.posh.reason})` : ''}.` : '';
  return {
    id: 'probe.cert.name-mismatch',
    severity: o.insecure ? 'info' : 'error',
    phase: 'tls',
    title: `the certificate is not valid for ${peer}${o.insecure ? ` (${(o.names ?? PROBE_CLI_NAMES).insecure}: not counted as an error)` : ''}`,
    detail:
      `None of its identities is ${peer}, _xmpp-server.${peer} or a matching wildcard (RFC 6120 §13.7.1.2, RFC 9525).` +
      (target && target !== peer && names?.dnsNames.some((n) => n.toLowerCase() === target.toLowerCase())
        ? ` It names the SRV target ${target}, which does not count without POSH or DANE (RFC 7712).`
        : '') +
      posh,
    evidence: evPresented,
    fix: `Get a certificate with ${peer} (and for Cisco, every federated chat-node alias) as a subjectAltName dNSName, or an XmppAddr/SRV-ID for it.`,
    references: [REF.rfc9525, REF.rfc7590],
  };
}

/** The certificate's dates, trust and identity. */
export function evaluateCertificate(facts: ProbeFacts, o: ProbeEvaluateOptions = {}): Draft[] {
  const tl = facts.tls;
  if (!tl) return [];
  const leaf = tl.chain[0];
  if (!leaf) {
    return [{ id: 'probe.cert.untrusted', severity: o.insecure ? 'info' : 'error', phase: 'tls', title: 'the peer presented no certificate xfed could read', fix: 'Configure a certificate for the s2s listener.' }];
  }
  const where = whereOf(facts);
  const ev = (c: CertFacts): Evidence[] => [
    { label: 'subject', value: c.subject, source: where },
    { label: 'issuer', value: c.issuer },
    { label: 'valid', value: `${c.notBefore} .. ${c.notAfter}` },
  ];
  const now = o.now ?? Date.now();
  const out: Draft[] = [];
  const d = dates(facts, leaf, ev(leaf), o, now);
  if (d) out.push(d);
  const leafDates = d !== undefined && d.id !== 'probe.cert.expires-soon';
  const t = trust(facts, tl, leafDates, ev, o, now);
  if (t) out.push(t);
  const i = identity(facts, tl, ev(leaf), o);
  if (i) out.push(i);
  return out;
}
