import type { TranscriptLine } from '../xmpp/connection.js';
import type { CertFacts, IdentityMatch } from '../xmpp/identity.js';

export type TlsMode = 'starttls' | 'direct';

export interface ProbeTimeouts {
  dns: number;
  tcp: number;
  stream: number;
  tls: number;
  dialback: number;
}

export const DEFAULT_TIMEOUTS: ProbeTimeouts = { dns: 5000, tcp: 5000, stream: 10_000, tls: 10_000, dialback: 30_000 };

/**
 * The from domain used when none is given: `.invalid` never resolves (RFC 2606), so a peer
 * that does dialback answers with an error such as remote-server-not-found, which proves its
 * dialback path works up to DNS without pretending to be anyone.
 */
export const DEFAULT_FROM = 'xfed-probe.invalid';

/** How long to wait for the dialback answer with the default from (unless a timeout is given). */
export const DEFAULT_FROM_DIALBACK_MS = 5000;

export interface ProbeOptions {
  /** The peer's XMPP domain (A-label form). */
  peer: string;
  /** Our domain (stream `from`, dialback originating domain). */
  from?: string;
  /** Pin one host (name or IP) instead of SRV resolution. */
  host?: string;
  port?: number;
  /** Force a TLS mode; 'none' skips STARTTLS (to see whether the peer requires it). */
  tls?: TlsMode | 'none';
  /** Extra trusted CA certificates (PEM). */
  ca?: string[];
  /** Certificate problems are info, not errors. */
  insecure?: boolean;
  /** The dialback secret of the authoritative server of `from`. */
  secret?: string;
  /** Run dialback (default true). */
  dialback?: boolean;
  timeouts?: Partial<ProbeTimeouts>;
  /** A certificate expiring within this many days is a warning (default 30). */
  expiresSoonDays?: number;
  /** Keep the XML transcript in the result. */
  transcript?: boolean;
  /** DNS: how to resolve (ignored with `host` set to an IP address). */
  resolvers?: string[];
  doh?: string;
  dnsTcp?: boolean;
  /**
   * Act as a receiving server replaying a db:verify (XEP-0220 §2.1.2) instead of sending
   * db:result: `from` is the receiving domain, `peer` the authoritative (originating) one.
   */
  verify?: { streamId: string; key: string };
}

export interface Attempt {
  host: string;
  address: string;
  port: number;
  tls: TlsMode;
  /** Where this target came from: an SRV record, the domain:5269 fallback, or --host. */
  source: 'srv' | 'fallback' | 'pinned';
  /** TCP connected (and, for direct TLS, the TLS handshake completed). */
  ok: boolean;
  error?: string;
  /** ECONNREFUSED, TIMEOUT, NOADDRESS..., or TLS when a direct-TLS handshake failed. */
  code?: string;
  ms: number;
}

export interface StreamFacts {
  id?: string;
  from?: string;
  version?: string;
  namespace?: string;
  /** The header declared xmlns:db (traditional dialback announced). */
  dialbackNamespace: boolean;
  features: string[];
}

export interface TlsFacts {
  mode: TlsMode;
  /** STARTTLS was marked <required/> (or direct TLS). */
  required: boolean;
  version?: string;
  cipher?: string;
  alpn?: string | false;
  authorized?: boolean;
  authorizationError?: string;
  chain: CertFacts[];
  identity?: IdentityMatch & { domain: string };
}

export interface DialbackFacts {
  /** 'xep-0220': computed from the given secret; 'random': no secret, an unverifiable key; 'given': db:verify replay. */
  key: 'xep-0220' | 'random' | 'given';
  streamId?: string;
  outcome: 'valid' | 'invalid' | 'error' | 'timeout' | 'closed' | 'not-offered' | 'skipped';
  condition?: string;
  text?: string;
  ms?: number;
}

export interface ProbeData {
  peer: string;
  from: string;
  attempts: Attempt[];
  /** The target the session ran on. */
  connected?: { host: string; address: string; port: number; tls: TlsMode };
  stream?: StreamFacts;
  tls?: TlsFacts;
  /** Stream after TLS. */
  secureStream?: StreamFacts;
  saslMechanisms?: string[];
  dialback?: DialbackFacts;
  streamError?: { condition: string; text?: string };
  transcript?: TranscriptLine[];
  transcriptTruncated?: boolean;
}
