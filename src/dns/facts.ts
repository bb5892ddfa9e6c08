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
  ms: number;
  records: Array<Pick<DnsRecord, 'name' | 'type' | 'ttl' | 'data'>>;
  error?: string;
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
}

export const CLI_OPTION_NAMES: OptionNames = { allowPrivate: '--allow-private', resolver: '--resolver', tcp: '--tcp', concurrency: '--concurrency' };
/** The same options as doctor's configuration keys. */
export const CONFIG_OPTION_NAMES: OptionNames = { allowPrivate: 'dns.allow_private', resolver: 'dns.resolvers', tcp: 'dns.tcp', concurrency: 'concurrency' };

export interface EvaluateDnsOptions {
  allowPrivate?: boolean;
  includeClient?: boolean;
  /** Defaults to the CLI's flags (CLI_OPTION_NAMES). */
  optionNames?: Partial<OptionNames>;
}
