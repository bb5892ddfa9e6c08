/**
 * Phase 2: TCP to each address of each target, in order, until one answers (and, for a
 * direct-TLS target, completes its handshake). Observation records every attempt; evaluation
 * explains why none worked.
 */
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { TimeoutError } from '../core/errors.js';
import { resolveAddresses } from '../dns/xmpp-srv.js';
import { tcpConnect, XmppConnection } from '../xmpp/connection.js';
import { addTiming, REF, round, since, type Draft } from './common.js';
import type { ObserveCtx } from './context.js';
import type { Candidate } from './resolve.js';
import { observeTlsUpgrade } from './tls.js';
import type { Attempt, ProbeFacts } from './types.js';

async function addressesOf(ctx: ObserveCtx, c: Candidate): Promise<string[]> {
  if (isIP(c.host)) return [c.host];
  const t0 = performance.now();
  const r = await resolveAddresses(ctx.dns(), c.host);
  addTiming(ctx.timings, 'dns', since(t0));
  const addresses = r.addresses.map((a) => a.address);
  if (addresses.length === 0) {
    ctx.facts.attempts.push({ host: c.host, address: '-', port: c.port, tls: c.tls, source: c.source, ok: false, error: `no A/AAAA record (${r.responses.map((x) => `${x.type} ${x.rcode}`).join(', ')})`, code: 'NOADDRESS', ms: 0 });
  }
  return addresses;
}

/** One attempt: TCP, then for a direct-TLS target the handshake. */
async function attempt(ctx: ObserveCtx, c: Candidate, address: string): Promise<{ conn: XmppConnection; tls?: TLSSocket } | undefined> {
  const att: Attempt = { host: c.host, address, port: c.port, tls: c.tls, source: c.source, ok: false, ms: 0 };
  ctx.facts.attempts.push(att);
  const t0 = performance.now();
  let raw;
  try {
    raw = await tcpConnect(address, c.port, ctx.t.tcp);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    att.ms = round(since(t0));
    att.error = err instanceof TimeoutError ? `no answer in ${ctx.t.tcp} ms` : err.message;
    att.code = err instanceof TimeoutError ? 'TIMEOUT' : (err.code ?? 'ERR');
    return undefined;
  }
  att.ms = round(since(t0));
  addTiming(ctx.timings, 'tcp', att.ms);
  att.ok = true;
  ctx.facts.connected = { host: c.host, address, port: c.port, tls: c.tls };
  const conn = new XmppConnection(raw);
  ctx.opened(conn);
  conn.note(`connected to ${address}:${c.port} (${c.host}, ${c.tls === 'direct' ? 'direct TLS' : 'STARTTLS'})`);
  if (c.tls !== 'direct') return { conn };
  const r = await observeTlsUpgrade(ctx, conn, 'direct', true);
  if ('tls' in r) return { conn, tls: r.tls };
  conn.destroy();
  (ctx.facts.tlsFailures ??= []).push(r.failure);
  att.ok = false;
  att.code = 'TLS';
  att.error = `TLS handshake failed: ${r.failure.message}`;
  delete ctx.facts.connected;
  return undefined;
}

/** Tries the targets in order; the first connection that works is the session's. */
export async function observeConnect(ctx: ObserveCtx, list: Candidate[]): Promise<{ conn: XmppConnection; tls?: TLSSocket } | undefined> {
  for (const c of list) {
    for (const address of await addressesOf(ctx, c)) {
      const r = await attempt(ctx, c, address);
      if (r) return r;
    }
  }
  return undefined;
}

/** Why no target could be used: no address, timeouts, or refusals. */
export function evaluateConnect(facts: ProbeFacts): Draft[] {
  if (facts.connected || facts.attempts.length === 0) return [];
  const peer = facts.peer;
  const attempts = facts.attempts;
  const ev = attempts.map((a) => ({ label: 'attempt', value: `${a.address}:${a.port} (${a.host}, ${a.tls}): ${a.code ?? ''} ${a.error ?? ''}`.trim(), source: a.source }));
  const noAddress = attempts.filter((a) => a.code === 'NOADDRESS').length;
  const tlsFailed = attempts.filter((a) => a.code === 'TLS').length;
  const timeouts = attempts.filter((a) => a.code === 'TIMEOUT').length;
  const tried = attempts.length - noAddress - tlsFailed;
  const refused = tried - timeouts;
  // Every reachable target failed its TLS handshake: the TLS findings say it all.
  if (tried === 0 && tlsFailed > 0) return [];
  if (tried === 0) {
    return [{
      id: 'probe.dns.no-target',
      severity: 'error',
      phase: 'dns',
      title: `no address for any server target of ${peer}`,
      detail: 'Every target host has no A or AAAA record, so there is nothing to connect to.',
      evidence: ev,
      fix: 'Publish A/AAAA records for the SRV target hosts (an SRV target must be a host name with addresses, not a CNAME).',
      references: [`${REF.rfc6120}#section-3.2`],
    }];
  }
  if (timeouts > 0) {
    return [{
      id: 'probe.tcp.timeout',
      severity: 'error',
      phase: 'tcp',
      title: `no TCP answer from ${peer} (${timeouts} of ${tried} attempts timed out)`,
      detail: 'The SYN got no answer: a firewall drops the traffic, or the address is wrong. Expressway-E must accept inbound TCP 5269 from the internet for federation.',
      evidence: ev,
      fix: 'Open TCP 5269 (and the _xmpps-server port, if any) to the server in every firewall on the path; check the SRV target addresses.',
      references: [`${REF.rfc6120}#section-3.2`],
    }];
  }
  return [{
    id: 'probe.tcp.refused',
    severity: 'error',
    phase: 'tcp',
    title: tlsFailed ? `${refused} server target${refused === 1 ? '' : 's'} of ${peer} refused the connection` : `every server target of ${peer} refused the connection`,
    detail: 'The host answered but nothing listens on the port (or a firewall rejects it).',
    evidence: ev,
    fix: 'Start the XMPP server or its s2s listener on that port, or correct the SRV record port.',
    references: [`${REF.rfc6120}#section-3.2`],
  }];
}
