/**
 * DNS over UDP (RFC 1035 §4.2.1): one connected socket per resolver, questions multiplexed by
 * ID, retransmitted, with a hard timeout. An answer counts only if its ID and question match a
 * question in flight; anything else is ignored, and remembered so that a question that gets no
 * valid answer is reported as BADANSWER ("the server sent ...") rather than as a timeout.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIP } from '../core/ip.js';
import { randomInt } from 'node:crypto';
import type { ResolverAddress, RRType } from './client.js';
import { badAnswer, decode, encodeQuery, mismatch, networkFailure, question, sameQuestion, undecodable, type Failure, type Outcome, type QueryFlags, type Question } from './message.js';

interface Pending extends Question {
  msg: Buffer;
  /** performance.now() of the next retransmission, and of giving up. */
  resend: number;
  deadline: number;
  every: number;
  timeout: number;
  /** Why the last message that came for this question was not accepted. */
  bad?: string;
  /** The channel's undecodable-message count when the question was sent. */
  undecodableAtStart: number;
  resolve: (d: Outcome) => void;
}

/**
 * One connected UDP socket per resolver: the kernel drops datagrams from any
 * other sender, sends skip the per-datagram address handling, and answers are
 * matched by id and question. One sweeping timer per socket retransmits and
 * times questions out, instead of a timer per question.
 */
export class UdpChannel {
  private sock: UdpSocket;
  private connected = false;
  private ready: Promise<void>;
  private pending = new Map<number, Pending>();
  private sweeper: NodeJS.Timeout | undefined;
  /** Set when the resolver (or this machine) is known to be unusable: every question fails at once with it. */
  dead: Failure | undefined;
  private answered = 0;
  private timedOut = 0;
  private undecodable = 0;
  private lastUndecodable = '';
  static readonly DEAD_AFTER_TIMEOUTS = 8;
  /** Questions in flight are capped: a burst larger than the socket buffers is dropped, and each drop costs a retransmission. */
  private inFlight = 0;
  private waiting: Array<() => void> = [];
  static readonly MAX_IN_FLIGHT = 64;
  static readonly SWEEP_MS = 50;

  constructor(to: ResolverAddress) {
    this.sock = createSocket(isIP(to.address) === 6 ? 'udp6' : 'udp4');
    this.sock.on('message', (msg) => this.onMessage(msg));
    // On a connected socket, an ICMP "port unreachable" surfaces as ECONNREFUSED: nothing listens there.
    // EMFILE/ENFILE (no socket could be made) is this machine's problem: LOCALERR.
    this.sock.on('error', (e: NodeJS.ErrnoException) => {
      this.dead = networkFailure(e);
      for (const [id, p] of this.pending) this.settle(id, p, this.dead);
      this.releaseWaiting();
    });
    this.ready = new Promise((resolve) => {
      this.sock.once('error', () => resolve());
      this.sock.connect(to.port, to.address, () => {
        this.connected = true;
        try {
          this.sock.setRecvBufferSize(1 << 20);
        } catch {
          /* the OS keeps its default */
        }
        resolve();
      });
    });
    this.sock.unref();
  }

  private onMessage(msg: Buffer): void {
    const d = decode(msg);
    if (!d) {
      // Its ID cannot be trusted: remembered for every question in flight.
      this.undecodable++;
      this.lastUndecodable = undecodable(msg.length);
      return;
    }
    const p = this.pending.get(d.id);
    if (p && sameQuestion(d, p)) {
      this.answered++;
      this.settle(d.id, p, d);
      return;
    }
    if (p) {
      p.bad = mismatch(d);
      return;
    }
    // No question with this ID: a late duplicate (ignored), or an answer to one of ours with the wrong ID.
    for (const [id, q] of this.pending) {
      if (sameQuestion(d, q)) {
        q.bad = mismatch(d, id);
        break;
      }
    }
  }

  async query(name: string, type: RRType, timeout: number, flags: QueryFlags = {}): Promise<Outcome> {
    if (this.inFlight >= UdpChannel.MAX_IN_FLIGHT && !this.dead) await new Promise<void>((r) => this.waiting.push(r));
    if (this.dead) {
      this.waiting.shift()?.();
      return this.dead;
    }
    this.inFlight++;
    if (!this.connected) await this.ready;
    if (this.dead) {
      this.inFlight--;
      this.waiting.shift()?.();
      return this.dead;
    }
    return this.send(name, type, timeout, flags);
  }

  private releaseWaiting(): void {
    for (const w of this.waiting.splice(0)) w();
  }

  private settle(id: number, p: Pending, v: Outcome): void {
    this.pending.delete(id);
    this.inFlight--;
    this.waiting.shift()?.();
    if (this.pending.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
    p.resolve(v);
  }

  /** Retransmits every second (or every third of the budget, if shorter) until the budget is spent. */
  private sweep(): void {
    const now = performance.now();
    for (const [id, p] of this.pending) {
      if (now >= p.deadline) {
        const why = p.bad ?? (this.undecodable > p.undecodableAtStart ? this.lastUndecodable : undefined);
        if (why) {
          this.settle(id, p, badAnswer(`${why} within ${p.timeout} ms`));
          continue;
        }
        // A resolver that has answered nothing after several full timeouts is down: fail the rest at once
        // rather than making a long list wait out one timeout per question.
        if (++this.timedOut >= UdpChannel.DEAD_AFTER_TIMEOUTS && this.answered === 0) {
          this.dead = { rcode: 'TIMEOUT', error: `no answer to any of ${this.timedOut} questions; resolver considered down` };
        }
        this.settle(id, p, { rcode: 'TIMEOUT', error: `no answer within ${p.timeout} ms` });
      } else if (now >= p.resend) {
        p.resend = now + p.every;
        this.sock.send(p.msg);
      }
    }
  }

  private send(name: string, type: RRType, timeout: number, flags: QueryFlags): Promise<Outcome> {
    let id = randomInt(0x10000);
    while (this.pending.has(id)) id = (id + 1) & 0xffff;
    const msg = encodeQuery(id, name, type, flags);
    const now = performance.now();
    const every = Math.min(1000, timeout / 3);
    return new Promise((resolve) => {
      const q = question(name, type);
      this.pending.set(id, { qname: q.qname, qtype: q.qtype, msg, resend: now + every, deadline: now + timeout, every, timeout, undecodableAtStart: this.undecodable, resolve });
      if (!this.sweeper) {
        // Referenced on purpose: while questions are pending it keeps the process alive; it stops when none are.
        this.sweeper = setInterval(() => this.sweep(), Math.min(UdpChannel.SWEEP_MS, every / 2));
      }
      this.sock.send(msg);
    });
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    try {
      this.sock.close();
    } catch {
      /* never opened (EMFILE) or already closed */
    }
  }
}
