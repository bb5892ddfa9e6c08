/**
 * What check-dns observes about one domain: plain, JSON-serialisable facts (`data.dns` of each
 * target). observe.ts collects them from DNS; evaluate.ts judges them without any I/O.
 */
import type { DnsRecord } from './client.js';
import type { AddressClass } from './address.js';
import type { SrvRecord, XmppService } from './srv.js';

export interface QueryLog {
  name: string;
  type: string;
  rcode: string;
  resolver: string;
  transport: string;
  truncated: boolean;
  authoritative: boolean;
  /** The AD bit: a validating resolver authenticated the answer (only meaningful when `dnssec.validating`). */
  authenticated?: boolean;
  ms: number;
  records: Array<Pick<DnsRecord, 'name' | 'type' | 'ttl' | 'data'>>;
  error?: string;
}

/** One TLSA record as check-dns reports it (RFC 6698 §2.1). */
export interface TlsaEntry {
  usage: number;
  selector: number;
  matchingType: number;
  /** Certificate association data, lower-case hex. */
  data: string;
  ttl: number;
}

/** The TLSA RRset of one SRV target (RFC 7673 §3: `_<port>._tcp.<target>`). */
export interface TlsaInfo {
  name: string;
  target: string;
  port: number;
  rcode: string;
  /** The TLSA answer was authenticated (AD). */
  authenticated: boolean;
  /** Every SRV RRset that leads to this target was authenticated (RFC 7673: DANE needs both). */
  srvAuthenticated: boolean;
  records: TlsaEntry[];
  /** Records that cannot be used, in words (unreadable rdata, wrong digest length...). */
  malformed?: string[];
}

/** DNSSEC as the resolver reports it (RFC 4035 §3.2: AD, CD). */
export interface DnssecFacts {
  /** The resolver validates: `. SOA` asked with DO came back with AD (or an answer about the domain did). Without it, no DNSSEC verdict. */
  validating: boolean;
  /** The answer to that `. SOA` question. */
  probe: { rcode: string; authenticated: boolean; resolver: string; error?: string };
  /** Questions that failed with SERVFAIL but were answered with CD=1: the data does not validate (bogus). */
  bogus: Array<{ name: string; type: string; rcode: string; cdRcode: string; resolver: string }>;
}

export interface AddressInfo {
  address: string;
  family: 4 | 6;
  ttl: number;
  class: AddressClass;
}

/** One SRV record as check-dns reports it: the record, its place in the order, its addresses. */
export interface SrvEntry extends SrvRecord {
  tls: 'starttls' | 'direct';
  /** 1-based position in the merged (XEP-0368) expected order; 0 for a "." record. */
  rank: number;
  /** Chance of being tried first within its priority. */
  share: number;
  /** `alias -> canonical` when the target is a CNAME (RFC 2782 forbids it). */
  cname?: string;
  addresses: AddressInfo[];
  /** false: the target has no A/AAAA; null: could not tell (resolver failure) or not applicable. */
  resolvable: boolean | null;
}

export interface ServiceInfo {
  service: XmppService;
  name: string;
  rcode: string;
  records: SrvEntry[];
  /** CNAMEs followed from the SRV name itself (`alias -> canonical`), when it is an alias. */
  aliases?: string[];
}

/** The facts of one domain (`data.dns`). */
export interface DnsFacts {
  domain: string;
  unicode: string;
  resolver: string;
  services: ServiceInfo[];
  /** The domain's own A/AAAA: what peers use when no SRV record exists. */
  domainAddresses: AddressInfo[];
  domainRcode: string;
  queries: QueryLog[];
  /** DNSSEC status (absent in facts recorded before xfed asked with DO). */
  dnssec?: DnssecFacts;
  /** TLSA RRsets of the federation SRV targets (RFC 7673), one per target and port. */
  tlsa?: TlsaInfo[];
}

/** The former name of DnsFacts. */
export type DnsSection = DnsFacts;

/**
 * How evaluation words the options it mentions, so that each front end can name its own:
 * the CLI says `--allow-private`, doctor says `dns.allow_private`.
 */
export interface OptionNames {
  allowPrivate: string;
  resolver: string;
  tcp: string;
  concurrency: string;
  dnssec: string;
}

export const CLI_OPTION_NAMES: OptionNames = { allowPrivate: '--allow-private', resolver: '--resolver', tcp: '--tcp', concurrency: '--concurrency', dnssec: '--dnssec' };
/** The same options as doctor's configuration keys. */
export const CONFIG_OPTION_NAMES: OptionNames = { allowPrivate: 'dns.allow_private', resolver: 'dns.resolvers', tcp: 'dns.tcp', concurrency: 'concurrency', dnssec: 'dns.dnssec' };

export interface EvaluateDnsOptions {
  allowPrivate?: boolean;
  /** DNSSEC is expected: an unsigned zone is a warning (`--dnssec`, config `dns.dnssec`). */
  dnssec?: boolean;
  includeClient?: boolean;
  /** Defaults to the CLI's flags (CLI_OPTION_NAMES). */
  optionNames?: Partial<OptionNames>;
}
