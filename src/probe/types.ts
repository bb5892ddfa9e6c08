import type { TranscriptLine } from '../xmpp/connection.js';
import type { CertFacts, IdentityMatch } from '../xmpp/identity.js';
import type { DaneFacts } from './dane-types.js';
import type { PoshFacts } from './posh-types.js';

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
  from?: string | undefined;
  /** Pin one host (name or IP) instead of SRV resolution. */
  host?: string | undefined;
  port?: number | undefined;
  /** Force a TLS mode; 'none' skips STARTTLS (to see whether the peer requires it). */
  tls?: TlsMode | 'none' | undefined;
  /** Extra trusted CA certificates (PEM). */
  ca?: string[] | undefined;
  /** Certificate problems are info, not errors. */
  insecure?: boolean | undefined;
  /** The dialback secret of the authoritative server of `from`. */
  secret?: string | undefined;
  /** Run dialback (default true). */
  dialback?: boolean | undefined;
  timeouts?: Partial<ProbeTimeouts> | undefined;
  /** A certificate expiring within this many days is a warning (default 30). */
  expiresSoonDays?: number | undefined;
  /** Keep the XML transcript in the result. */
  transcript?: boolean | undefined;
  /** DNS: how to resolve (ignored with `host` set to an IP address). */
  resolvers?: string[] | undefined;
  doh?: string | undefined;
  dnsTcp?: boolean | undefined;
  /**
   * Act as a receiving server replaying a db:verify (XEP-0220 §2.1.2) instead of sending
   * db:result: `from` is the receiving domain, `peer` the authoritative (originating) one.
   */
  verify?: { streamId: string; key: string } | undefined;
  /** The whole probe of this peer stops after this many ms (default: 4 × its longest phase timeout). */
  deadline?: number | undefined;
  /** Our certificate (PEM, leaf first) and its private key, presented in the TLS handshake (SASL EXTERNAL). */
  cert?: string | undefined;
  key?: string | undefined;
  /** The passphrase of an encrypted key (read from a file). */
  keyPassphrase?: string | undefined;
  /** Only IPv4 (4) or only IPv6 (6) addresses. */
  family?: 4 | 6 | undefined;
  /** The peer is one of our own domains: its served certificate is judged as ours too (own-cert findings). */
  own?: boolean | undefined;
  /** Our certificate (PEM) to judge as ours without presenting it (doctor, for our own domains). */
  ownCertPem?: string | undefined;
  /** Judge our certificate (own-cert findings; default true). Doctor judges it once per own domain, not per partner. */
  ownCertCheck?: boolean | undefined;
  /** How findings name the options behind them (default: the command line's flags; doctor: its config keys). */
  names?: ProbeOptionNames | undefined;
  /** Other names our certificate must cover (chat node aliases, conference components). */
  aliases?: string[] | undefined;
  /** Probe every target and address, not only the first that answers (default true). */
  allTargets?: boolean | undefined;
  /** Extra handshakes on the session's server: without SNI, TLS 1.2 only, TLS 1.0/1.1 (default true). */
  handshakes?: boolean | undefined;
  /** Fetch the peer's POSH file (RFC 7711) over HTTPS (default true; skipped when no DNS is used). */
  posh?: boolean | undefined;
}

/** The evaluation's options: how to judge facts (nothing here changes what was observed). */
export interface ProbeEvaluateOptions {
  /** Certificate problems are info, not errors. */
  insecure?: boolean | undefined;
  /** A certificate expiring within this many days is a warning (default 30). */
  expiresSoonDays?: number | undefined;
  /** The time certificate dates are judged at (ms since the epoch; default now). */
  now?: number | undefined;
  /** How findings name the options behind them (default: the command line's flags). */
  names?: ProbeOptionNames | undefined;
}

/** The options findings point to, as the reader gave them: flags (`xfed probe`) or config keys (`xfed doctor`). */
export interface ProbeOptionNames {
  insecure: string;
  from: string;
  secret: string;
  host: string;
  ca: string;
  cert: string;
  concurrency: string;
  deadline: string;
  /** How to turn the POSH fetch off. */
  noPosh: string;
}

export const PROBE_CLI_NAMES: ProbeOptionNames = {
  insecure: '--insecure',
  from: '--from',
  secret: 'XFED_DIALBACK_SECRET or --secret-file',
  host: '--host',
  ca: '--ca',
  cert: '--cert',
  concurrency: '--concurrency',
  deadline: '--deadline',
  noPosh: '--no-posh',
};

export const PROBE_CONFIG_NAMES: ProbeOptionNames = {
  insecure: 'probe.insecure',
  from: 'probe.from',
  secret: 'XFED_DIALBACK_SECRET or probe.secret_file',
  host: 'expressway_e',
  ca: 'probe.ca',
  cert: 'probe.cert_file',
  concurrency: 'concurrency',
  deadline: 'probe.deadline',
  noPosh: 'probe.posh: false',
};

/** Our own certificate, as a partner sees it (from --cert, or served by our own domain). */
export interface OwnCertFacts {
  source: 'file' | 'served';
  cert: CertFacts;
  /** Extended key usages (names such as serverAuth/clientAuth, else OIDs); absent: no EKU extension (any purpose). */
  eku?: string[];
  /** The certificate may be used for TLS client authentication. */
  clientAuth: boolean;
  /** Each name the certificate must cover (our domain, then aliases), and whether it does. */
  coverage: Array<{ domain: string; matched: boolean; method?: string }>;
}

/** SASL EXTERNAL (RFC 6120 §6, XEP-0178) with our certificate. */
export interface SaslFacts {
  /** The mechanisms the peer offered after TLS (empty: no SASL feature). */
  mechanisms: string[];
  offered: boolean;
  /** Whether TLS was up with our certificate presented. */
  certPresented: boolean;
  outcome?: 'success' | 'failure' | 'timeout' | 'closed' | 'error';
  condition?: string;
  text?: string;
  ms?: number;
}

/** One extra TLS handshake on the session's server. */
export interface HandshakeFacts {
  kind: 'no-sni' | 'tls1.2' | 'legacy';
  ok: boolean;
  version?: string;
  cipher?: string;
  /** Key exchange group (e.g. X25519). */
  group?: string;
  /** The leaf certificate presented (sha256) and whether it covers the peer domain. */
  leaf?: { sha256: string; subject: string; covers: boolean };
  error?: string;
}

/** One (target, address) of the peer, probed on its own. */
export interface TargetFacts {
  host: string;
  address: string;
  family: 4 | 6;
  port: number;
  tls: TlsMode;
  source: Attempt['source'];
  ok: boolean;
  /** Where it failed and why. */
  phase?: string;
  code?: string;
  error?: string;
  ms: number;
  features?: string[];
  tlsVersion?: string;
  cipher?: string;
  group?: string;
  cert?: string;
  dialback?: DialbackFacts['outcome'];
  sasl?: SaslFacts['outcome'] | 'not-offered';
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
  /**
   * ECONNREFUSED, TIMEOUT, NOADDRESS, EMFILE/ENFILE (this machine), DEADLINE (the probe's
   * deadline cut the attempt), or TLS when a direct-TLS handshake failed.
   */
  code?: string;
  ms: number;
}

/** One DNS answer seen while resolving the peer's server targets. */
export interface ResolveResponse {
  name: string;
  type: string;
  rcode: string;
  records: string[];
  resolver?: string;
  /** The AD bit (DNSSEC): present and true when a validating resolver authenticated the answer. */
  authenticated?: boolean;
}

/** Resolution of the peer's server targets (absent when a host was pinned). */
export interface ResolveFacts {
  /** Targets found before the TLS-mode filter. */
  found: number;
  /** Targets kept (after the filter of a forced TLS mode, duplicates and the MAX_TARGETS cap). */
  kept: number;
  /** The SRV questions got no conclusive answer. */
  failed: boolean;
  responses: ResolveResponse[];
}

export interface StreamFacts {
  id?: string;
  from?: string;
  version?: string;
  namespace?: string;
  /** The header declared xmlns:db (traditional dialback announced). */
  dialbackNamespace: boolean;
  features: string[];
  /** The header's attributes as received. */
  header?: Record<string, string>;
}

export interface TlsFacts {
  mode: TlsMode;
  /** STARTTLS was marked <required/> (or direct TLS). */
  required: boolean;
  version?: string;
  cipher?: string;
  alpn?: string | false;
  /** Key exchange group (e.g. X25519). */
  group?: string;
  authorized?: boolean;
  /** The served chain lacks the issuer of its last certificate, found in the --ca bundle or the system store. */
  missingIssuer?: { subject: string; from: 'ca' | 'system' };
  authorizationError?: string;
  chain: CertFacts[];
  identity?: IdentityMatch & { domain: string };
}

/** A TLS handshake that did not complete. */
export interface TlsFailure {
  mode: TlsMode;
  /** The peer marked STARTTLS <required/>. */
  required: boolean;
  address: string;
  port: number;
  /** The reason (OpenSSL's reason string, or "no TLS handshake in N ms"). */
  message: string;
  code?: string;
}

/** What the peer did instead of what a phase waited for. */
export type PeerEvent =
  | { kind: 'timeout' }
  | { kind: 'parse-error'; errorKind: string; message: string }
  | { kind: 'stream-error'; condition: string; text?: string }
  | { kind: 'element'; name: string; ns: string }
  | { kind: 'header' }
  | { kind: 'end' }
  | { kind: 'closed'; error?: string };

/** The phase the session ended in, and why. */
export interface Interruption {
  phase: string;
  /** What the phase waited for ("a stream header", "stream features", "<proceed/>"). */
  waitedFor: string;
  event: PeerEvent;
}

export interface DialbackFacts {
  /** 'xep-0220': computed from the given secret; 'random': no secret, an unverifiable key; 'given': db:verify replay. */
  key: 'xep-0220' | 'random' | 'given';
  streamId?: string;
  outcome: 'valid' | 'invalid' | 'error' | 'timeout' | 'closed' | 'not-offered' | 'skipped';
  condition?: string;
  text?: string;
  ms?: number;
  /** How long the answer was waited for. */
  timeoutMs?: number;
  /** The key's scheme, for a db:verify replay. */
  keyScheme?: 'xep-0220' | 'sha1-size' | 'other';
  /** The from/to/id of the answer (a correct answer mirrors the request). */
  answer?: { from?: string; to?: string; id?: string };
  /** Where the peer calls back (the server targets of `from`), when dialback failed. */
  callback?: { source?: string; targets: Array<{ host: string; port: number; via: string }>; none?: string };
}

/** Caps of one probe: targets and addresses tried (documented, not configurable). */
export const MAX_TARGETS = 16;
export const MAX_ADDRESSES = 16;
/** Connection attempts in flight at once (a stalled one does not hold the next back past 250 ms). */
export const ATTEMPT_CONCURRENCY = 4;

/** What the deadline and the caps of a probe left out. */
export interface ProbeCut {
  /** The overall deadline stopped the probe in this phase. */
  deadline?: { phase: string };
  /** The peer published more server targets than the cap: only the first `kept` were used. */
  targets?: { found: number; kept: number };
  /** More addresses than the cap: only the first `kept` were tried (`found` counts those seen). */
  addresses?: { found: number; kept: number };
  /** Targets or addresses listed more than once (each tried once). */
  duplicates?: number;
}

/** Everything one probe of one peer observed: `data.probe` of a probe target. */
export interface ProbeFacts {
  peer: string;
  from: string;
  /** The TLS mode that was asked for (absent: as DNS says). */
  tlsRequested?: TlsMode | 'none';
  resolve?: ResolveFacts;
  attempts: Attempt[];
  /** The target the session ran on. */
  connected?: { host: string; address: string; port: number; tls: TlsMode };
  /** STARTTLS on the first stream: offered, marked <required/>, and the peer's answer to ours. */
  starttls?: { offered: boolean; required: boolean; answer?: 'proceed' | 'failure' };
  /** TLS handshakes that failed (direct-TLS targets, then STARTTLS). */
  tlsFailures?: TlsFailure[];
  stream?: StreamFacts;
  tls?: TlsFacts;
  /** Stream after TLS. */
  secureStream?: StreamFacts;
  saslMechanisms?: string[];
  sasl?: SaslFacts;
  ownCert?: OwnCertFacts;
  /** Every target and address, probed at once (absent when there was only one). */
  targets?: TargetFacts[];
  /** The extra handshakes on the session's server. */
  handshakes?: HandshakeFacts[];
  /** Only this address family was tried (-4/-6). */
  family?: 4 | 6;
  dialback?: DialbackFacts;
  /** The overall deadline of this probe (ms). */
  deadlineMs?: number;
  /** What the deadline and the caps left out. */
  cut?: ProbeCut;
  /** What ended the session early. */
  interrupted?: Interruption;
  streamError?: { condition: string; text?: string };
  transcript?: TranscriptLine[];
  transcriptTruncated?: boolean;
  /** DANE (RFC 7673): the TLSA records of the session's target and what they match. */
  dane?: DaneFacts;
  /** POSH (RFC 7711): the peer's delegation file, fetched over HTTPS. */
  posh?: PoshFacts;
}

/** A probe target's data: the probe's facts under `probe`. */
export interface ProbeTargetData {
  probe: ProbeFacts;
}
