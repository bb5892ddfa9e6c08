/**
 * `xfed probe`: one real server-to-server session with a peer, phase by phase.
 * resolve (RFC 6120 §3.2, XEP-0368) -> tcp -> stream (§4.7) -> STARTTLS (§5) or direct TLS ->
 * certificate (RFC 9525, RFC 7590) -> stream restart -> Server Dialback (XEP-0220 §2.1).
 * Every failure is a finding; nothing here throws for a network reason.
 */
import { isIP } from 'node:net';
import { createSecureContext, rootCertificates, type ConnectionOptions, type SecureContext, type TLSSocket } from 'node:tls';
import { TimeoutError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { finding, targetResult, type Evidence, type Finding, type TargetResult } from '../core/result.js';
import { DnsClient } from '../dns/client.js';
import { resolveAddresses, resolveTargets } from '../dns/xmpp-srv.js';
import { mapPool } from '../core/pool.js';
import { streamHeader, tcpConnect, XmppConnection, type StreamEvent } from '../xmpp/connection.js';
import { dbResult, dbVerify, dialbackKey, keyScheme, parseDialback, randomKey } from '../xmpp/dialback.js';
import { certFacts, matchIdentity, type CertFacts } from '../xmpp/identity.js';
import { isStreamError, parseStreamError, STREAM_ERROR_ADVICE } from '../xmpp/stream-error.js';
import { child, elements, NS, textOf, type XmlElement } from '../xmpp/xml.js';
import { DEFAULT_FROM, DEFAULT_FROM_DIALBACK_MS, DEFAULT_TIMEOUTS, type Attempt, type ProbeData, type ProbeOptions, type ProbeTimeouts, type StreamFacts, type TlsMode } from './types.js';

const REF = {
  rfc6120: 'https://www.rfc-editor.org/rfc/rfc6120',
  xep0220: 'https://xmpp.org/extensions/xep-0220.html',
  xep0368: 'https://xmpp.org/extensions/xep-0368.html',
  rfc9525: 'https://www.rfc-editor.org/rfc/rfc9525',
  rfc7590: 'https://www.rfc-editor.org/rfc/rfc7590',
};

const TRANSCRIPT_CHARS = 256 * 1024;

interface Ctx {
  o: ProbeOptions;
  t: ProbeTimeouts;
  from: string;
  data: ProbeData;
  findings: Finding[];
  timings: Record<string, number>;
  add(f: Omit<Parameters<typeof finding>[0], 'target'>): void;
  /** The DNS client (shared, or made on first use and closed at the end of the probe). */
  dns(): DnsClient;
}

function addTiming(ctx: Ctx, phase: string, ms: number): void {
  ctx.timings[phase] = Math.round(((ctx.timings[phase] ?? 0) + ms) * 10) / 10;
}

function since(t0: number): number {
  return performance.now() - t0;
}

/** Probes one peer. `dns` lets many probes share one client (and its cache). */
export async function probePeer(o: ProbeOptions, dns?: DnsClient): Promise<TargetResult<ProbeData>> {
  const t: ProbeTimeouts = { ...DEFAULT_TIMEOUTS, ...o.timeouts };
  // With the default from, no answer is the usual answer (Prosody waits for its s2s_timeout): do not wait 30 s for it.
  if (!o.from && o.timeouts?.dialback === undefined) t.dialback = Math.min(t.dialback, DEFAULT_FROM_DIALBACK_MS);
  const from = o.from ?? DEFAULT_FROM;
  const data: ProbeData = { peer: o.peer, from, attempts: [] };
  const findings: Finding[] = [];
  let own: DnsClient | undefined;
  const ctx: Ctx = {
    o,
    t,
    from,
    data,
    findings,
    timings: {},
    add: (f) => findings.push(finding({ ...f, target: o.peer })),
    dns: () => dns ?? (own ??= new DnsClient({ resolvers: o.resolvers, doh: o.doh, tcp: o.dnsTcp, timeout: t.dns })),
  };
  try {
    const conn = await connectTo(ctx, await candidates(ctx));
    if (conn) {
      try {
        await session(ctx, conn.conn, conn.tls);
      } finally {
        saveTranscript(ctx, conn.conn);
        conn.conn.close();
      }
    }
  } finally {
    own?.close();
  }
  return targetResult(o.peer, findings, data, { timings: ctx.timings });
}

/** Keeps a connection's transcript (after those of earlier, failed connections of this probe). */
function saveTranscript(ctx: Ctx, conn: XmppConnection): void {
  if (!ctx.o.transcript) return;
  ctx.data.transcript = [...(ctx.data.transcript ?? []), ...conn.transcript];
  if (conn.transcriptTruncated) ctx.data.transcriptTruncated = true;
}

// ---- 1. resolution and connection --------------------------------------------------

interface Candidate {
  host: string;
  port: number;
  tls: TlsMode;
  source: Attempt['source'];
}

async function candidates(ctx: Ctx): Promise<Candidate[]> {
  const { o } = ctx;
  const forced = o.tls === 'direct' ? 'direct' : o.tls === 'starttls' || o.tls === 'none' ? 'starttls' : undefined;
  if (o.host) {
    // A pinned direct-TLS server listens on the XEP-0368 port, not the STARTTLS one.
    return [{ host: o.host, port: o.port ?? (forced === 'direct' ? 5270 : 5269), tls: forced ?? 'starttls', source: 'pinned' }];
  }
  const t0 = performance.now();
  const r = await resolveTargets(ctx.dns(), o.peer, 'server');
  addTiming(ctx, 'dns', since(t0));
  let list: Candidate[] = r.targets.map((x) => ({ host: x.host, port: o.port ?? x.port, tls: x.tls, source: x.fallback ? 'fallback' : 'srv' }));
  const all = list.length;
  if (forced) list = list.filter((c) => c.tls === forced);
  if (list.length === 0) {
    const ev: Evidence[] = r.responses.map((x) => ({ label: `${x.name} ${x.type}`, value: `${x.rcode}${x.records.length ? ` (${x.records.map((rr) => rr.data).join(', ')})` : ''}`, source: x.resolver }));
    ctx.add({
      id: 'probe.dns.no-target',
      severity: 'error',
      phase: 'dns',
      title: all > 0 ? `no ${forced === 'direct' ? '_xmpps-server (direct TLS)' : '_xmpp-server (STARTTLS)'} target for ${o.peer}` : `no server target for ${o.peer}`,
      detail: r.failed
        ? 'The SRV questions got no conclusive answer (timeout, SERVFAIL or REFUSED), so there is nothing to connect to.'
        : 'There is no usable _xmpp-server/_xmpps-server SRV record, and the fallback to the domain itself is not allowed or not wanted.',
      evidence: ev,
      fix: `Publish "_xmpp-server._tcp.${o.peer}. SRV 5 0 5269 <host>." (and/or _xmpps-server for direct TLS), or pin a server with --host.`,
      references: [`${REF.rfc6120}#section-3.2`, REF.xep0368],
    });
  }
  return list;
}

async function connectTo(ctx: Ctx, list: Candidate[]): Promise<{ conn: XmppConnection; tls?: TLSSocket } | undefined> {
  const { o } = ctx;
  if (list.length === 0) return undefined;
  let noAddress = 0;
  // Direct-TLS handshakes that failed: the next target is tried (XEP-0368 §3, as servers do);
  // they are errors only if no target works, else warnings.
  const tlsFailures: Array<Omit<Parameters<typeof finding>[0], 'target'>> = [];
  for (const c of list) {
    let addresses: string[];
    if (isIP(c.host)) addresses = [c.host];
    else {
      const t0 = performance.now();
      const r = await resolveAddresses(ctx.dns(), c.host);
      addTiming(ctx, 'dns', since(t0));
      addresses = r.addresses.map((a) => a.address);
      if (addresses.length === 0) {
        noAddress++;
        ctx.data.attempts.push({ host: c.host, address: '-', port: c.port, tls: c.tls, source: c.source, ok: false, error: `no A/AAAA record (${r.responses.map((x) => `${x.type} ${x.rcode}`).join(', ')})`, code: 'NOADDRESS', ms: 0 });
        continue;
      }
    }
    for (const address of addresses) {
      const att: Attempt = { host: c.host, address, port: c.port, tls: c.tls, source: c.source, ok: false, ms: 0 };
      ctx.data.attempts.push(att);
      const t0 = performance.now();
      try {
        const raw = await tcpConnect(address, c.port, ctx.t.tcp);
        att.ms = round(since(t0));
        addTiming(ctx, 'tcp', att.ms);
        att.ok = true;
        ctx.data.connected = { host: c.host, address, port: c.port, tls: c.tls };
        const conn = new XmppConnection(raw, { transcriptChars: o.transcript ? TRANSCRIPT_CHARS : 0 });
        conn.note(`connected to ${address}:${c.port} (${c.host}, ${c.tls === 'direct' ? 'direct TLS' : 'STARTTLS'})`);
        if (c.tls === 'direct') {
          let failure: Omit<Parameters<typeof finding>[0], 'target'> | undefined;
          const tls = await tlsUpgrade(ctx, conn, 'direct', true, (f) => (failure = f));
          if (!tls) {
            saveTranscript(ctx, conn);
            conn.destroy();
            att.ok = false;
            att.code = 'TLS';
            att.error = `TLS handshake failed: ${failure?.evidence?.[0]?.value ?? 'unknown error'}`;
            ctx.data.connected = undefined;
            if (failure) tlsFailures.push(failure);
            continue;
          }
          for (const f of tlsFailures) ctx.add({ ...f, severity: 'warning', title: `${f.title} (a later target worked)` });
          return { conn, tls };
        }
        for (const f of tlsFailures) ctx.add({ ...f, severity: 'warning', title: `${f.title} (a later target worked)` });
        return { conn };
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        att.ms = round(since(t0));
        att.error = err instanceof TimeoutError ? `no answer in ${ctx.t.tcp} ms` : err.message;
        att.code = err instanceof TimeoutError ? 'TIMEOUT' : (err.code ?? 'ERR');
      }
    }
  }
  for (const f of tlsFailures) ctx.add(f);
  const ev = ctx.data.attempts.map((a) => ({ label: 'attempt', value: `${a.address}:${a.port} (${a.host}, ${a.tls}): ${a.code ?? ''} ${a.error ?? ''}`.trim(), source: a.source }));
  const timeouts = ctx.data.attempts.filter((a) => a.code === 'TIMEOUT').length;
  const tried = ctx.data.attempts.length - noAddress - tlsFailures.length;
  const refused = tried - timeouts;
  if (tried === 0 && tlsFailures.length > 0) {
    // Every reachable target failed its TLS handshake: the findings above say it all.
  } else if (tried === 0) {
    ctx.add({
      id: 'probe.dns.no-target',
      severity: 'error',
      phase: 'dns',
      title: `no address for any server target of ${o.peer}`,
      detail: 'Every target host has no A or AAAA record, so there is nothing to connect to.',
      evidence: ev,
      fix: 'Publish A/AAAA records for the SRV target hosts (an SRV target must be a host name with addresses, not a CNAME).',
      references: [`${REF.rfc6120}#section-3.2`],
    });
  } else if (timeouts > 0) {
    ctx.add({
      id: 'probe.tcp.timeout',
      severity: 'error',
      phase: 'tcp',
      title: `no TCP answer from ${o.peer} (${timeouts} of ${tried} attempts timed out)`,
      detail: 'The SYN got no answer: a firewall drops the traffic, or the address is wrong. Expressway-E must accept inbound TCP 5269 from the internet for federation.',
      evidence: ev,
      fix: 'Open TCP 5269 (and the _xmpps-server port, if any) to the server in every firewall on the path; check the SRV target addresses.',
      references: [`${REF.rfc6120}#section-3.2`],
    });
  } else {
    ctx.add({
      id: 'probe.tcp.refused',
      severity: 'error',
      phase: 'tcp',
      title: tlsFailures.length ? `${refused} server target${refused === 1 ? '' : 's'} of ${o.peer} refused the connection` : `every server target of ${o.peer} refused the connection`,
      detail: 'The host answered but nothing listens on the port (or a firewall rejects it).',
      evidence: ev,
      fix: 'Start the XMPP server or its s2s listener on that port, or correct the SRV record port.',
      references: [`${REF.rfc6120}#section-3.2`],
    });
  }
  return undefined;
}

/** "400 ms", "1500 ms", "30 s": seconds only where rounding loses nothing that matters. */
function duration(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

// ---- 2. TLS and the certificate ----------------------------------------------------

const contexts = new Map<string, SecureContext>();

/** One TLS context per CA set for the whole run: building one parses every root certificate (~10 ms). */
function secureContext(ca: string[] | undefined): SecureContext {
  const key = ca?.join('\n') ?? '';
  let c = contexts.get(key);
  if (!c) {
    // Accept old versions and legacy signature algorithms so that they are reported
    // (probe.tls.version-old; RFC 7590 wants TLS 1.2+) instead of ending in a handshake failure.
    c = createSecureContext({ minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0', ...(ca?.length ? { ca: [...rootCertificates, ...ca] } : {}) });
    contexts.set(key, c);
  }
  return c;
}

function tlsOptions(ctx: Ctx, mode: TlsMode): ConnectionOptions {
  const { o } = ctx;
  return {
    servername: o.peer,
    rejectUnauthorized: false,
    // Identity is checked by xfed itself (RFC 9525 with SRV-ID and XmppAddr), not node's HTTPS rules.
    checkServerIdentity: () => undefined,
    secureContext: secureContext(o.ca),
    // XEP-0368 §3: ALPN `xmpp-server` on direct TLS.
    ...(mode === 'direct' ? { ALPNProtocols: ['xmpp-server'] } : {}),
  };
}

/** `onFail` receives the handshake-failed finding instead of it being added (the caller decides its severity). */
async function tlsUpgrade(ctx: Ctx, conn: XmppConnection, mode: TlsMode, required = true, onFail?: (f: Omit<Parameters<typeof finding>[0], 'target'>) => void): Promise<TLSSocket | undefined> {
  const t0 = performance.now();
  try {
    const tls = await conn.startTlsClient(tlsOptions(ctx, mode), ctx.t.tls);
    addTiming(ctx, 'tls', since(t0));
    conn.note(`TLS up: ${tls.getProtocol()} ${tls.getCipher()?.name ?? ''}`);
    inspectTls(ctx, tls, mode, required);
    return tls;
  } catch (e) {
    addTiming(ctx, 'tls', since(t0));
    const err = e as NodeJS.ErrnoException;
    const msg = err instanceof TimeoutError ? `no TLS handshake in ${ctx.t.tls} ms` : tlsErrorText(err.message);
    conn.note(`TLS failed: ${msg}`);
    const plainReply = /wrong version number|packet length too long|unknown protocol/i.test(msg) || (mode === 'direct' && ctx.data.connected?.port === 5269);
    (onFail ?? ctx.add)({
      id: 'probe.tls.handshake-failed',
      severity: 'error',
      phase: 'tls',
      title: `TLS handshake with ${ctx.data.connected?.address}:${ctx.data.connected?.port} failed${err.code ? ` (${err.code})` : ''}`,
      detail:
        (mode === 'direct' && plainReply
          ? 'The port answered without TLS: a _xmpps-server record (direct TLS) points at a STARTTLS port such as 5269. '
          : '') + `The handshake did not complete: ${msg}.`,
      evidence: [{ label: 'tls.error', value: msg, source: `${ctx.data.connected?.address}:${ctx.data.connected?.port}` }],
      fix:
        mode === 'direct' && plainReply
          ? 'Point _xmpps-server at the direct-TLS port (e.g. 5270), or remove that record.'
          : 'Check the server\'s TLS configuration (certificate and key loaded, protocols TLS 1.2+ enabled); a reset in the middle of the handshake usually means a middlebox or a crashed TLS layer.',
      references: [`${REF.rfc6120}#section-5`, REF.rfc7590],
    });
    if (required && mode === 'starttls') {
      ctx.add({
        id: 'probe.tls.required-missing',
        severity: 'error',
        phase: 'tls',
        title: `${ctx.o.peer} requires TLS, and TLS could not be established`,
        detail: 'The peer marked STARTTLS as required, so no federation is possible with it until the TLS handshake succeeds.',
        fix: 'Fix the TLS handshake problem above.',
        references: [`${REF.rfc6120}#section-5.3.1`],
      });
    }
    return undefined;
  }
}

/** OpenSSL's error strings carry file names and line numbers; keep the reason. */
function tlsErrorText(m: string): string {
  const r = /SSL routines:[^:]*:([^:]+)(?::|$)/.exec(m);
  const alert = /SSL alert number (\d+)/.exec(m);
  return r ? `${r[1]!.trim()}${alert ? ` (alert ${alert[1]})` : ''}` : m.split('\n')[0]!;
}

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

function inspectTls(ctx: Ctx, tls: TLSSocket, mode: TlsMode, required: boolean): void {
  const { o } = ctx;
  const where = `${ctx.data.connected?.address}:${ctx.data.connected?.port}`;
  const version = tls.getProtocol() ?? undefined;
  const chain: CertFacts[] = [];
  for (const der of chainOf(tls)) {
    try {
      chain.push(certFacts(der));
    } catch {
      // An unparseable certificate shows up as an empty chain below.
    }
  }
  const facts: NonNullable<ProbeData['tls']> = {
    mode,
    required: mode === 'direct' || required,
    version,
    cipher: tls.getCipher()?.name,
    alpn: tls.alpnProtocol ?? false,
    authorized: tls.authorized,
    chain,
  };
  ctx.data.tls = facts;
  if (tls.authorizationError) facts.authorizationError = String(tls.authorizationError);
  if (version && /^(SSLv|TLSv1$|TLSv1\.1$)/.test(version)) {
    ctx.add({
      id: 'probe.tls.version-old',
      severity: 'error',
      phase: 'tls',
      title: `${o.peer} negotiated ${version}`,
      detail: 'RFC 7590 requires TLS 1.2 or later for XMPP; many peers refuse older versions.',
      evidence: [{ label: 'tls.version', value: version, source: where }],
      fix: 'Enable TLS 1.2 and 1.3 on the server and disable older versions.',
      references: [REF.rfc7590],
    });
  }
  const leaf = chain[0];
  if (!leaf) {
    ctx.add({ id: 'probe.cert.untrusted', severity: o.insecure ? 'info' : 'error', phase: 'tls', title: 'the peer presented no certificate xfed could read', fix: 'Configure a certificate for the s2s listener.' });
    return;
  }
  const ev = (c: CertFacts): Evidence[] => [
    { label: 'subject', value: c.subject, source: where },
    { label: 'issuer', value: c.issuer },
    { label: 'valid', value: `${c.notBefore} .. ${c.notAfter}` },
  ];
  const soft = o.insecure ? 'info' : 'error';
  const note = o.insecure ? ' (--insecure: not counted as an error)' : '';
  const now = Date.now();
  let leafDates = false;
  if (Date.parse(leaf.notAfter) < now) {
    leafDates = true;
    ctx.add({
      id: 'probe.cert.expired',
      severity: soft,
      phase: 'tls',
      title: `the certificate of ${o.peer} expired on ${leaf.notAfter.slice(0, 10)}${note}`,
      detail: 'Peers that verify certificates (SASL EXTERNAL, or Prosody with s2s_secure_auth) refuse the connection.',
      evidence: ev(leaf),
      fix: 'Renew the certificate and reload the server (on Expressway-E: Maintenance > Security > Server certificate).',
      references: [REF.rfc9525],
    });
  } else if (Date.parse(leaf.notBefore) > now) {
    leafDates = true;
    ctx.add({
      id: 'probe.cert.not-yet-valid',
      severity: soft,
      phase: 'tls',
      title: `the certificate of ${o.peer} is valid only from ${leaf.notBefore}${note}`,
      detail: 'Either the certificate was issued with a future start date or a clock is wrong.',
      evidence: ev(leaf),
      fix: 'Check the clocks (NTP) of the server and of this machine; reissue the certificate if its start date is wrong.',
    });
  } else if (leaf.daysLeft <= (o.expiresSoonDays ?? 30)) {
    ctx.add({
      id: 'probe.cert.expires-soon',
      severity: 'warning',
      phase: 'tls',
      title: `the certificate of ${o.peer} expires in ${leaf.daysLeft} day${leaf.daysLeft === 1 ? '' : 's'}`,
      detail: `It is valid until ${leaf.notAfter}.`,
      evidence: ev(leaf),
      fix: 'Renew the certificate before it expires.',
    });
  }
  const err = tls.authorizationError ? String(tls.authorizationError) : undefined;
  const dateErr = err === 'CERT_HAS_EXPIRED' || err === 'CERT_NOT_YET_VALID';
  // The date findings above judge the leaf only: a date error from OpenSSL without one of them
  // is about an intermediate (or root) certificate, and must not be dropped.
  const badCa = dateErr && !leafDates ? chain.slice(1).find((c) => (err === 'CERT_HAS_EXPIRED' ? Date.parse(c.notAfter) < now : Date.parse(c.notBefore) > now)) : undefined;
  if (err && (!dateErr || !leafDates)) {
    ctx.add({
      id: 'probe.cert.untrusted',
      severity: soft,
      phase: 'tls',
      title: dateErr
        ? `a certificate in the chain of ${o.peer} ${err === 'CERT_HAS_EXPIRED' ? 'is expired' : 'is not yet valid'}${badCa ? ` (${badCa.subject}, valid ${badCa.notBefore.slice(0, 10)} .. ${badCa.notAfter.slice(0, 10)})` : ''} (${err})${note}`
        : `the certificate chain of ${o.peer} is not trusted (${err})${note}`,
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
        : 'Install a certificate from a CA the peers trust, with the full chain (leaf + intermediates); for a private CA, pass it to xfed with --ca.',
      references: [REF.rfc9525],
    });
  }
  const names = leaf.names;
  const identity = names ? matchIdentity(o.peer, names) : { matched: false };
  facts.identity = { ...identity, domain: o.peer };
  if (!identity.matched) {
    const presented = names ? [...names.srvNames.map((n) => `SRVName ${n}`), ...names.xmppAddrs.map((n) => `XmppAddr ${n}`), ...names.dnsNames.map((n) => `DNS ${n}`), ...names.cns.map((n) => `CN ${n}`)] : [];
    const target = ctx.data.connected?.host;
    ctx.add({
      id: 'probe.cert.name-mismatch',
      severity: soft,
      phase: 'tls',
      title: `the certificate is not valid for ${o.peer}${note}`,
      detail:
        `None of its identities is ${o.peer}, _xmpp-server.${o.peer} or a matching wildcard (RFC 6120 §13.7.1.2, RFC 9525).` +
        (target && target !== o.peer && names?.dnsNames.some((n) => n.toLowerCase() === target.toLowerCase())
          ? ` It names the SRV target ${target}, which does not count without POSH or DANE (RFC 7712).`
          : ''),
      evidence: presented.slice(0, 20).map((v) => ({ label: 'presented', value: v, source: where })),
      fix: `Get a certificate with ${o.peer} (and for Cisco, every federated chat-node alias) as a subjectAltName dNSName, or an XmppAddr/SRV-ID for it.`,
      references: [REF.rfc9525, REF.rfc7590],
    });
  } else if (identity.method === 'cn') {
    ctx.add({
      id: 'probe.cert.cn-only',
      severity: 'warning',
      phase: 'tls',
      title: `the certificate names ${o.peer} only in its subject CN`,
      detail: 'It has no subjectAltName; RFC 9525 no longer accepts the CN, and modern peers reject such certificates.',
      evidence: ev(leaf),
      fix: `Reissue the certificate with ${o.peer} as a subjectAltName dNSName.`,
      references: [REF.rfc9525],
    });
  }
}

// ---- 3. the stream ------------------------------------------------------------------

async function read(ctx: Ctx, conn: XmppConnection, phase: string, ms: number): Promise<StreamEvent | 'timeout'> {
  try {
    return await conn.next(ms, phase);
  } catch (e) {
    if (e instanceof TimeoutError) return 'timeout';
    throw e;
  }
}

/** Reports whatever ended a phase that expected `what`. */
function unexpected(ctx: Ctx, ev: StreamEvent | 'timeout', phase: string, what: string): void {
  const where = `${ctx.data.connected?.address}:${ctx.data.connected?.port}`;
  if (ev === 'timeout') {
    ctx.add({
      id: 'probe.stream.timeout',
      severity: 'error',
      phase,
      title: `${ctx.o.peer} did not send ${what} in time`,
      detail: 'The peer accepted the connection but stayed silent: a stalled server, a proxy that swallows the stream, or a port that does not speak XMPP.',
      evidence: [{ label: 'waited for', value: what, source: where }],
      fix: 'Check that the XMPP server (not another service) listens on this port and that its s2s component is running (on Cisco IM&P: the XCP router).',
    });
    return;
  }
  if (ev.kind === 'parse-error') {
    ctx.add({
      id: 'probe.peer.garbage',
      severity: 'error',
      phase,
      title: `${ctx.o.peer} did not speak XMPP (${ev.error.kind})`,
      detail: `Instead of ${what}: ${ev.error.message}. The port may belong to another service (HTTP, a load balancer), or the peer is hostile or broken.`,
      evidence: [{ label: 'parser', value: ev.error.message, source: where }],
      fix: 'Point the SRV record at the XMPP server\'s s2s port; check what actually listens there (openssl s_client / nc).',
      references: [`${REF.rfc6120}#section-11`],
    });
    return;
  }
  if (ev.kind === 'element' && isStreamError(ev.el)) {
    const se = parseStreamError(ev.el);
    ctx.data.streamError = { condition: se.condition, ...(se.text ? { text: se.text } : {}) };
    ctx.add({
      id: 'probe.stream.error',
      severity: 'error',
      phase,
      title: `${ctx.o.peer} closed the stream with <${se.condition}/>${se.text ? `: ${se.text}` : ''}`,
      detail: STREAM_ERROR_ADVICE[se.condition] ?? 'An unrecoverable stream error (RFC 6120 §4.9).',
      evidence: [{ label: 'stream:error', value: `${se.condition}${se.text ? ` "${se.text}"` : ''}`, source: where }],
      fix:
        se.condition === 'host-unknown'
          ? `Configure ${ctx.o.peer} on that server (on Cisco: add it to the IM&P domains / federation), or correct the SRV record that points here.`
          : se.condition === 'policy-violation'
            ? 'Check the peer\'s federation policy (allow-lists, TLS requirements).'
            : 'See the condition; the peer\'s logs have the details.',
      references: [`${REF.rfc6120}#section-4.9.3`],
    });
    return;
  }
  const title = ev.kind === 'closed' ? `${ctx.o.peer} closed the connection before sending ${what}` : ev.kind === 'end' ? `${ctx.o.peer} ended the stream before sending ${what}` : `${ctx.o.peer} sent <${ev.kind === 'element' ? ev.el.name : ev.kind}> instead of ${what}`;
  ctx.add({
    id: ev.kind === 'element' || ev.kind === 'header' ? 'probe.peer.garbage' : 'probe.stream.closed',
    severity: 'error',
    phase,
    title,
    detail: ev.kind === 'closed' && ev.error ? `Connection error: ${ev.error}.` : 'The peer gave up on the stream without a stream error.',
    evidence: [{ label: 'event', value: ev.kind === 'element' ? ev.el.name : ev.kind, source: where }],
    fix: 'Read the peer\'s logs for this connection; a silent close often means an access rule or a crash in its s2s component.',
  });
}

/** Sends our header and reads the peer's header and features. */
async function openStream(ctx: Ctx, conn: XmppConnection, phase: 'stream' | 'features'): Promise<{ facts: StreamFacts; features: XmlElement } | undefined> {
  const { o } = ctx;
  const t0 = performance.now();
  conn.send(streamHeader({ from: ctx.from, to: o.peer }));
  const h = await read(ctx, conn, phase, ctx.t.stream);
  if (h === 'timeout' || h.kind !== 'header') {
    addTiming(ctx, phase, since(t0));
    unexpected(ctx, h, phase, 'a stream header');
    return undefined;
  }
  const el = h.el;
  const facts: StreamFacts = {
    id: el.attrs.id,
    from: el.attrs.from,
    version: el.attrs.version,
    namespace: el.decls?.[''],
    dialbackNamespace: el.decls?.db === NS.dialback,
    features: [],
  };
  const where = `${ctx.data.connected?.address}:${ctx.data.connected?.port}`;
  const problems: string[] = [];
  if (facts.namespace !== NS.server) problems.push(`default namespace is ${facts.namespace ? `'${facts.namespace}'` : 'missing'}, not 'jabber:server'`);
  if (!facts.id) problems.push('no stream id (dialback needs it)');
  if (facts.version !== '1.0') problems.push(`version ${facts.version ? `'${facts.version}'` : 'missing'} (no stream features, no STARTTLS)`);
  if (problems.length) {
    ctx.add({
      id: 'probe.stream.bad-header',
      severity: facts.namespace !== NS.server || !facts.id ? 'error' : 'warning',
      phase,
      title: `the stream header of ${o.peer} is not a proper s2s header: ${problems.join('; ')}`,
      detail: 'RFC 6120 §4.7: a receiving server answers with xmlns=jabber:server, an id, and version 1.0.',
      evidence: [{ label: 'header', value: Object.entries(el.attrs).map(([k, v]) => `${k}='${v}'`).join(' '), source: where }],
      fix: 'Make sure the port serves server-to-server XMPP (jabber:server), not client connections (5222).',
      references: [`${REF.rfc6120}#section-4.7`],
    });
    if (facts.namespace !== NS.server) {
      addTiming(ctx, phase, since(t0));
      return undefined;
    }
  }
  if (facts.version !== '1.0') {
    addTiming(ctx, phase, since(t0));
    return { facts, features: { name: 'features', ns: NS.stream, attrs: {}, children: [] } };
  }
  const f = await read(ctx, conn, phase, ctx.t.stream);
  addTiming(ctx, phase, since(t0));
  if (f === 'timeout' || f.kind !== 'element' || f.el.name !== 'features' || f.el.ns !== NS.stream) {
    unexpected(ctx, f, phase, 'stream features');
    return undefined;
  }
  facts.features = elements(f.el).map((c) => featureName(c));
  return { facts, features: f.el };
}

function featureName(el: XmlElement): string {
  if (el.ns === NS.tls) return child(el, 'required') ? 'starttls(required)' : 'starttls';
  if (el.ns === NS.dialbackFeature) return child(el, 'errors') ? 'dialback(errors)' : 'dialback';
  if (el.ns === NS.sasl) return `sasl(${elements(el).map(textOf).join(',')})`;
  if (el.ns === NS.bidi) return 'bidi';
  return `${el.name}{${el.ns}}`;
}

async function session(ctx: Ctx, conn: XmppConnection, directTls?: TLSSocket): Promise<void> {
  const { o } = ctx;
  let secure = Boolean(directTls);
  const first = await openStream(ctx, conn, 'stream');
  if (!first) return;
  ctx.data.stream = first.facts;
  let current = first;
  if (!secure) {
    const st = child(first.features, 'starttls', NS.tls);
    const required = Boolean(st && child(st, 'required'));
    if (!st) {
      if (o.tls !== 'none') {
        ctx.add({
          id: 'probe.tls.not-offered',
          severity: 'error',
          phase: 'tls',
          title: `${o.peer} does not offer STARTTLS`,
          detail: 'RFC 7590 requires TLS for XMPP, and most servers (Prosody, ejabberd, Cisco with TLS required) refuse unencrypted federation.',
          evidence: [{ label: 'features', value: first.facts.features.join(', ') || '(none)' }],
          fix: 'Load a certificate for the domain and enable STARTTLS on the s2s listener.',
          references: [REF.rfc7590, `${REF.rfc6120}#section-5`],
        });
      }
    } else if (o.tls === 'none') {
      if (required) {
        ctx.add({
          id: 'probe.tls.required-missing',
          severity: 'error',
          phase: 'tls',
          title: `${o.peer} requires STARTTLS, and this probe did not use it (--no-tls)`,
          detail: 'The peer marked STARTTLS <required/>: a server that cannot do TLS cannot federate with it.',
          evidence: [{ label: 'features', value: first.facts.features.join(', ') }],
          fix: 'Enable TLS on the initiating server (on Expressway: TLS mode "Required" or "Optional" for XMPP federation).',
          references: [`${REF.rfc6120}#section-5.3.1`],
        });
        // The peer will not do dialback on this stream (Prosody just waits for its s2s_timeout).
        ctx.data.dialback = { key: o.secret ? 'xep-0220' : 'random', outcome: 'skipped' };
        return;
      }
    } else {
      const t0 = performance.now();
      conn.send(`<starttls xmlns='${NS.tls}'/>`);
      const p = await read(ctx, conn, 'tls', ctx.t.tls);
      addTiming(ctx, 'tls', since(t0));
      if (p === 'timeout' || p.kind !== 'element' || p.el.ns !== NS.tls || p.el.name !== 'proceed') {
        if (p !== 'timeout' && p.kind === 'element' && p.el.name === 'failure' && p.el.ns === NS.tls) {
          ctx.add({ id: 'probe.tls.handshake-failed', severity: 'error', phase: 'tls', title: `${o.peer} answered STARTTLS with <failure/>`, detail: 'The peer offered STARTTLS and then refused it: its TLS layer is misconfigured (e.g. no certificate for this domain).', fix: 'Check the certificate and key configured for the domain on the peer.', references: [`${REF.rfc6120}#section-5.4.2.2`] });
        } else unexpected(ctx, p, 'tls', '<proceed/>');
        return;
      }
      const tls = await tlsUpgrade(ctx, conn, 'starttls', required);
      if (!tls) return;
      secure = true;
      const again = await openStream(ctx, conn, 'features');
      if (!again) return;
      current = again;
    }
  }
  if (secure) ctx.data.secureStream = current.facts;
  const mechs = child(current.features, 'mechanisms', NS.sasl);
  if (mechs) ctx.data.saslMechanisms = elements(mechs).map(textOf);
  if (o.dialback === false) {
    ctx.data.dialback = { key: o.secret ? 'xep-0220' : 'random', outcome: 'skipped' };
    return;
  }
  await dialback(ctx, conn, current.facts, current.features);
}

// ---- 4. Server Dialback -------------------------------------------------------------

async function dialback(ctx: Ctx, conn: XmppConnection, facts: StreamFacts, features: XmlElement): Promise<void> {
  const { o } = ctx;
  const offered = Boolean(child(features, 'dialback', NS.dialbackFeature));
  const keyKind = o.secret ? 'xep-0220' : 'random';
  const where = `${ctx.data.connected?.address}:${ctx.data.connected?.port}`;
  if (!offered && !facts.dialbackNamespace) {
    ctx.data.dialback = { key: keyKind, outcome: 'not-offered' };
    ctx.add({
      id: 'probe.dialback.not-offered',
      severity: 'error',
      phase: 'dialback',
      title: `${o.peer} does not offer Server Dialback`,
      detail:
        'Neither the dialback stream feature nor the jabber:server:dialback namespace was announced' +
        (ctx.data.saslMechanisms?.includes('EXTERNAL') ? '; it offers SASL EXTERNAL, which needs a client certificate for our domain.' : '.') +
        ' Servers that authenticate with dialback only (Cisco Expressway/IM&P by default) cannot federate with it.',
      evidence: [{ label: 'features', value: facts.features.join(', ') || '(none)', source: where }],
      fix: 'Enable dialback on the peer (Prosody: mod_dialback; ejabberd: mod_s2s_dialback), or use certificates that allow SASL EXTERNAL on both sides.',
      references: [REF.xep0220],
    });
    return;
  }
  const id = o.verify ? o.verify.streamId : (facts.id ?? '');
  const key = o.verify ? o.verify.key : o.secret ? dialbackKey(o.secret, o.peer, ctx.from, id) : randomKey();
  // A valid key is a credential for this stream: mask it wherever it could be printed.
  registerSecret(key);
  const t0 = performance.now();
  conn.send(o.verify ? dbVerify(ctx.from, o.peer, id, key) : dbResult(ctx.from, o.peer, key));
  const db: NonNullable<ProbeData['dialback']> = { key: o.verify ? 'given' : keyKind, streamId: id, outcome: 'closed' };
  ctx.data.dialback = db;
  const deadline = Date.now() + ctx.t.dialback;
  for (;;) {
    const ev = await read(ctx, conn, 'dialback', Math.max(1, deadline - Date.now()));
    if (ev === 'timeout') {
      db.outcome = 'timeout';
      break;
    }
    if (ev.kind === 'element') {
      const a = parseDialback(ev.el);
      if (a && a.kind === (o.verify ? 'verify' : 'result') && a.type !== 'request') {
        db.outcome = a.type;
        if (a.condition) db.condition = a.condition;
        if (a.text) db.text = a.text;
        break;
      }
      if (isStreamError(ev.el)) {
        const se = parseStreamError(ev.el);
        db.outcome = 'error';
        db.condition = se.condition;
        if (se.text) db.text = se.text;
        ctx.data.streamError = { condition: se.condition, ...(se.text ? { text: se.text } : {}) };
        break;
      }
      continue;
    }
    if (ev.kind === 'parse-error') {
      db.outcome = 'error';
      db.condition = 'not-well-formed';
      db.text = ev.error.message;
    }
    break;
  }
  db.ms = round(since(t0));
  addTiming(ctx, 'dialback', db.ms);
  if (o.verify) verifyFindings(ctx, db, where);
  // With --host the probe asked no DNS; it does not start now either.
  else dialbackFindings(ctx, db, where, db.outcome !== 'valid' && o.from && !o.host ? await callbackTargets(ctx) : []);
}

/** Where the peer calls back to verify our key: the server targets of --from, as DNS says. */
async function callbackTargets(ctx: Ctx): Promise<Evidence[]> {
  try {
    const r = await resolveTargets(ctx.dns(), ctx.from, 'server');
    const src = r.responses[0]?.resolver;
    if (r.targets.length === 0) return [{ label: 'callback', value: `_xmpp-server._tcp.${ctx.from}: no target (${r.responses.map((x) => `${x.type} ${x.rcode}`).join(', ')})`, ...(src ? { source: src } : {}) }];
    return r.targets.slice(0, 4).map((x) => ({ label: 'callback', value: `${ctx.o.peer} verifies via ${x.host}:${x.port} (${x.fallback ? 'fallback, no SRV' : `_${x.service}`})`, ...(src ? { source: src } : {}) }));
  } catch {
    return [];
  }
}

/** `xfed dialback verify`: the authoritative server's answer to a replayed db:verify. */
function verifyFindings(ctx: Ctx, db: NonNullable<ProbeData['dialback']>, where: string): void {
  const { o, from } = ctx;
  const v = o.verify!;
  const scheme = keyScheme(v.key);
  const evidence: Evidence[] = [
    { label: 'db:verify', value: `from='${from}' to='${o.peer}' id='${v.streamId}'`, source: where },
    { label: 'answer', value: `${db.outcome}${db.condition ? ` <${db.condition}/>` : ''}${db.text ? ` "${db.text}"` : ''}${db.ms !== undefined ? ` after ${Math.round(db.ms)} ms` : ''}` },
  ];
  const cisco = scheme === 'sha1-size' ? ' The key is 40 hex digits, the size of Cisco XCP keys: its scheme is not the XEP-0220 recommended one.' : '';
  const refs = [`${REF.xep0220}#protocol-verify`];
  if (db.outcome === 'valid') {
    ctx.add({ id: 'dialback.verify.valid', severity: 'info', phase: 'dialback', title: `${where} confirmed the key for ${o.peer} (valid)`, detail: `The authoritative server generated this key for the stream ${v.streamId} from ${o.peer} to ${from}.`, evidence, references: refs });
  } else if (db.outcome === 'invalid') {
    ctx.add({
      id: 'dialback.verify.invalid',
      severity: 'error',
      phase: 'dialback',
      title: `${where} did not confirm the key for ${o.peer} (invalid)`,
      detail: `The authoritative server did not generate this key for the stream id, from and to given: its secret differs (another cluster node, a restart with a random secret), the key or id were copied wrongly, or from/to are swapped.${cisco}`,
      evidence,
      fix: 'Copy from, to, id and the key from the db:verify line exactly; check that every node of the originating cluster shares one dialback secret.',
      references: refs,
    });
  } else if (db.outcome === 'timeout') {
    ctx.add({ id: 'dialback.verify.timeout', severity: 'error', phase: 'dialback', title: `${where} gave no db:verify answer within ${duration(ctx.t.dialback)}`, evidence, fix: 'Check that this host is the authoritative server of the domain and that its dialback is enabled.', references: refs });
  } else {
    ctx.add({
      id: 'dialback.verify.error',
      severity: 'error',
      phase: 'dialback',
      title: `${where} answered the db:verify with ${db.outcome === 'closed' ? 'a closed stream' : `an error${db.condition ? ` <${db.condition}/>` : ''}`}`,
      detail: `${db.condition === 'host-unknown' || db.condition === 'item-not-found' ? `That server does not host ${o.peer}.` : 'The server could not or would not verify the key.'}${cisco}`,
      evidence,
      fix: `Send the db:verify to the authoritative server of ${o.peer} (its _xmpp-server SRV target).`,
      references: refs,
    });
  }
}

function dialbackFindings(ctx: Ctx, db: NonNullable<ProbeData['dialback']>, where: string, callback: Evidence[]): void {
  const { o, from } = ctx;
  const withSecret = Boolean(o.secret);
  const defaultFrom = !o.from;
  const evidence: Evidence[] = [
    { label: 'db:result', value: `from='${from}' to='${o.peer}' (${withSecret ? 'XEP-0220 key from the secret' : 'random key'})`, source: where },
    { label: 'answer', value: `${db.outcome}${db.condition ? ` <${db.condition}/>` : ''}${db.text ? ` "${db.text}"` : ''}${db.ms !== undefined ? ` after ${Math.round(db.ms)} ms` : ''}` },
    ...callback,
  ];
  const refs = [REF.xep0220];
  switch (db.outcome) {
    case 'valid':
      ctx.add({
        id: 'probe.dialback.valid',
        severity: withSecret ? 'info' : 'warning',
        phase: 'dialback',
        title: withSecret ? `${o.peer} verified our dialback key for ${from}: federation works` : `${o.peer} accepted a random dialback key for ${from}`,
        detail: withSecret
          ? `The peer called back the authoritative server of ${from}, which confirmed the key: DNS for ${from}, its inbound s2s port and its secret are all right.`
          : 'A random key cannot be verified: the peer accepts dialback without really checking it.',
        evidence,
        fix: withSecret ? '' : 'Check the peer\'s dialback implementation and its authoritative-server lookups.',
        references: refs,
      });
      return;
    case 'invalid':
      ctx.add({
        id: 'probe.dialback.invalid',
        severity: withSecret ? 'error' : 'info',
        phase: 'dialback',
        title: withSecret
          ? `${o.peer} rejected our dialback key for ${from} (invalid)`
          : `${o.peer} called back ${from}'s authoritative server, which rejected the random key (expected without a secret)`,
        detail: withSecret
          ? `The authoritative server of ${from} (found by ${o.peer} through DNS) did not confirm the key: its dialback secret differs from the one given to xfed, or ${from}'s SRV record points at another server or cluster.`
          : `Without the secret xfed cannot make a valid key; this answer still shows that ${o.peer} resolved ${from} and reached a server that answers db:verify.`,
        evidence,
        fix: withSecret
          ? `Pass the secret the authoritative server of ${from} really uses (Prosody: dialback_secret; ejabberd: hex(SHA-1(Erlang cookie)); Cisco XCP's own key scheme is not public), and check that _xmpp-server._tcp.${from} points at that server.`
          : 'Give xfed the dialback secret (XFED_DIALBACK_SECRET or --secret-file) for a full check.',
        references: refs,
      });
      return;
    case 'error': {
      const expected = defaultFrom && (db.condition === 'remote-server-not-found' || db.condition === 'remote-connection-failed' || db.condition === 'host-unknown' || db.condition === 'improper-addressing' || db.condition === 'not-authorized' || db.condition === 'invalid-from' || db.condition === 'item-not-found');
      ctx.add({
        id: 'probe.dialback.error',
        severity: expected ? 'info' : 'error',
        phase: 'dialback',
        title: `${o.peer} answered dialback with an error${db.condition ? ` <${db.condition}/>` : ''}${expected ? ` (expected for the default --from ${from})` : ''}`,
        detail: expected
          ? `${from} is not a real domain, so the peer cannot reach its authoritative server: its dialback path works up to that point. Use --from <your domain> for a real check.`
          : (DIALBACK_ERROR_ADVICE[db.condition ?? ''] ?? 'The peer could not complete the verification.'),
        evidence,
        fix: expected ? '' : (DIALBACK_ERROR_FIX[db.condition ?? ''] ?? `Read the peer's logs for the dialback of ${from}.`),
        references: [`${REF.xep0220}#errors`],
      });
      return;
    }
    case 'timeout':
      ctx.add({
        id: 'probe.dialback.timeout',
        severity: defaultFrom ? 'info' : 'error',
        phase: 'dialback',
        title: `${o.peer} gave no dialback answer within ${duration(ctx.t.dialback)}${defaultFrom ? ` (expected for the default --from ${from})` : ''}`,
        detail: defaultFrom
          ? `${from} cannot be verified, and some servers (Prosody) then say nothing until their s2s timeout. Use --from <your domain> for a real check.`
          : `The peer usually waits this long when its callback to the authoritative server of ${from} hangs: ${from}'s SRV record points at an address that drops inbound 5269 (a firewall in front of Expressway-E), or that server never answers db:verify.`,
        evidence,
        fix: defaultFrom ? '' : `Check from outside that _xmpp-server._tcp.${from} resolves and that its targets accept TCP 5269 (xfed check-dns ${from}; xfed probe ${from}).`,
        references: refs,
      });
      return;
    case 'closed':
      ctx.add({
        id: 'probe.dialback.error',
        severity: 'error',
        phase: 'dialback',
        title: `${o.peer} closed the stream instead of answering dialback`,
        detail: 'No db:result answer came back; the peer dropped the stream (an access rule, a crashed s2s component, or a key it refused outright).',
        evidence,
        fix: `Read the peer's logs for the dialback of ${from}.`,
        references: refs,
      });
      return;
    default:
  }
}

const DIALBACK_ERROR_ADVICE: Record<string, string> = {
  'remote-server-not-found': 'The peer could not find or reach the authoritative server of our domain (DNS lookup or connection failed).',
  'remote-server-timeout': 'The authoritative server of our domain did not answer the peer in time.',
  'remote-connection-failed': 'The peer could not connect to the authoritative server of our domain.',
  'item-not-found': 'The peer does not host the domain we addressed (the to of db:result).',
  'policy-violation': 'A policy of the peer refused us: usually TLS is required before dialback.',
  'not-authorized': 'The peer requires certificate authentication (PKIX or POSH) instead of dialback.',
  forbidden: 'The authoritative server of our domain said the key is invalid.',
  'host-unknown': 'The peer does not serve the addressed domain.',
  'not-acceptable': 'The peer refused the request (bad addressing or a malformed key).',
  'resource-constraint': 'The peer is overloaded.',
};

const DIALBACK_ERROR_FIX: Record<string, string> = {
  'remote-server-not-found': 'Publish _xmpp-server._tcp.<your domain> and make sure its targets accept inbound TCP 5269 from the peer.',
  'remote-server-timeout': 'Make sure your server answers inbound s2s connections (firewall, Expressway-E inbound 5269).',
  'remote-connection-failed': 'Make sure your server answers inbound s2s connections (firewall, Expressway-E inbound 5269).',
  'policy-violation': 'Use TLS (do not pass --no-tls), and check the peer\'s federation allow-list.',
  'not-authorized': 'Configure a CA-signed certificate for your domain so the peer can use SASL EXTERNAL, or enable dialback on the peer.',
  'item-not-found': 'Check the peer domain you probe: the server does not host it.',
};

/** Probes many peers with bounded concurrency over one DNS client; results keep the input order. */
export async function probePeers(
  peers: string[],
  base: Omit<ProbeOptions, 'peer'>,
  opts: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<TargetResult<ProbeData>[]> {
  const dns = base.host && isIP(base.host) ? undefined : new DnsClient({ resolvers: base.resolvers, doh: base.doh, tcp: base.dnsTcp, timeout: base.timeouts?.dns ?? DEFAULT_TIMEOUTS.dns });
  try {
    return await mapPool(peers, opts.concurrency ?? 16, (peer) => probePeer({ ...base, peer }, dns), opts.onProgress);
  } finally {
    dns?.close();
  }
}
