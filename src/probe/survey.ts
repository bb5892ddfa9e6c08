/**
 * Every target and every address of the peer, probed at once (bounded): each (target,
 * address) gets its own full session (stream, TLS, SASL, dialback) next to the main one, so a
 * dead second SRV target, one broken cluster node or an unreachable AAAA shows. Evaluation
 * reports failed targets, drift between targets, IPv6 failures and a machine without IPv6.
 */
import { isIP } from '../core/ip.js';
import { mapPool } from '../core/pool.js';
import { addressesOf } from './connect.js';
import { REF, type Draft } from './common.js';
import type { ObserveCtx } from './context.js';
import type { Candidate } from './resolve.js';
import { connectAndRun } from './session.js';
import { MAX_ADDRESSES, type ProbeFacts, type TargetFacts } from './types.js';

/** Targets probed at once: 4 working targets take about as long as one. */
export const TARGET_CONCURRENCY = 8;

/** Errors that say this machine has no route for the address family (not the peer's fault). */
export const NO_ROUTE_CODES = new Set(['ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT']);

export function familyOf(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}

/** The (target, address) pairs, in order, of the wanted family, each once, at most MAX_ADDRESSES. */
async function surveyItems(ctx: ObserveCtx, list: Candidate[]): Promise<Array<{ c: Candidate; address: string }>> {
  const looked = await Promise.all(list.map((c) => addressesOf(ctx, c).catch(() => ({ addresses: [] }))));
  const out: Array<{ c: Candidate; address: string }> = [];
  const seen = new Set<string>();
  list.forEach((c, i) => {
    for (const address of looked[i]!.addresses) {
      if (ctx.o.family && familyOf(address) !== ctx.o.family) continue;
      const k = `${address}|${c.port}|${c.tls}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ c, address });
    }
  });
  return out.slice(0, MAX_ADDRESSES);
}

function summary(c: Candidate, address: string, f: ProbeFacts, ms: number): TargetFacts {
  const t: TargetFacts = { host: c.host, address, family: familyOf(address), port: c.port, tls: c.tls, source: c.source, ok: false, ms: Math.round(ms) };
  const att = f.attempts[f.attempts.length - 1];
  const tlsFail = f.tlsFailures?.[0];
  if (f.cut?.deadline && !f.connected) Object.assign(t, { phase: f.cut.deadline.phase, code: 'DEADLINE', error: 'stopped at the probe deadline' });
  else if (!f.connected) Object.assign(t, { phase: att?.code === 'TLS' ? 'tls' : 'tcp', code: att?.code ?? 'ERR', error: att?.error ?? 'no connection' });
  else if (tlsFail) Object.assign(t, { phase: 'tls', code: 'TLS', error: tlsFail.message });
  else if (f.starttls?.answer === 'failure') Object.assign(t, { phase: 'tls', code: 'TLS', error: 'STARTTLS answered with <failure/>' });
  else if (f.interrupted) {
    const ev = f.interrupted.event;
    Object.assign(t, { phase: f.interrupted.phase, code: ev.kind === 'stream-error' ? ev.condition : ev.kind, error: `instead of ${f.interrupted.waitedFor}: ${ev.kind === 'stream-error' ? `<${ev.condition}/>${ev.text ? ` ${ev.text}` : ''}` : ev.kind}` });
  } else if (f.cut?.deadline) Object.assign(t, { phase: f.cut.deadline.phase, code: 'DEADLINE', error: 'stopped at the probe deadline' });
  else t.ok = true;
  const s = f.secureStream ?? f.stream;
  if (s) t.features = s.features;
  if (f.tls?.version) t.tlsVersion = f.tls.version;
  if (f.tls?.cipher) t.cipher = f.tls.cipher;
  if (f.tls?.group) t.group = f.tls.group;
  if (f.tls?.chain[0]) t.cert = f.tls.chain[0].sha256;
  if (f.dialback) t.dialback = f.dialback.outcome;
  if (f.sasl) t.sasl = f.sasl.offered ? f.sasl.outcome ?? 'error' : 'not-offered';
  return t;
}

/** Probes every (target, address) at once; undefined when there is only one (the main session is it). */
export async function observeTargets(ctx: ObserveCtx, list: Candidate[]): Promise<TargetFacts[] | undefined> {
  const items = await surveyItems(ctx, list);
  if (items.length < 2) return undefined;
  return mapPool(items, TARGET_CONCURRENCY, async ({ c, address }) => {
    const facts: ProbeFacts = { peer: ctx.facts.peer, from: ctx.facts.from, attempts: [] };
    const sub: ObserveCtx = { ...ctx, facts, timings: {}, opened: () => {}, afterTls: undefined };
    const t0 = performance.now();
    await connectAndRun(sub, [{ ...c, host: address }]);
    return summary(c, address, facts, performance.now() - t0);
  });
}

const row = (t: TargetFacts) => `${t.address}:${t.port} (${t.host}, ${t.tls})`;

/** What differs between the working targets: certificate, features, TLS version, dialback, SASL. */
function drift(ok: TargetFacts[]): Array<{ what: string; values: Map<string, string[]> }> {
  const keys: Array<[string, (t: TargetFacts) => string]> = [
    ['certificate', (t) => t.cert ?? '(none)'],
    ['features', (t) => [...(t.features ?? [])].sort().join(' ') || '(none)'],
    ['TLS version', (t) => t.tlsVersion ?? '(no TLS)'],
    ['dialback', (t) => t.dialback ?? '(not tried)'],
    ['SASL EXTERNAL', (t) => t.sasl ?? '(not tried)'],
  ];
  const out: Array<{ what: string; values: Map<string, string[]> }> = [];
  for (const [what, f] of keys) {
    const values = new Map<string, string[]>();
    for (const t of ok) values.set(f(t), [...(values.get(f(t)) ?? []), row(t)]);
    if (values.size > 1) out.push({ what, values });
  }
  return out;
}

export function evaluateTargets(facts: ProbeFacts): Draft[] {
  const ts = facts.targets;
  if (!ts) {
    const nr = facts.attempts.filter((a) => isIP(a.address) === 6 && NO_ROUTE_CODES.has(a.code ?? ''));
    return nr.length ? [localNoIpv6(facts, nr.map((a) => `${a.address}:${a.port} (${a.host}, ${a.tls})`))] : [];
  }
  const out: Draft[] = [];
  const peer = facts.peer;
  const noRoute = ts.filter((t) => !t.ok && t.family === 6 && NO_ROUTE_CODES.has(t.code ?? ''));
  const ok = ts.filter((t) => t.ok);
  const failed = ts.filter((t) => !t.ok && !noRoute.includes(t) && t.code !== 'DEADLINE');
  if (noRoute.length) out.push(localNoIpv6(facts, noRoute.map(row)));
  if (ok.length) {
    // A direct-TLS target whose handshake failed is already probe.tls.handshake-failed (warning).
    const reported = new Set((facts.tlsFailures ?? []).filter((f) => f.mode === 'direct').map((f) => `${f.address}:${f.port}`));
    for (const t of failed.filter((x) => !(x.tls === 'direct' && reported.has(`${x.address}:${x.port}`)))) {
      out.push({
        id: 'probe.target.failed',
        severity: 'warning',
        phase: t.phase ?? 'tcp',
        title: `server target ${row(t)} of ${peer} failed (${t.code ?? 'error'}) while ${ok.length === 1 ? 'another works' : `${ok.length} others work`}`,
        detail: 'Initiating servers try the targets in SRV order: a dead or broken target costs every partner a timeout or a failed attempt, and it is the one they use when the others are down. A broken node of a cluster fails federation for whoever lands on it.',
        evidence: [{ label: 'failed', value: `${row(t)}: ${t.phase ?? ''} ${t.code ?? ''} ${t.error ?? ''}`.trim(), source: t.source }, ...ok.map((x) => ({ label: 'works', value: row(x), source: x.source }))],
        fix: `Repair or remove ${t.host}: fix the server or firewall, or delete its SRV record (or its A/AAAA record) so partners do not try it.`,
        references: [`${REF.rfc6120}#section-3.2`, REF.xep0368],
      });
    }
    const v4ok = ok.some((t) => t.family === 4);
    const v6 = ts.filter((t) => t.family === 6 && !noRoute.includes(t));
    if (v4ok && v6.length && v6.every((t) => !t.ok)) {
      out.push({
        id: 'probe.ipv6.failed',
        severity: 'warning',
        phase: 'tcp',
        title: `${peer} publishes IPv6 addresses that do not work, while IPv4 does`,
        detail: 'Partners with IPv6 try the AAAA addresses (often first): they wait for a timeout or get a refusal before falling back to IPv4, or fail outright when they have only IPv6.',
        evidence: v6.map((t) => ({ label: 'IPv6', value: `${row(t)}: ${t.code ?? ''} ${t.error ?? ''}`.trim(), source: t.source })),
        fix: 'Make the s2s listener and the firewall accept IPv6 on those addresses, or remove the AAAA records of the SRV targets.',
        references: [`${REF.rfc6120}#section-3.2`, 'https://www.rfc-editor.org/rfc/rfc8305'],
      });
    }
  }
  const d = drift(ok);
  if (d.length) {
    out.push({
      id: 'probe.target.inconsistent',
      severity: 'warning',
      phase: 'tls',
      title: `the server targets of ${peer} differ: ${d.map((x) => x.what).join(', ')}`,
      detail: 'The targets behind one domain should behave alike. Different certificates, features, TLS versions or dialback results mean cluster drift: a partner succeeds or fails depending on the node it reaches.',
      evidence: d.flatMap((x) => [...x.values].map(([v, rows]) => ({ label: x.what, value: `${x.what === 'certificate' ? v.slice(0, 23) + '…' : v}: ${rows.join(', ')}` }))),
      fix: 'Deploy the same certificate, TLS settings and s2s configuration on every node (compare them node by node).',
      references: [`${REF.rfc6120}#section-3.2`],
    });
  }
  return out;
}

export function localNoIpv6(facts: ProbeFacts, rows: string[]): Draft {
  return {
    id: 'probe.local.no-ipv6',
    severity: 'info',
    phase: 'tcp',
    title: `this machine has no IPv6 route: no verdict on the IPv6 addresses of ${facts.peer}`,
    detail: 'Connecting to an IPv6 address failed here before any packet reached the peer (network unreachable / no IPv6 address). This says nothing about the peer; run xfed from a host with IPv6 to check them.',
    evidence: rows.map((r) => ({ label: 'IPv6', value: r })),
    fix: 'Run the probe from a machine with IPv6 connectivity (or use -4 to leave IPv6 out).',
  };
}
