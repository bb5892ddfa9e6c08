/**
 * Phase 4: TLS, by STARTTLS (RFC 6120 §5) or direct (XEP-0368). Observation negotiates and
 * handshakes, recording what was offered and what failed; evaluation reports missing or
 * failed TLS and old protocol versions. The certificate is phase 5 (certificate.ts).
 */
import { createSecureContext, type ConnectionOptions, type SecureContext, type SecureVersion, type TLSSocket } from 'node:tls';
import { TimeoutError } from '../core/errors.js';
import type { XmppConnection } from '../xmpp/connection.js';
import { child, NS } from '../xmpp/xml.js';
import { anchorsOf } from './chain.js';
import { addTiming, REF, since, type Draft } from './common.js';
import { budget, DeadlineExceeded, type ObserveCtx } from './context.js';
import { observeCertificate } from './certificate.js';
import { interrupt, read, type OpenedStream } from './stream.js';
import type { ProbeFacts, TlsFailure, TlsMode } from './types.js';

const contexts = new Map<string, SecureContext>();

/** What an extra handshake changes: no SNI, or a range of protocol versions. */
export interface TlsVariant {
  sni?: boolean;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  /** false: no --ca anchors (the handshake's verification result is not used). */
  verify?: boolean;
}

/** The native half of a SecureContext (node's own `context` handle, as used by `tls` itself). */
interface NativeContext {
  addCACert(pem: string): void;
}

/**
 * One TLS context per CA set, client certificate and version range for the whole run. Old
 * versions and legacy signature algorithms are accepted (SECLEVEL=0: OpenSSL 3 refuses TLS
 * 1.0/1.1 and SHA-1 at its default level 1 or 2) so that they are reported
 * (probe.tls.version-old, probe.tls.legacy-accepted) instead of ending in a handshake failure.
 * A --ca bundle's anchors are added to node's default root store: node shares that store
 * (parsed once) and copies it on the first added certificate, where passing
 * `ca: [...rootCertificates, ...]` would parse every root certificate's PEM again for each
 * context (~20 ms each, 3 contexts in a probe with its extra handshakes).
 */
export function secureContext(ctx: Pick<ObserveCtx, 'o'>, v: TlsVariant = {}): SecureContext {
  const { cert, key, keyPassphrase } = ctx.o;
  const ca = v.verify === false ? undefined : ctx.o.ca;
  const id = `${ca?.join('\n') ?? ''}|${cert ?? ''}|${key ?? ''}|${v.minVersion ?? ''}|${v.maxVersion ?? ''}`;
  let c = contexts.get(id);
  if (!c) {
    c = createSecureContext({
      minVersion: v.minVersion ?? 'TLSv1',
      ...(v.maxVersion ? { maxVersion: v.maxVersion } : {}),
      ciphers: 'DEFAULT@SECLEVEL=0',
      ...(cert && key ? { cert, key, ...(keyPassphrase !== undefined ? { passphrase: keyPassphrase } : {}) } : {}),
    });
    if (ca?.length) for (const pem of anchorsOf(ca)) (c.context as NativeContext).addCACert(pem);
    contexts.set(id, c);
  }
  return c;
}

export function tlsOptions(ctx: Pick<ObserveCtx, 'o'>, mode: TlsMode, v: TlsVariant = {}): ConnectionOptions {
  return {
    // Without servername node sends no SNI (the default-certificate handshake).
    ...(v.sni === false ? {} : { servername: ctx.o.peer }),
    rejectUnauthorized: false,
    // Identity is checked by xfed itself (RFC 9525 with SRV-ID and XmppAddr), not node's HTTPS rules.
    checkServerIdentity: () => undefined,
    secureContext: secureContext(ctx, v),
    // XEP-0368 §3: ALPN `xmpp-server` on direct TLS.
    ...(mode === 'direct' ? { ALPNProtocols: ['xmpp-server'] } : {}),
  };
}

/** OpenSSL's error strings carry file names and line numbers; keep the reason. */
export function tlsErrorText(m: string): string {
  const r = /SSL routines:[^:]*:([^:]+)(?::|$)/.exec(m);
  const alert = /SSL alert number (\d+)/.exec(m);
  return r ? `${r[1]!.trim()}${alert ? ` (alert ${alert[1]})` : ''}` : m.split('\n')[0]!;
}

/**
 * Runs the TLS handshake on `conn`. Success records `facts.tls` (and the certificate); a
 * failure is returned (the caller records it: direct-TLS targets are retried).
 */
export async function observeTlsUpgrade(ctx: ObserveCtx, conn: XmppConnection, mode: TlsMode, required: boolean): Promise<{ tls: TLSSocket } | { failure: TlsFailure }> {
  const t0 = performance.now();
  const ms = budget(ctx, ctx.t.tls, 'tls');
  try {
    const tls = await conn.startTlsClient(tlsOptions(ctx, mode), ms);
    addTiming(ctx.timings, 'tls', since(t0));
    conn.note(`TLS up: ${tls.getProtocol()} ${tls.getCipher()?.name ?? ''}`);
    observeCertificate(ctx, tls, mode, required);
    return { tls };
  } catch (e) {
    addTiming(ctx.timings, 'tls', since(t0));
    const err = e as NodeJS.ErrnoException;
    if (err instanceof TimeoutError && ms < ctx.t.tls) throw new DeadlineExceeded('tls');
    const message = err instanceof TimeoutError ? `no TLS handshake in ${ctx.t.tls} ms` : tlsErrorText(err.message);
    conn.note(`TLS failed: ${message}`);
    const c = ctx.facts.connected;
    return { failure: { mode, required, address: c?.address ?? '-', port: c?.port ?? 0, message, ...(err.code ? { code: err.code } : {}) } };
  }
}

/**
 * STARTTLS on a plain stream: records `facts.starttls` (offered, required, the answer).
 * 'tls' when TLS is up, 'plain' to go on without it, 'stop' when the session ends here.
 */
export async function observeStartTls(ctx: ObserveCtx, conn: XmppConnection, first: OpenedStream): Promise<'tls' | 'plain' | 'stop'> {
  const st = child(first.features, 'starttls', NS.tls);
  const required = Boolean(st && child(st, 'required'));
  ctx.facts.starttls = { offered: Boolean(st), required };
  if (!st) return 'plain';
  if (ctx.o.tls === 'none') {
    if (!required) return 'plain';
    // The peer will not do dialback on this stream (Prosody just waits for its s2s_timeout).
    ctx.facts.dialback = { key: ctx.o.secret ? 'xep-0220' : 'random', outcome: 'skipped' };
    return 'stop';
  }
  const t0 = performance.now();
  conn.send(`<starttls xmlns='${NS.tls}'/>`);
  const p = await read(ctx, conn, 'tls', ctx.t.tls);
  addTiming(ctx.timings, 'tls', since(t0));
  if (p === 'timeout' || p.kind !== 'element' || p.el.ns !== NS.tls || p.el.name !== 'proceed') {
    if (p !== 'timeout' && p.kind === 'element' && p.el.name === 'failure' && p.el.ns === NS.tls) ctx.facts.starttls.answer = 'failure';
    else interrupt(ctx, p, 'tls', '<proceed/>');
    return 'stop';
  }
  ctx.facts.starttls.answer = 'proceed';
  const r = await observeTlsUpgrade(ctx, conn, 'starttls', required);
  if ('failure' in r) {
    (ctx.facts.tlsFailures ??= []).push(r.failure);
    return 'stop';
  }
  return 'tls';
}

function handshakeFailed(facts: ProbeFacts, f: TlsFailure): Draft {
  const plainReply = /wrong version number|packet length too long|unknown protocol/i.test(f.message) || (f.mode === 'direct' && f.port === 5269);
  const direct = f.mode === 'direct' && plainReply;
  // Direct-TLS targets that failed: the next target was tried (XEP-0368 §3, as servers do);
  // they are errors only if no target worked, else warnings.
  const later = f.mode === 'direct' && facts.connected !== undefined;
  const title = `TLS handshake with ${f.address}:${f.port} failed${f.code ? ` (${f.code})` : ''}`;
  return {
    id: 'probe.tls.handshake-failed',
    severity: later ? 'warning' : 'error',
    phase: 'tls',
    title: later ? `${title} (a later target worked)` : title,
    detail: (direct ? 'The port answered without TLS: a _xmpps-server record (direct TLS) points at a STARTTLS port such as 5269. ' : '') + `The handshake did not complete: ${f.message}.`,
    evidence: [{ label: 'tls.error', value: f.message, source: `${f.address}:${f.port}` }],
    fix: direct
      ? 'Point _xmpps-server at the direct-TLS port (e.g. 5270), or remove that record.'
      : 'Check the server\'s TLS configuration (certificate and key loaded, protocols TLS 1.2+ enabled); a reset in the middle of the handshake usually means a middlebox or a crashed TLS layer.',
    references: [`${REF.rfc6120}#section-5`, REF.rfc7590],
  };
}

/** Direct-TLS handshakes that failed (judged apart: they come before the session). */
export function evaluateDirectTls(facts: ProbeFacts): Draft[] {
  return (facts.tlsFailures ?? []).filter((f) => f.mode === 'direct').map((f) => handshakeFailed(facts, f));
}

/** STARTTLS offered or not, its answer, the handshake and the protocol version. */
export function evaluateTls(facts: ProbeFacts): Draft[] {
  const out: Draft[] = [];
  const peer = facts.peer;
  const st = facts.starttls;
  const features = facts.stream?.features ?? [];
  if (st && !st.offered && facts.tlsRequested !== 'none') {
    out.push({
      id: 'probe.tls.not-offered',
      severity: 'error',
      phase: 'tls',
      title: `${peer} does not offer STARTTLS`,
      detail: 'RFC 7590 requires TLS for XMPP, and most servers (Prosody, ejabberd, Cisco with TLS required) refuse unencrypted federation.',
      evidence: [{ label: 'features', value: features.join(', ') || '(none)' }],
      fix: 'Load a certificate for the domain and enable STARTTLS on the s2s listener.',
      references: [REF.rfc7590, `${REF.rfc6120}#section-5`],
    });
  }
  if (st?.offered && st.required && facts.tlsRequested === 'none') {
    out.push({
      id: 'probe.tls.required-missing',
      severity: 'error',
      phase: 'tls',
      title: `${peer} requires STARTTLS, and this probe did not use it (--no-tls)`,
      detail: 'The peer marked STARTTLS <required/>: a server that cannot do TLS cannot federate with it.',
      evidence: [{ label: 'features', value: features.join(', ') }],
      fix: 'Enable TLS on the initiating server (on Expressway: TLS mode "Required" or "Optional" for XMPP federation).',
      references: [`${REF.rfc6120}#section-5.3.1`],
    });
  }
  if (st?.answer === 'failure') {
    out.push({ id: 'probe.tls.handshake-failed', severity: 'error', phase: 'tls', title: `${peer} answered STARTTLS with <failure/>`, detail: 'The peer offered STARTTLS and then refused it: its TLS layer is misconfigured (e.g. no certificate for this domain).', fix: 'Check the certificate and key configured for the domain on the peer.', references: [`${REF.rfc6120}#section-5.4.2.2`] });
  }
  for (const f of (facts.tlsFailures ?? []).filter((x) => x.mode === 'starttls')) {
    out.push(handshakeFailed(facts, f));
    if (f.required) {
      out.push({
        id: 'probe.tls.required-missing',
        severity: 'error',
        phase: 'tls',
        title: `${peer} requires TLS, and TLS could not be established`,
        detail: 'The peer marked STARTTLS as required, so no federation is possible with it until the TLS handshake succeeds.',
        fix: 'Fix the TLS handshake problem above.',
        references: [`${REF.rfc6120}#section-5.3.1`],
      });
    }
  }
  const version = facts.tls?.version;
  if (version && /^(SSLv|TLSv1$|TLSv1\.1$)/.test(version)) {
    out.push({
      id: 'probe.tls.version-old',
      severity: 'error',
      phase: 'tls',
      title: `${peer} negotiated ${version}`,
      detail: 'RFC 7590 requires TLS 1.2 or later for XMPP; many peers refuse older versions.',
      evidence: [{ label: 'tls.version', value: version, source: `${facts.connected?.address}:${facts.connected?.port}` }],
      fix: 'Enable TLS 1.2 and 1.3 on the server and disable older versions.',
      references: [REF.rfc7590],
    });
  }
  return out;
}
