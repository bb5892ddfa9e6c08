/**
 * The observation of one peer: resolve -> connect -> stream -> TLS (and certificate) ->
 * stream restart -> dialback, recording plain facts. Nothing here judges what it saw
 * (evaluate.ts does), and nothing throws for a network reason.
 */
import { DnsClient } from '../dns/client.js';
import { Transcript } from '../xmpp/transcript.js';
import { InputError } from '../core/errors.js';
import { checkProbeOptions } from './input.js';
import { DeadlineExceeded, type ObserveCtx } from './context.js';
import { observeHandshakes } from './handshakes.js';
import { observeDane } from './dane.js';
import { ownCertFacts, ownDomains } from './own-cert.js';
import { presentedDigests, startPosh } from './posh.js';
import type { PoshFacts } from './posh-types.js';
import { observeResolve } from './resolve.js';
import { connectAndRun } from './session.js';
import { observeTargets } from './survey.js';
import { DEFAULT_FROM, DEFAULT_FROM_DIALBACK_MS, DEFAULT_TIMEOUTS, type ProbeFacts, type ProbeOptions, type ProbeTimeouts } from './types.js';

export interface ObserveOptions {
  /** A DNS client shared by many probes (and its cache); else one is made and closed here. */
  dns?: DnsClient | undefined;
  /** Per-phase durations are added here. */
  timings?: Record<string, number>;
}

/** The phase timeouts of a probe. */
export function probeTimeouts(o: ProbeOptions): ProbeTimeouts {
  const t: ProbeTimeouts = { ...DEFAULT_TIMEOUTS, ...o.timeouts };
  // With the default from, no answer is the usual answer (Prosody waits for its s2s_timeout): do not wait 30 s for it.
  if (!o.from && o.timeouts?.dialback === undefined) t.dialback = Math.min(t.dialback, DEFAULT_FROM_DIALBACK_MS);
  return t;
}

/** The overall deadline of a probe: as given, or 4 × its longest phase timeout (so it scales with --timeout). */
export function probeDeadline(o: ProbeOptions, t: ProbeTimeouts = probeTimeouts(o)): number {
  if (o.deadline !== undefined) {
    if (!Number.isInteger(o.deadline) || o.deadline < 1) throw new InputError('probe.deadline', `must be a whole number of milliseconds >= 1, not ${String(o.deadline)}`, 'XFED_PROBE_DEADLINE');
    return o.deadline;
  }
  return 4 * Math.max(t.dns, t.tcp, t.stream, t.tls, t.dialback);
}

/** Observes one peer: every attempt, every phase reached, until the probe's deadline. */
export async function observeProbe(o: ProbeOptions, opts: ObserveOptions = {}): Promise<ProbeFacts> {
  checkProbeOptions(o);
  const t = probeTimeouts(o);
  const deadlineMs = probeDeadline(o, t);
  const from = o.from ?? DEFAULT_FROM;
  const facts: ProbeFacts = { peer: o.peer, from, ...(o.tls ? { tlsRequested: o.tls } : {}), ...(o.family ? { family: o.family } : {}), attempts: [], deadlineMs };
  // The transcript listens to every connection of this probe, failed ones included.
  const transcript = o.transcript ? new Transcript() : undefined;
  let own: DnsClient | undefined;
  const ctx: ObserveCtx = {
    o,
    t,
    from,
    facts,
    timings: opts.timings ?? {},
    dns: () => opts.dns ?? (own ??= new DnsClient({ resolvers: o.resolvers, doh: o.doh, tcp: o.dnsTcp, timeout: t.dns })),
    opened: (c) => transcript?.listen(c),
    deadlineAt: performance.now() + deadlineMs,
  };
  let extra: Promise<void> | undefined;
  let dane: Promise<void> | undefined;
  ctx.afterTls = () => {
    if (o.handshakes !== false && !o.verify) extra = observeHandshakes(ctx).catch(() => {});
    // DANE: the TLSA RRset of the connected target, asked while the session goes on.
    dane = observeDane(ctx);
  };
  let survey: Promise<void> | undefined;
  // POSH (RFC 7711) over HTTPS, concurrently with the XMPP session: it adds no time to a probe unless it is the slower.
  const posh: Promise<PoshFacts | undefined> | undefined = startPosh(ctx)?.catch(() => undefined);
  try {
    const list = await observeResolve(ctx);
    if (o.allTargets !== false && !o.verify) {
      survey = observeTargets(ctx, list).then((t) => {
        if (t) facts.targets = t;
      });
      survey.catch(() => {}); // awaited below
    }
    await connectAndRun(ctx, list);
  } catch (e) {
    if (!(e instanceof DeadlineExceeded)) throw e;
    (facts.cut ??= {}).deadline = { phase: e.phase };
  } finally {
    const [, , , p] = await Promise.all([extra, dane, survey?.catch(() => {}), posh]);
    if (p) facts.posh = ctx.leafDer ? { ...p, presented: presentedDigests(ctx.leafDer) } : p;
    ownCert(ctx);
    own?.close();
    if (transcript) {
      facts.transcript = transcript.lines;
      if (transcript.truncated) facts.transcriptTruncated = true;
    }
  }
  return facts;
}

/** Our certificate: the --cert one, else (probing one of our own domains) the one it serves. */
function ownCert(ctx: ObserveCtx): void {
  const { o, facts } = ctx;
  if (o.ownCertCheck === false) return;
  try {
    if (o.ownCertPem) facts.ownCert = ownCertFacts(o.ownCertPem, 'file', ownDomains(o.own ? o.peer : ctx.from, o.aliases));
    else if (o.cert) facts.ownCert = ownCertFacts(o.cert, 'file', ownDomains(ctx.from, o.aliases));
    else if (o.own && ctx.leafDer) facts.ownCert = ownCertFacts(ctx.leafDer, 'served', ownDomains(o.peer, o.aliases));
  } catch {
    // An unreadable certificate: the certificate findings of the session say it.
  }
}
