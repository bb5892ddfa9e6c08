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
import { getServers } from 'node:dns';
import { isIP } from '../core/ip.js';
import { loadUndici } from '../core/undici.js';
import { InputError } from '../core/errors.js';
import { isDecoded, normName, type Outcome, type QueryFlags } from './message.js';
import { UdpChannel } from './udp.js';
import { tcpQuery } from './tcp.js';
import { dohQuery } from './doh.js';

export { encodeQuery, type QueryFlags } from './message.js';

/** Codes of the InputErrors this module throws (field `dns.resolver` or `dns.doh`). */
export const DNS_INPUT_CODES = { resolver: 'XFED_DNS_RESOLVER_INVALID', noResolver: 'XFED_DNS_NO_RESOLVER', doh: 'XFED_DNS_DOH_INVALID' } as const;


export type RRType = 'A' | 'AAAA' | 'SRV' | 'CNAME' | 'SOA' | 'NS' | 'TXT' | 'TLSA';

/** TLSA rdata (RFC 6698 §2.1). */
export interface TlsaRdata {
  usage: number;
  selector: number;
  matchingType: number;
  /** Certificate association data, lower-case hex. */
  data: string;
}

/**
 * The DNS rcode, or what xfed saw instead of an answer: TIMEOUT (silence), NETERR (network error),
 * BADANSWER (only messages that do not answer the question: undecodable, wrong ID, another
 * question, too large), LOCALERR (this machine could not ask: EMFILE, ENFILE...).
 */
export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED' | 'TIMEOUT' | 'NETERR' | 'BADANSWER' | 'LOCALERR' | `RCODE${number}`;

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
  /** TLSA records: the parsed rdata. */
  tlsa?: TlsaRdata;
  /** Rdata that could not be read, in words (the record is kept, the rest of the answer too). */
  malformed?: string;
}

export interface DnsResponse {
  name: string;
  type: RRType;
  /** The DNS rcode, or TIMEOUT / NETERR / BADANSWER / LOCALERR when no usable answer came back. */
  rcode: Rcode;
  records: DnsRecord[];
  authority: DnsRecord[];
  /** `ip:port` or the DoH URL of the server that gave this answer (or the last one tried). */
  resolver: string;
  transport: 'udp' | 'tcp' | 'doh';
  /** The UDP answer had the TC bit set (the answer shown came over TCP). */
  truncated: boolean;
  authoritative: boolean;
  /** The AD bit: a validating resolver authenticated the answer (DNSSEC, RFC 4035 §3.2.3). Meaningless from a resolver that does not validate. */
  authenticated: boolean;
  /** Asked with CD (checking disabled). */
  cd?: boolean;
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
  resolvers?: string[] | undefined;
  /** DNS-over-HTTPS URL (RFC 8484); replaces `resolvers`. */
  doh?: string | undefined;
  /** Query over TCP only. */
  tcp?: boolean | undefined;
  /** Total time for one question, retransmissions included, in ms. */
  timeout?: number | undefined;
}

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
  if (isIP(address) === 0) throw new InputError('dns.resolver', `"${spec}" is not an IP address (expected ip, ip:port or [v6]:port)`, DNS_INPUT_CODES.resolver);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new InputError('dns.resolver', `"${spec}": the port must be 1-65535`, DNS_INPUT_CODES.resolver);
  return { address, port };
}

export function formatResolver(r: ResolverAddress): string {
  return isIP(r.address) === 6 ? `[${r.address}]:${r.port}` : `${r.address}:${r.port}`;
}

/** The nameservers this machine is configured with (resolv.conf, via node:dns). */
export function systemResolvers(): ResolverAddress[] {
  return getServers().map(parseResolver);
}

/** Checks a DoH URL: https, or http to loopback only (a DoH proxy on this machine). */
export function parseDohUrl(spec: string): URL {
  let u: URL;
  try {
    u = new URL(spec);
  } catch {
    throw new InputError('dns.doh', `"${spec}" is not a URL`, DNS_INPUT_CODES.doh);
  }
  // Plain http only to a DoH proxy on this machine: anything else would be DNS in clear, unverified.
  const loopback = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/i.test(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) throw new InputError('dns.doh', `needs an https:// URL (http:// only on loopback), got "${spec}"`, DNS_INPUT_CODES.doh);
  return u;
}

/** Questions whose answers the client keeps (shared SRV targets are asked once per run). */
const CACHE_LIMIT = 8192;

export class DnsClient {
  readonly resolvers: ResolverAddress[];
  readonly doh: string | undefined;
  readonly tcp: boolean;
  readonly timeout: number;
  private readonly dohUrl: URL | undefined;
  private udp = new Map<string, UdpChannel>();
  private cache = new Map<string, Promise<DnsResponse>>();
  private dohPool: import('undici').Pool | undefined;
  private readonly names = new Map<ResolverAddress, string>();
  private readonly description: string;

  constructor(opts: DnsClientOptions = {}) {
    this.timeout = opts.timeout ?? 5000;
    this.tcp = Boolean(opts.tcp);
    this.doh = opts.doh;
    if (this.doh) this.dohUrl = parseDohUrl(this.doh);
    this.resolvers = opts.resolvers?.length ? opts.resolvers.map(parseResolver) : systemResolvers();
    if (!this.doh && this.resolvers.length === 0) throw new InputError('dns.resolver', 'no DNS resolver is configured on this system: name one', DNS_INPUT_CODES.noResolver);
    // Formatted once: every question and every domain's facts name them.
    for (const r of this.resolvers) this.names.set(r, formatResolver(r));
    this.description = this.doh ? this.doh : this.resolvers.map((r) => this.names.get(r)!).join(', ');
  }

  /** `ip:port` of a resolver, as reports show it. */
  private nameOf(r: ResolverAddress): string {
    return this.names.get(r) ?? formatResolver(r);
  }

  /** Where questions go, for reports. */
  describe(): string {
    return this.description;
  }

  /**
   * Asks one question (the last CACHE_LIMIT answers are cached: a run asks each question once).
   * Every question carries the DO bit, so `authenticated` needs no question of its own;
   * `flags.cd` asks again without validation (a separate cache entry).
   */
  query(name: string, type: RRType, flags: QueryFlags = {}): Promise<DnsResponse> {
    const key = `${normName(name)}|${type}${flags.cd ? '|cd' : ''}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.dohUrl ? this.askDoh(this.dohUrl, name, type, flags) : this.ask(name, type, flags);
      this.cache.set(key, p);
      // Bounded, oldest first: a run of 10,000 domains must not keep its 40,000 answers.
      if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    }
    return p;
  }

  private async ask(name: string, type: RRType, flags: QueryFlags): Promise<DnsResponse> {
    let last: DnsResponse | undefined;
    // Try the resolvers in order; only an inconclusive answer moves on to the next one.
    for (const r of this.resolvers) {
      last = await this.askOne(r, name, type, flags);
      if (conclusive(last)) return last;
    }
    return last!;
  }

  private async askOne(r: ResolverAddress, name: string, type: RRType, flags: QueryFlags): Promise<DnsResponse> {
    const t0 = performance.now();
    let truncated = false;
    let transport: 'udp' | 'tcp' = this.tcp ? 'tcp' : 'udp';
    let res: Outcome = this.tcp ? await tcpQuery(r, name, type, this.timeout, flags) : await this.channel(r).query(name, type, this.timeout, flags);
    if (!this.tcp && isDecoded(res) && res.tc) {
      truncated = true;
      transport = 'tcp';
      res = await tcpQuery(r, name, type, this.timeout, flags);
    }
    return response(name, type, this.nameOf(r), transport, truncated, res, t0, flags);
  }

  private async askDoh(url: URL, name: string, type: RRType, flags: QueryFlags): Promise<DnsResponse> {
    const t0 = performance.now();
    const { Pool } = await loadUndici();
    this.dohPool ??= new Pool(url.origin, { allowH2: true, connections: 8, headersTimeout: this.timeout, bodyTimeout: this.timeout, connectTimeout: this.timeout });
    const res = await dohQuery({ url, pool: this.dohPool, timeout: this.timeout }, name, type, flags);
    return response(name, type, this.doh!, 'doh', false, res, t0, flags);
  }

  private channel(r: ResolverAddress): UdpChannel {
    const key = this.nameOf(r);
    let c = this.udp.get(key);
    // A channel that could not even open its socket (EMFILE) is made again for the next question.
    if (c?.dead?.rcode === 'LOCALERR') {
      c.close();
      c = undefined;
    }
    if (!c) this.udp.set(key, (c = new UdpChannel(r)));
    return c;
  }

  close(): void {
    for (const c of this.udp.values()) c.close();
    this.udp.clear();
    void this.dohPool?.close();
  }
}

function response(name: string, type: RRType, resolver: string, transport: DnsResponse['transport'], truncated: boolean, res: Outcome, t0: number, flags: QueryFlags): DnsResponse {
  const base = { name: normName(name), type, resolver, transport, truncated, records: [], authority: [], authoritative: false, authenticated: false, ...(flags.cd ? { cd: true } : {}), ms: round(performance.now() - t0) };
  if (!isDecoded(res)) return { ...base, rcode: res.rcode, error: res.error };
  // AD vouches for data only: on a SERVFAIL (or any rcode that carries none) it means nothing.
  return { ...base, rcode: res.rcode, records: res.records, authority: res.authority, authoritative: res.aa, authenticated: res.ad && conclusive(res) };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
