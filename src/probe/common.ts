/** What the probe's phases share: references, the finding draft type, number formatting. */
import type { Finding } from '../core/result.js';
import { matchIdentity, type IdentityMatch } from '../xmpp/identity.js';
import type { ProbeFacts, TlsFacts } from './types.js';

/** The documents findings cite: one table for the checks and the finding catalogue. */
export { REF } from '../findings/refs.js';

/** A finding before its target is set (evaluators build these; evaluateProbe adds the peer). */
export type Draft = Omit<Finding, 'target' | 'evidence' | 'fix' | 'detail'> & Partial<Pick<Finding, 'evidence' | 'fix' | 'detail'>>;

/** "400 ms", "1500 ms", "30 s": seconds only where rounding loses nothing that matters. */
export function duration(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}

export function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export function since(t0: number): number {
  return performance.now() - t0;
}

/** `address:port` of the server the session ran on. */
export function whereOf(f: Pick<ProbeFacts, 'connected'>): string {
  return `${f.connected?.address}:${f.connected?.port}`;
}

/** Adds a phase's duration to the probe's timings. */
export function addTiming(timings: Record<string, number>, phase: string, ms: number): void {
  timings[phase] = Math.round(((timings[phase] ?? 0) + ms) * 10) / 10;
}

/** How the presented leaf certificate names the peer: as observed, or matched from its names (recorded facts may lack it). */
export function peerIdentity(peer: string, tl: TlsFacts): IdentityMatch & { domain: string } {
  const names = tl.chain[0]?.names;
  return tl.identity ?? (names ? { ...matchIdentity(peer, names), domain: peer } : { matched: false, domain: peer });
}
