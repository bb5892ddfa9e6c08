/**
 * The one DNS client every xfed command uses, on our own transports, so that
 * rcodes, TTLs, the AA and TC bits and the answering resolver stay visible (a
 * stub resolver hides them). Messages are written and read directly (wire.ts):
 * dns2's codec is ten times slower, and is the oracle the tests compare with.
 *
 * - UDP: one socket per address family, queries multiplexed by id, retransmitted,
 *   with a hard timeout; TCP fallback when the TC bit is set (RFC 1035 §4.2.1, RFC 7766).
 * - TCP: `--tcp`, one connection per query.
 * - DoH: RFC 8484 POST application/dns-message over undici.
 * https://www.rfc-editor.org/rfc/rfc1035 https://www.rfc-editor.org/rfc/rfc8484
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { getServers } from 'node:dns';
import { isIP, createConnection } from 'node:net';
import { randomInt } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import { decodeMessage, TYPE_CODES, TYPE_NAMES } from './wire.js';


export type RRType = 'A' | 'AAAA' | 'SRV' | 'CNAME' | 'SOA' | 'NS' | 'TXT';

export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED' | 'TIMEOUT' | 'NETERR' | `RCODE${number}`;

export interface DnsRecord {
  name: string;
  type: string;
  ttl: number;
  /** Presentation form of the rdata. */
  data: string;
  address?: string;
  target?: string;
  port?: number;
  priority?: number;
  weight?: number;
}

export interface DnsResponse {
  name: string;
  type: RRType;
  /** The DNS rcode, or TIMEOUT / NETERR when no usable answer came back. */
  rcode: Rcode;
  records: DnsRecord[];
  authority: DnsRecord[];
  /** `ip:port` or the DoH URL of the server that gave this answer (or the last one tried). */
  resolver: string;
  transport: 'udp' | 'tcp' | 'doh';
  /** The UDP answer had the TC bit set (the answer shown came over TCP). */
  truncated: boolean;
  authoritative: boolean;
  ms: number;
  error?: string;
}

/** An answer is conclusive when the server said yes (NOERROR) or no (NXDOMAIN). */
export function conclusive(r: { rcode: string }): boolean {
  return r.rcode === 'NOERROR' || r.rcode === 'NXDOMAIN';
}

/**
 * The records of `type` that answer the question, following the CNAME chain in
 * the answer from the name asked (a resolver returns `alias CNAME name` then the
 * records of `name`), and the aliases met on the way.
 */
export function answerRecords(r: Pick<DnsResponse, 'name' | 'records'>, type: string): { records: DnsRecord[]; aliases: string[] } {
  let owner = r.name.toLowerCase();
  const aliases: string[] = [];
  for (let hops = 0; hops < 8; hops++) {
    const cname = r.records.find((x) => x.type === 'CNAME' && x.name === owner && x.target);
    if (!cname || cname.target === owner) break;
    aliases.push(`${owner} -> ${cname.target}`);
    owner = cname.target!;
  }
  return { records: r.records.filter((x) => x.type === type && x.name === owner), aliases };
}

export interface ResolverAddress {
  address: string;
  port: number;
}

export interface DnsClientOptions {
  /** `ip`, `ip:port`, `[v6]:port` or a bare IPv6 address. Default: the system's resolvers. */
  resolvers?: string[];
  /** DNS-over-HTTPS URL (RFC 8484); replaces `resolvers`. */
  doh?: string;
  /** Query over TCP only. */
  tcp?: boolean;
  /** Total time for one question, retransmissions included, in ms. */
  timeout?: number;
}

const RCODES: Record<number, Rcode> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };
const MAX_TCP_MESSAGE = 65_535;

export function parseResolver(spec: string): ResolverAddress {
  const s = spec.trim();
  let address = s;
  let port = 53;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) {
    address = bracket[1]!;
    if (bracket[2]) port = Number(bracket[2]);
  } else if (isIP(s) === 0 && /^[^:]+:\d+$/.test(s)) {
    const i = s.lastIndexOf(':');
    address = s.slice(0, i);
    port = Number(s.slice(i + 1));
  }
  if (isIP(address) === 0) throw new UsageError(`invalid resolver "${spec}": expected an IP address, optionally with :port`);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new UsageError(`invalid resolver "${spec}": port must be 1-65535`);
  return { address, port };
}

export function formatResolver(r: ResolverAddress): string {
  return isIP(r.address) === 6 ? `[${r.address}]:${r.port}` : `${r.address}:${r.port}`;
}

/** The nameservers this machine is configured with (resolv.conf, via node:dns). */
export function systemResolvers(): ResolverAddress[] {
  return getServers().map(parseResolver);
}

function normName(n: string | undefined): string {
  return (n ?? '').replace(/\.$/, '').toLowerCase();
}

export function toRecord(r: Record<string, unknown>): DnsRecord {
  const type = TYPE_NAMES[r.type as number] ?? `TYPE${String(r.type)}`;
  const rec: DnsRecord = { name: normName(r.name as string), type, ttl: Number(r.ttl ?? 0), data: '' };
  switch (type) {
    case 'A':
    case 'AAAA':
      rec.address = String(r.address);
      rec.data = rec.address;
      break;
    case 'CNAME':
    case 'PTR':
      rec.target = normName(r.domain as string);
      rec.data = rec.target;
      break;
    case 'NS':
      rec.target = normName(r.ns as string);
      rec.data = rec.target;
      break;
    case 'SRV':
      rec.priority = Number(r.priority);
      rec.weight = Number(r.weight);
      rec.port = Number(r.port);
      rec.target = normName(r.target as string);
      rec.data = `${rec.priority} ${rec.weight} ${rec.port} ${rec.target || '.'}`;
      break;
    case 'SOA':
      rec.data = `${normName(r.primary as string)} ${normName(r.admin as string)} ${String(r.serial)}`;
      break;
    case 'TXT':
      rec.data = Array.isArray(r.data) ? (r.data as string[]).join('') : String(r.data ?? '');
      break;
    default:
      rec.data = '';
  }
  return rec;
}

/**
 * A standard query (RFC 1035 §4.1): header with RD, one IN question, and an
 * EDNS(0) OPT record (RFC 6891) advertising 1232 bytes (DNS Flag Day 2020: fewer
 * truncations, no fragmentation). Written directly: dns2's bit-level writer costs
 * ~30 µs a query, a third of the whole check at a thousand domains.
 */
export function encodeQuery(id: number, name: string, type: RRType): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const qnameLen = labels.reduce((n, l) => n + 1 + Buffer.byteLength(l), 1);
  const buf = Buffer.alloc(12 + qnameLen + 4 + 11);
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(0x0100, 2); // RD
  buf.writeUInt16BE(1, 4); // QDCOUNT
  buf.writeUInt16BE(1, 10); // ARCOUNT (OPT)
  let o = 12;
  for (const l of labels) {
    o = buf.writeUInt8(Buffer.byteLength(l), o);
    o += buf.write(l, o, 'ascii');
  }
  o = buf.writeUInt8(0, o);
  o = buf.writeUInt16BE(TYPE_CODES[type], o);
  o = buf.writeUInt16BE(1, o); // class IN
  // OPT: root name, TYPE 41, CLASS = UDP payload size, TTL = 0 (rcode/version/flags), RDLEN 0.
  o = buf.writeUInt8(0, o);
  o = buf.writeUInt16BE(41, o);
  o = buf.writeUInt16BE(1232, o);
  o = buf.writeUInt32BE(0, o);
  buf.writeUInt16BE(0, o);
  return buf;
}

interface Decoded {
  id: number;
  rcode: Rcode;
  tc: boolean;
  aa: boolean;
  qname: string;
  qtype: number;
  records: DnsRecord[];
  authority: DnsRecord[];
}

function decode(buf: Buffer): Decoded | undefined {
  const m = decodeMessage(buf);
  if (!m || !m.qr) return undefined;
  return {
    id: m.id,
    rcode: RCODES[m.rcode] ?? (`RCODE${m.rcode}` as Rcode),
    tc: m.tc,
    aa: m.aa,
    qname: m.qname,
    qtype: m.qtype,
    records: m.answers,
    authority: m.authority,
  };
}

interface Pending {
  qname: string;
  qtype: number;
  msg: Buffer;
  /** performance.now() of the next retransmission, and of giving up. */
  resend: number;
  deadline: number;
  every: number;
  resolve: (d: UdpOutcome) => void;
}

/** An answer, a timeout, or a resolver known to be unusable. */
type UdpOutcome = Decoded | 'TIMEOUT' | { rcode: 'TIMEOUT' | 'NETERR'; error: string };

function isDecoded(v: UdpOutcome | Error): v is Decoded {
  return typeof v === 'object' && !(v instanceof Error) && 'id' in v;
}

/**
 * One connected UDP socket per resolver: the kernel drops datagrams from any
 * other sender, sends skip the per-datagram address handling, and answers are
 * matched by id and question. One sweeping timer per socket retransmits and
 * times questions out, instead of a timer per question.
 */
class UdpChannel {
  private sock: UdpSocket;
  private connected = false;
  private ready: Promise<void>;
  private pending = new Map<number, Pending>();
  private sweeper: NodeJS.Timeout | undefined;
  /** Set when the resolver is known to be unusable: every question fails at once with it. */
  private dead: { rcode: 'TIMEOUT' | 'NETERR'; error: string } | undefined;
  private answered = 0;
  private timedOut = 0;
  static readonly DEAD_AFTER_TIMEOUTS = 8;
  /** Questions in flight are capped: a burst larger than the socket buffers is dropped, and each drop costs a retransmission. */
  private inFlight = 0;
  private waiting: Array<() => void> = [];
  static readonly MAX_IN_FLIGHT = 64;
  static readonly SWEEP_MS = 50;

  constructor(to: ResolverAddress) {
    this.sock = createSocket(isIP(to.address) === 6 ? 'udp6' : 'udp4');
    this.sock.on('message', (msg) => {
      const d = decode(msg);
      if (!d) return;
      const p = this.pending.get(d.id);
      // Ignore stray or spoofed answers: not the question we asked.
      if (!p || d.qname !== p.qname || d.qtype !== p.qtype) return;
      this.answered++;
      this.settle(d.id, p, d);
    });
    // On a connected socket, an ICMP "port unreachable" surfaces as ECONNREFUSED: nothing listens there.
    this.sock.on('error', (e: NodeJS.ErrnoException) => {
      this.dead = { rcode: 'NETERR', error: e.code === 'ECONNREFUSED' ? 'connection refused (no DNS server listens there)' : e.message };
      for (const [id, p] of this.pending) this.settle(id, p, this.dead);
    });
    this.ready = new Promise((resolve) => {
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

  async query(name: string, type: RRType, timeout: number): Promise<UdpOutcome> {
    if (this.inFlight >= UdpChannel.MAX_IN_FLIGHT) await new Promise<void>((r) => this.waiting.push(r));
    if (this.dead) {
      this.waiting.shift()?.();
      return this.dead;
    }
    this.inFlight++;
    if (!this.connected) await this.ready;
    return this.send(name, type, timeout);
  }

  private settle(id: number, p: Pending, v: UdpOutcome): void {
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
        // A resolver that has answered nothing after several full timeouts is down: fail the rest at once
        // rather than making a long list wait out one timeout per question.
        if (++this.timedOut >= UdpChannel.DEAD_AFTER_TIMEOUTS && this.answered === 0) {
          this.dead = { rcode: 'TIMEOUT', error: `no answer to any of ${this.timedOut} questions; resolver considered down` };
        }
        this.settle(id, p, 'TIMEOUT');
      }
      else if (now >= p.resend) {
        p.resend = now + p.every;
        this.sock.send(p.msg);
      }
    }
  }

  private send(name: string, type: RRType, timeout: number): Promise<UdpOutcome> {
    let id = randomInt(0x10000);
    while (this.pending.has(id)) id = (id + 1) & 0xffff;
    const msg = encodeQuery(id, name, type);
    const now = performance.now();
    const every = Math.min(1000, timeout / 3);
    return new Promise((resolve) => {
      this.pending.set(id, { qname: normName(name), qtype: TYPE_CODES[type], msg, resend: now + every, deadline: now + timeout, every, resolve });
      if (!this.sweeper) {
        // Referenced on purpose: while questions are pending it keeps the process alive; it stops when none are.
        this.sweeper = setInterval(() => this.sweep(), Math.min(UdpChannel.SWEEP_MS, every / 2));
      }
      this.sock.send(msg);
    });
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sock.close();
  }
}

function tcpQuery(to: ResolverAddress, name: string, type: RRType, timeout: number): Promise<Decoded | 'TIMEOUT' | Error> {
  return new Promise((resolve) => {
    const id = randomInt(0x10000);
    const msg = encodeQuery(id, name, type);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(msg.length);
    const sock = createConnection({ host: to.address, port: to.port });
    let buf = Buffer.alloc(0);
    const finish = (v: Decoded | 'TIMEOUT' | Error) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish('TIMEOUT'), timeout);
    sock.on('connect', () => sock.write(Buffer.concat([len, msg])));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > MAX_TCP_MESSAGE + 2) return finish(new Error('oversized TCP answer'));
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const d = decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        finish(d && d.id === id ? d : new Error('malformed TCP answer'));
      }
    });
    sock.on('error', (e) => finish(e));
    sock.on('end', () => finish(new Error('connection closed before the answer')));
  });
}

export class DnsClient {
  readonly resolvers: ResolverAddress[];
  readonly doh: string | undefined;
  readonly tcp: boolean;
  readonly timeout: number;
  private udp = new Map<string, UdpChannel>();
  private cache = new Map<string, Promise<DnsResponse>>();
  private dohPool: import('undici').Pool | undefined;

  constructor(opts: DnsClientOptions = {}) {
    this.timeout = opts.timeout ?? 5000;
    this.tcp = Boolean(opts.tcp);
    this.doh = opts.doh;
    if (this.doh) {
      let u: URL;
      try {
        u = new URL(this.doh);
      } catch {
        throw new UsageError(`invalid --doh URL "${this.doh}"`);
      }
      // Plain http only to a DoH proxy on this machine: anything else would be DNS in clear, unverified.
      const loopback = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/i.test(u.hostname);
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) throw new UsageError(`--doh needs an https:// URL (http:// only on loopback), got "${this.doh}"`);
    }
    this.resolvers = opts.resolvers?.length ? opts.resolvers.map(parseResolver) : systemResolvers();
    if (!this.doh && this.resolvers.length === 0) throw new UsageError('no DNS resolver configured on this system: pass --resolver <ip>');
  }

  /** Where questions go, for reports. */
  describe(): string {
    return this.doh ? this.doh : this.resolvers.map(formatResolver).join(', ');
  }

  /** Asks one question (answers are cached for the client's lifetime, as a run is short). */
  query(name: string, type: RRType): Promise<DnsResponse> {
    const key = `${normName(name)}|${type}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.doh ? this.dohQuery(name, type) : this.ask(name, type);
      this.cache.set(key, p);
    }
    return p;
  }

  private async ask(name: string, type: RRType): Promise<DnsResponse> {
    let last: DnsResponse | undefined;
    // Try the resolvers in order; only an inconclusive answer moves on to the next one.
    for (const r of this.resolvers) {
      last = await this.askOne(r, name, type);
      if (conclusive(last)) return last;
    }
    return last!;
  }

  private async askOne(r: ResolverAddress, name: string, type: RRType): Promise<DnsResponse> {
    const t0 = performance.now();
    const base = { name: normName(name), type, resolver: formatResolver(r), records: [], authority: [], authoritative: false, truncated: false };
    let truncated = false;
    let transport: 'udp' | 'tcp' = this.tcp ? 'tcp' : 'udp';
    let res: UdpOutcome | Error = this.tcp ? await tcpQuery(r, name, type, this.timeout) : await this.channel(r).query(name, type, this.timeout);
    if (!this.tcp && isDecoded(res) && res.tc) {
      truncated = true;
      transport = 'tcp';
      res = await tcpQuery(r, name, type, this.timeout);
    }
    const ms = round(performance.now() - t0);
    if (res === 'TIMEOUT') return { ...base, transport, truncated, rcode: 'TIMEOUT', ms, error: `no answer within ${this.timeout} ms` };
    if (res instanceof Error) return { ...base, transport, truncated, rcode: 'NETERR', ms, error: res.message };
    if (!isDecoded(res)) return { ...base, transport, truncated, rcode: res.rcode, ms, error: res.error };
    return { ...base, transport, truncated, rcode: res.rcode, records: res.records, authority: res.authority, authoritative: res.aa, ms };
  }

  private async dohQuery(name: string, type: RRType): Promise<DnsResponse> {
    const t0 = performance.now();
    const base = { name: normName(name), type, resolver: this.doh!, transport: 'doh' as const, records: [], authority: [], authoritative: false, truncated: false };
    try {
      const { Pool } = await import('undici');
      const url = new URL(this.doh!);
      this.dohPool ??= new Pool(url.origin, { allowH2: true, connections: 8, headersTimeout: this.timeout, bodyTimeout: this.timeout, connectTimeout: this.timeout });
      const res = await this.dohPool.request({
        method: 'POST',
        path: url.pathname + url.search,
        headers: { 'content-type': 'application/dns-message', accept: 'application/dns-message' },
        // RFC 8484 §4.1: the id SHOULD be 0 for cache friendliness.
        body: encodeQuery(0, name, type),
        signal: AbortSignal.timeout(this.timeout),
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      const ms = round(performance.now() - t0);
      if (res.statusCode !== 200) return { ...base, rcode: 'NETERR', ms, error: `DoH server answered HTTP ${res.statusCode}` };
      const d = decode(body);
      if (!d) return { ...base, rcode: 'NETERR', ms, error: 'DoH server sent a malformed DNS message' };
      return { ...base, rcode: d.rcode, records: d.records, authority: d.authority, authoritative: d.aa, ms };
    } catch (e) {
      const ms = round(performance.now() - t0);
      const err = e as Error & { code?: string };
      const timeout = err.name === 'TimeoutError' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_CONNECT_TIMEOUT';
      return { ...base, rcode: timeout ? 'TIMEOUT' : 'NETERR', ms, error: timeout ? `no answer within ${this.timeout} ms` : err.message };
    }
  }

  private channel(r: ResolverAddress): UdpChannel {
    const key = formatResolver(r);
    let c = this.udp.get(key);
    if (!c) this.udp.set(key, (c = new UdpChannel(r)));
    return c;
  }

  close(): void {
    for (const c of this.udp.values()) c.close();
    this.udp.clear();
    void this.dohPool?.close();
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
