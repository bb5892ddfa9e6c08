/**
 * Phase 1: the peer's server targets (RFC 6120 §3.2, XEP-0368), or the pinned host.
 * Observation asks DNS; evaluation reports a peer with nothing to connect to.
 */
import { resolveTargets } from '../dns/xmpp-srv.js';
import { addTiming, REF, since, type Draft } from './common.js';
import { beforeDeadline, type ObserveCtx } from './context.js';
import { MAX_TARGETS, PROBE_CLI_NAMES, type Attempt, type ProbeEvaluateOptions, type ProbeFacts, type TlsMode } from './types.js';

export interface Candidate {
  host: string;
  port: number;
  tls: TlsMode;
  source: Attempt['source'];
}

function forcedMode(tls: ProbeFacts['tlsRequested']): TlsMode | undefined {
  return tls === 'direct' ? 'direct' : tls === 'starttls' || tls === 'none' ? 'starttls' : undefined;
}

/** One try per host, port and TLS mode; at most MAX_TARGETS, the first ones (SRV order). */
function capTargets(ctx: ObserveCtx, list: Candidate[]): Candidate[] {
  const seen = new Set<string>();
  const unique = list.filter((c) => {
    const k = `${c.host.toLowerCase()}|${c.port}|${c.tls}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const cut = (ctx.facts.cut ??= {});
  if (unique.length < list.length) cut.duplicates = list.length - unique.length;
  if (unique.length > MAX_TARGETS) cut.targets = { found: unique.length, kept: MAX_TARGETS };
  if (!Object.keys(cut).length) delete ctx.facts.cut;
  return unique.slice(0, MAX_TARGETS);
}

/** The targets to try, in order; records `facts.resolve` when DNS was asked. */
export async function observeResolve(ctx: ObserveCtx): Promise<Candidate[]> {
  const { o } = ctx;
  const forced = forcedMode(o.tls);
  if (o.host) {
    // A pinned direct-TLS server listens on the XEP-0368 port, not the STARTTLS one.
    return [{ host: o.host, port: o.port ?? (forced === 'direct' ? 5270 : 5269), tls: forced ?? 'starttls', source: 'pinned' }];
  }
  const t0 = performance.now();
  const r = await beforeDeadline(ctx, 'dns', resolveTargets(ctx.dns(), o.peer, 'server'));
  addTiming(ctx.timings, 'dns', since(t0));
  let list: Candidate[] = r.targets.map((x) => ({ host: x.host, port: o.port ?? x.port, tls: x.tls, source: x.fallback ? 'fallback' : 'srv' }));
  const found = list.length;
  if (forced) list = list.filter((c) => c.tls === forced);
  list = capTargets(ctx, list);
  ctx.facts.resolve = {
    found,
    kept: list.length,
    failed: Boolean(r.failed),
    responses: r.responses.map((x) => ({ name: x.name, type: x.type, rcode: x.rcode, records: x.records.map((rr) => rr.data), ...(x.resolver ? { resolver: x.resolver } : {}), ...(x.authenticated ? { authenticated: true } : {}) })),
  };
  return list;
}

export function evaluateResolve(facts: ProbeFacts, o: ProbeEvaluateOptions = {}): Draft[] {
  const r = facts.resolve;
  if (!r || r.kept > 0) return [];
  const forced = forcedMode(facts.tlsRequested);
  const peer = facts.peer;
  return [
    {
      id: 'probe.dns.no-target',
      severity: 'error',
      phase: 'dns',
      title: r.found > 0 ? `no ${forced === 'direct' ? '_xmpps-server (direct TLS)' : '_xmpp-server (STARTTLS)'} target for ${peer}` : `no server target for ${peer}`,
      detail: r.failed
        ? 'The SRV questions got no conclusive answer (timeout, SERVFAIL or REFUSED), so there is nothing to connect to.'
        : 'There is no usable _xmpp-server/_xmpps-server SRV record, and the fallback to the domain itself is not allowed or not wanted.',
      evidence: r.responses.map((x) => ({ label: `${x.name} ${x.type}`, value: `${x.rcode}${x.records.length ? ` (${x.records.join(', ')})` : ''}`, ...(x.resolver !== undefined ? { source: x.resolver } : {}) })),
      fix: `Publish "_xmpp-server._tcp.${peer}. SRV 5 0 5269 <host>." (and/or _xmpps-server for direct TLS), or pin a server with ${(o.names ?? PROBE_CLI_NAMES).host}.`,
      references: [`${REF.rfc6120}#section-3.2`, REF.xep0368],
    },
  ];
}
