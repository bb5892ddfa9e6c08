/** The state one observation of one peer carries through its phases. */
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
}
