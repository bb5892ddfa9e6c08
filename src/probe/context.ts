/** The state one observation of one peer carries through its phases, and its overall deadline. */
import type { DnsClient } from '../dns/client.js';
import type { XmppConnection } from '../xmpp/connection.js';
import type { ProbeFacts, ProbeOptions, ProbeTimeouts } from './types.js';

export interface ObserveCtx {
  o: ProbeOptions;
  t: ProbeTimeouts;
  from: string;
  facts: ProbeFacts;
  /** Per-phase durations (ms), summed over attempts. */
  timings: Record<string, number>;
  /** The DNS client (shared, or made on first use and closed at the end of the probe). */
  dns(): DnsClient;
  /** Every connection the probe opens is announced here (the transcript listens to it). */
  opened(conn: XmppConnection): void;
  /** performance.now() at which the whole probe of this peer stops. */
  deadlineAt: number;
  /** Called once TLS is up on the session (the extra handshakes start then). */
  afterTls?: (() => void) | undefined;
  /** The DER of the leaf certificate the session's server presented. */
  leafDer?: Buffer | undefined;
  /** The DER of the chain the session's server presented, leaf first (same order as `tls.chain`): DANE matches it. Never in facts. */
  chainDer?: Buffer[] | undefined;
  /** How many of `chainDer` the server sent (node completes the chain from the trust store). */
  chainSent?: number | undefined;
}

/** The probe of one peer reached its overall deadline in `phase`: the observation stops there. */
export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
  constructor(readonly phase: string) {
    super(`deadline reached during ${phase}`);
  }
}

/** Milliseconds left before the deadline. */
export function remaining(ctx: ObserveCtx): number {
  return ctx.deadlineAt - performance.now();
}

/**
 * The time a wait of `ms` may take: `ms`, or less if the deadline comes first.
 * Throws DeadlineExceeded when the deadline has already passed.
 */
export function budget(ctx: ObserveCtx, ms: number, phase: string): number {
  const left = Math.floor(remaining(ctx));
  if (left <= 0) throw new DeadlineExceeded(phase);
  return Math.min(ms, left);
}

/** `p`, or DeadlineExceeded(phase) if the deadline comes first (for work without its own budget, such as DNS). */
export async function beforeDeadline<T>(ctx: ObserveCtx, phase: string, p: Promise<T>): Promise<T> {
  const left = budget(ctx, Number.MAX_SAFE_INTEGER, phase);
  let timer: NodeJS.Timeout | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(phase)), left);
  });
  try {
    return await Promise.race([p, stop]);
  } finally {
    clearTimeout(timer);
  }
}
