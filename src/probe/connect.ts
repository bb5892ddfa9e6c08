/**
 * Phase 2: TCP to each address of each target, in order, until one answers (and, for a
 * direct-TLS target, completes its handshake). Observation records every attempt; evaluation
 * explains why none worked.
 */
import type { Socket } from 'node:net';
import { isIP } from '../core/ip.js';
import type { TLSSocket } from 'node:tls';
import { TimeoutError } from '../core/errors.js';
import { within } from '../core/wait-for.js';
import { resolveAddresses } from '../dns/xmpp-srv.js';
import { tcpConnect, XmppConnection } from '../xmpp/connection.js';
import { addTiming, REF, round, since, type Draft } from './common.js';
import { beforeDeadline, budget, DeadlineExceeded, type ObserveCtx } from './context.js';
import type { Candidate } from './resolve.js';
import { observeTlsUpgrade } from './tls.js';
import { ATTEMPT_CONCURRENCY, MAX_ADDRESSES, PROBE_CLI_NAMES, type Attempt, type ProbeEvaluateOptions, type ProbeFacts, type ProbeOptionNames } from './types.js';

/** A target's addresses (DNS unless it is an IP); none: a NOADDRESS attempt is recorded when its turn comes. */
export async function addressesOf(ctx: ObserveCtx, c: Candidate): Promise<{ addresses: string[]; none?: string }> {
  if (isIP(c.host)) return { addresses: [c.host] };
  const t0 = performance.now();
  const r = await beforeDeadline(ctx, 'dns', resolveAddresses(ctx.dns(), c.host));
  addTiming(ctx.timings, 'dns', since(t0));
  const addresses = r.addresses.map((a) => a.address);
  return addresses.length ? { addresses } : { addresses, none: `no A/AAAA record (${r.responses.map((x) => `${x.type} ${x.rcode}`).join(', ')})` };
}

type Item = { c: Candidate; address: string } | { c: Candidate; none: string };

/**
 * The (target, address) pairs to try, in order: each address:port and TLS mode once, at most
 * MAX_ADDRESSES. The next targets' addresses are looked up ahead (ATTEMPT_CONCURRENCY at once).
 */
async function* items(ctx: ObserveCtx, list: Candidate[]): AsyncGenerator<Item> {
  const lookups: Array<Promise<{ addresses: string[]; none?: string }> | undefined> = [];
  const lookup = (i: number) => {
    if (!lookups[i] && list[i]) {
      const p = addressesOf(ctx, list[i]!);
      p.catch(() => {}); // awaited in its turn; a look-ahead that fails must not be unhandled
      lookups[i] = p;
    }
    return lookups[i]!;
  };
  const seen = new Set<string>();
  let found = 0;
  let dup = 0;
  try {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < Math.min(list.length, i + ATTEMPT_CONCURRENCY); j++) lookup(j);
      const c = list[i]!;
      const r = await lookup(i);
      if (r.none !== undefined) yield { c, none: r.none };
      const fam = ctx.o.family;
      const addresses = fam ? r.addresses.filter((a) => (isIP(a) === 6 ? 6 : 4) === fam) : r.addresses;
      if (fam && r.addresses.length && !addresses.length) yield { c, none: `no IPv${fam} address (-${fam}): ${r.addresses.join(', ')}` };
      for (const address of addresses) {
        const k = `${address}|${c.port}|${c.tls}`;
        if (seen.has(k)) {
          dup++;
          continue;
        }
        seen.add(k);
        if (++found > MAX_ADDRESSES) continue;
        yield { c, address };
      }
    }
  } finally {
    if (dup || found > MAX_ADDRESSES) {
      const cut = (ctx.facts.cut ??= {});
      if (dup) cut.duplicates = (cut.duplicates ?? 0) + dup;
      if (found > MAX_ADDRESSES) cut.addresses = { found, kept: MAX_ADDRESSES };
    }
  }
}

type Dialled = { socket: Socket; ms: number } | { error: NodeJS.ErrnoException; ms: number; deadline: boolean };

function dial(ctx: ObserveCtx, it: Item): Promise<Dialled> | undefined {
  if (!('address' in it)) return undefined;
  const t0 = performance.now();
  let ms: number;
  try {
    ms = budget(ctx, ctx.t.tcp, 'tcp');
  } catch {
    return Promise.resolve({ error: new TimeoutError('tcp', 0), ms: 0, deadline: true });
  }
  return tcpConnect(it.address, it.c.port, ms).then(
    (socket) => ({ socket, ms: round(since(t0)) }),
    (error: NodeJS.ErrnoException) => ({ error, ms: round(since(t0)), deadline: error instanceof TimeoutError && ms < ctx.t.tcp }),
  );
}

/** The attempt's outcome: a connection (direct TLS up), or undefined to go on with the next. */
async function settle(ctx: ObserveCtx, it: Item, d: Dialled | undefined): Promise<{ conn: XmppConnection; tls?: TLSSocket } | undefined> {
  const { c } = it;
  if (!('address' in it) || !d) {
    ctx.facts.attempts.push({ host: c.host, address: '-', port: c.port, tls: c.tls, source: c.source, ok: false, error: 'none' in it ? it.none : '', code: 'NOADDRESS', ms: 0 });
    return undefined;
  }
  const att: Attempt = { host: c.host, address: it.address, port: c.port, tls: c.tls, source: c.source, ok: false, ms: d.ms };
  ctx.facts.attempts.push(att);
  if ('error' in d) {
    if (d.deadline) {
      att.code = 'DEADLINE';
      att.error = 'stopped at the probe deadline';
      throw new DeadlineExceeded('tcp');
    }
    att.error = d.error instanceof TimeoutError ? `no answer in ${ctx.t.tcp} ms` : d.error.message;
    att.code = d.error instanceof TimeoutError ? 'TIMEOUT' : (d.error.code ?? 'ERR');
    return undefined;
  }
  addTiming(ctx.timings, 'tcp', att.ms);
  att.ok = true;
  ctx.facts.connected = { host: c.host, address: it.address, port: c.port, tls: c.tls };
  const conn = new XmppConnection(d.socket);
  ctx.opened(conn);
  conn.note(`connected to ${it.address}:${c.port} (${c.host}, ${c.tls === 'direct' ? 'direct TLS' : 'STARTTLS'})`);
  if (c.tls !== 'direct') return { conn };
  let r;
  try {
    r = await observeTlsUpgrade(ctx, conn, 'direct', true);
  } catch (e) {
    conn.destroy();
    throw e;
  }
  if ('tls' in r) return { conn, tls: r.tls };
  conn.destroy();
  (ctx.facts.tlsFailures ??= []).push(r.failure);
  att.ok = false;
  att.code = 'TLS';
  att.error = `TLS handshake failed: ${r.failure.message}`;
  delete ctx.facts.connected;
  return undefined;
}

/** After STAGGER_MS without an answer from an attempt, the next one starts (up to ATTEMPT_CONCURRENCY in flight). */
const STAGGER_MS = 250;

/**
 * Tries the targets in order; the first connection that works is the session's. Attempts
 * overlap only when one stalls: results are taken in order, so a later target never wins
 * over an earlier one that answers.
 */
export async function observeConnect(ctx: ObserveCtx, list: Candidate[]): Promise<{ conn: XmppConnection; tls?: TLSSocket } | undefined> {
  const source = items(ctx, list);
  const window: Array<{ it: Item; p: Promise<Dialled> | undefined }> = [];
  let exhausted = false;
  const pull = async (): Promise<boolean> => {
    if (exhausted) return false;
    const n = await source.next();
    if (n.done) {
      exhausted = true;
      return false;
    }
    window.push({ it: n.value, p: dial(ctx, n.value) });
    return true;
  };
  try {
    for (;;) {
      if (!window.length && !(await pull())) return undefined;
      const head = window[0]!;
      let d = head.p ? await within(head.p, STAGGER_MS) : undefined;
      while (head.p && d === undefined) {
        if (window.length < ATTEMPT_CONCURRENCY && (await pull())) d = await within(head.p, STAGGER_MS);
        else d = await head.p;
      }
      window.shift();
      const r = await settle(ctx, head.it, d);
      if (r) return r;
    }
  } finally {
    // Attempts started ahead and not used: close whatever they opened.
    for (const w of window) void w.p?.then((d) => ('socket' in d ? d.socket.destroy() : undefined));
    await source.return(undefined);
  }
}

/** This machine has no route for the address family (kept in sync with survey.ts). */
const NO_ROUTE_CODES = new Set(['ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT']);

/** Errors of this machine, not of the peer: no file descriptor left for a socket. */
const LOCAL_CODES = new Set(['EMFILE', 'ENFILE']);

function localResources(facts: ProbeFacts, local: Attempt[], n: ProbeOptionNames): Draft {
  return {
    id: 'probe.local.resources',
    severity: 'error',
    phase: 'tcp',
    title: `this machine ran out of file descriptors while connecting to ${facts.peer} (${[...new Set(local.map((a) => a.code))].join(', ')})`,
    detail: 'The connection could not even be attempted: the process (EMFILE) or the system (ENFILE) has no file descriptor left for a socket. This says nothing about the peer.',
    evidence: local.map((a) => ({ label: 'attempt', value: `${a.address}:${a.port} (${a.host}, ${a.tls}): ${a.code} ${a.error ?? ''}`.trim(), source: a.source })),
    fix: `Raise the open-files limit (ulimit -n, or LimitNOFILE= in a systemd unit), lower ${n.concurrency}, or close what holds descriptors; then run the probe again.`,
  };
}

/** Why no target could be used: no address, timeouts, or refusals. */
export function evaluateConnect(facts: ProbeFacts, o: ProbeEvaluateOptions = {}): Draft[] {
  // Cut short by the deadline: probe.deadline.exceeded says it, with the attempts made.
  if (facts.connected || facts.attempts.length === 0 || facts.cut?.deadline) return [];
  const peer = facts.peer;
  const attempts = facts.attempts;
  const ev = attempts.map((a) => ({ label: 'attempt', value: `${a.address}:${a.port} (${a.host}, ${a.tls}): ${a.code ?? ''} ${a.error ?? ''}`.trim(), source: a.source }));
  const noAddress = attempts.filter((a) => a.code === 'NOADDRESS').length;
  const tlsFailed = attempts.filter((a) => a.code === 'TLS').length;
  const timeouts = attempts.filter((a) => a.code === 'TIMEOUT').length;
  const local = attempts.filter((a) => LOCAL_CODES.has(a.code ?? ''));
  // No IPv6 route on this machine: probe.local.no-ipv6 says it; not the peer's refusal.
  const noRoute = attempts.filter((a) => isIP(a.address) === 6 && NO_ROUTE_CODES.has(a.code ?? '')).length;
  const tried = attempts.length - noAddress - tlsFailed - local.length - noRoute;
  const refused = tried - timeouts;
  const out: Draft[] = local.length ? [localResources(facts, local, o.names ?? PROBE_CLI_NAMES)] : [];
  // Every reachable target failed its TLS handshake: the TLS findings say it all.
  if (tried === 0 && (tlsFailed > 0 || local.length > 0 || noRoute > 0)) return out;
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
    return [...out, {
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
  return [...out, {
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
