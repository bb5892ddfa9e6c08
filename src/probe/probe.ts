/**
 * `xfed probe`: one real server-to-server session with a peer, phase by phase.
 * resolve (RFC 6120 §3.2, XEP-0368) -> tcp -> stream (§4.7) -> STARTTLS (§5) or direct TLS ->
 * certificate (RFC 9525, RFC 7590) -> stream restart -> Server Dialback (XEP-0220 §2.1).
 * observeProbe (observe.ts) records the facts; evaluateProbe (evaluate.ts) turns them into
 * findings. Every failure is a finding; nothing here throws for a network reason.
 */
import { isIP } from '../core/ip.js';
import { mapPool } from '../core/pool.js';
import { targetResult, type TargetResult } from '../core/result.js';
import { DnsClient } from '../dns/client.js';
import { evaluateProbe } from './evaluate.js';
import { observeProbe } from './observe.js';
import { DEFAULT_TIMEOUTS, type ProbeOptions, type ProbeTargetData } from './types.js';

export { evaluateProbe } from './evaluate.js';
export { observeProbe } from './observe.js';

/** Probes one peer. `dns` lets many probes share one client (and its cache). */
export async function probePeer(o: ProbeOptions, dns?: DnsClient): Promise<TargetResult<ProbeTargetData>> {
  const timings: Record<string, number> = {};
  const facts = await observeProbe(o, { dns, timings });
  const findings = evaluateProbe(facts, { insecure: o.insecure, expiresSoonDays: o.expiresSoonDays, names: o.names });
  return targetResult<ProbeTargetData>(o.peer, findings, { probe: facts }, { timings });
}

/** Probes many peers with bounded concurrency over one DNS client; results keep the input order. */
export async function probePeers(
  peers: string[],
  base: Omit<ProbeOptions, 'peer'>,
  opts: { concurrency?: number; onProgress?: (done: number, total: number) => void; onTarget?: (t: TargetResult<ProbeTargetData>) => void } = {},
): Promise<TargetResult<ProbeTargetData>[]> {
  const dns = base.host && isIP(base.host) ? undefined : new DnsClient({ resolvers: base.resolvers, doh: base.doh, tcp: base.dnsTcp, timeout: base.timeouts?.dns ?? DEFAULT_TIMEOUTS.dns });
  try {
    // Probing one of our own domains: the certificate it serves is ours (own-cert findings).
    const one = async (peer: string) => {
      const t = await probePeer({ ...base, peer, ...(base.own === undefined && base.from && peer === base.from ? { own: true } : {}) }, dns);
      opts.onTarget?.(t);
      return t;
    };
    return await mapPool(peers, opts.concurrency ?? 16, one, opts.onProgress);
  } finally {
    dns?.close();
  }
}
