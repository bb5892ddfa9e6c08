/**
 * Extra TLS handshakes on the server the session ran on, each on its own connection:
 * without SNI (the default certificate a peer that sends no SNI gets), with TLS 1.2 at most
 * (is 1.2 still offered next to 1.3), and with TLS 1.0/1.1 only (are legacy versions still
 * accepted). The client context uses SECLEVEL=0 so that OpenSSL 3 can offer TLS 1.0/1.1.
 */
import { tcpConnect, XmppConnection, streamHeader } from '../xmpp/connection.js';
import { matchIdentity, certFacts } from '../xmpp/identity.js';
import { NS } from '../xmpp/xml.js';
import { REF, type Draft } from './common.js';
import { budget, type ObserveCtx } from './context.js';
import { tlsErrorText, tlsOptions, type TlsVariant } from './tls.js';
import type { HandshakeFacts, ProbeFacts } from './types.js';

const VARIANTS: Record<HandshakeFacts['kind'], TlsVariant> = {
  'no-sni': { sni: false },
  // These two need a context of their own (the version range is the context's); their
  // verification result is not used, so it trusts no --ca anchor (a context with anchors copies
  // the root store).
  'tls1.2': { maxVersion: 'TLSv1.2', verify: false },
  legacy: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', verify: false },
};

async function handshake(ctx: ObserveCtx, kind: HandshakeFacts['kind']): Promise<HandshakeFacts> {
  const c = ctx.facts.connected!;
  let conn: XmppConnection | undefined;
  try {
    conn = new XmppConnection(await tcpConnect(c.address, c.port, budget(ctx, ctx.t.tcp, 'tls')));
    if (c.tls === 'starttls') {
      conn.send(streamHeader({ from: ctx.from, to: ctx.o.peer }));
      for (const want of ['header', 'features']) {
        const ev = await conn.next(budget(ctx, ctx.t.stream, 'tls'), 'tls');
        if (ev.kind !== (want === 'header' ? 'header' : 'element')) throw new Error(`no stream ${want}`);
      }
      conn.send(`<starttls xmlns='${NS.tls}'/>`);
      const p = await conn.next(budget(ctx, ctx.t.tls, 'tls'), 'tls');
      if (p.kind !== 'element' || p.el.name !== 'proceed') throw new Error('no <proceed/>');
    }
    const tls = await conn.startTlsClient(tlsOptions(ctx, c.tls, VARIANTS[kind]), budget(ctx, ctx.t.tls, 'tls'));
    const out: HandshakeFacts = { kind, ok: true };
    const version = tls.getProtocol();
    if (version) out.version = version;
    const cipher = tls.getCipher()?.name;
    if (cipher) out.cipher = cipher;
    const g = tls.getEphemeralKeyInfo();
    if (g && 'name' in g && g.name) out.group = g.name;
    const raw = tls.getPeerCertificate()?.raw;
    if (raw) {
      const leaf = certFacts(raw);
      out.leaf = { sha256: leaf.sha256, subject: leaf.subject, covers: leaf.names ? matchIdentity(ctx.o.peer, leaf.names).matched : false };
    }
    return out;
  } catch (e) {
    return { kind, ok: false, error: tlsErrorText((e as Error).message) };
  } finally {
    conn?.destroy();
  }
}

/** Runs the extra handshakes (at once) and records `facts.handshakes`, in a fixed order. */
export async function observeHandshakes(ctx: ObserveCtx): Promise<void> {
  if (!ctx.facts.connected) return;
  const kinds: HandshakeFacts['kind'][] = ['no-sni', ...(ctx.facts.tls?.version === 'TLSv1.3' ? (['tls1.2'] as const) : []), 'legacy'];
  ctx.facts.handshakes = await Promise.all(kinds.map((k) => handshake(ctx, k)));
}

/** SNI-dependent certificates and legacy TLS versions. */
export function evaluateHandshakes(facts: ProbeFacts): Draft[] {
  const out: Draft[] = [];
  const hs = facts.handshakes ?? [];
  const where = `${facts.connected?.address}:${facts.connected?.port}`;
  const main = facts.tls?.chain[0];
  const noSni = hs.find((h) => h.kind === 'no-sni');
  if (main && noSni?.ok && noSni.leaf && noSni.leaf.sha256 !== main.sha256 && !noSni.leaf.covers) {
    out.push({
      id: 'probe.cert.sni-required',
      severity: 'warning',
      phase: 'tls',
      title: `without SNI, ${facts.peer} presents another certificate (${noSni.leaf.subject}) that does not cover it`,
      detail: 'The server picks its certificate by SNI. A peer that sends no SNI, or sends the SRV target name, gets this default certificate and fails on the name (older Cisco and Openfire releases, some libraries).',
      evidence: [
        { label: 'with SNI', value: `${main.subject} (${main.sha256.slice(0, 23)}…)`, source: where },
        { label: 'without SNI', value: `${noSni.leaf.subject} (${noSni.leaf.sha256.slice(0, 23)}…)`, source: where },
      ],
      fix: `Make the certificate for ${facts.peer} the server's default (the one served without SNI), or one that covers every hosted domain.`,
      references: ['https://www.rfc-editor.org/rfc/rfc6066#section-3', REF.rfc7590],
    });
  }
  const legacy = hs.find((h) => h.kind === 'legacy');
  // A session that negotiated TLS 1.0/1.1 itself is probe.tls.version-old already.
  if (legacy?.ok && !/^(SSLv|TLSv1$|TLSv1\.1$)/.test(facts.tls?.version ?? '')) {
    out.push({
      id: 'probe.tls.legacy-accepted',
      severity: 'warning',
      phase: 'tls',
      title: `${facts.peer} still accepts ${legacy.version ?? 'TLS 1.0/1.1'}`,
      detail: 'TLS 1.0 and 1.1 are deprecated (RFC 8996) and RFC 7590 requires TLS 1.2+ for XMPP; a server that still accepts them can be downgraded by a weak client or middlebox.',
      evidence: [{ label: 'legacy handshake', value: `${legacy.version ?? '?'} ${legacy.cipher ?? ''}`.trim(), source: where }],
      fix: 'Allow only TLS 1.2 and 1.3 on the s2s listener (Prosody: protocol = "tlsv1_2+"; ejabberd: protocol_options: [no_tlsv1, no_tlsv1_1]; Expressway: TLS minimum version 1.2).',
      references: ['https://www.rfc-editor.org/rfc/rfc8996', REF.rfc7590],
    });
  }
  return out;
}
