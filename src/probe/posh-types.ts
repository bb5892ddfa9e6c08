/**
 * POSH facts (RFC 7711, PKIX over Secure HTTP): the file a domain publishes at
 * https://<domain>/.well-known/posh/xmpp-server.json to delegate its XMPP service to a host
 * whose certificate does not name the domain. Observation (posh.ts) fills this in; evaluation
 * and the identity check (delegation) read it. Plain JSON data, under `data.probe.posh`.
 */

/** One HTTP request of the POSH fetch (the well-known URL, its redirects, the `url` reference). */
export interface PoshRequest {
  url: string;
  /** The address connected to (resolved through the probe's DNS client). */
  address?: string;
  /** The HTTP status. */
  status?: number;
  /** The Location of a redirect (3xx). */
  location?: string;
  /** Why there was no answer: NOADDRESS, ECONNREFUSED, CONNECT-TIMEOUT, TIMEOUT, TLS, TOO-LARGE, ERROR. */
  code?: string;
  error?: string;
  /** Body bytes read (at most the size limit). */
  bytes?: number;
  ms: number;
}

/** Why a POSH file is invalid. */
export type PoshProblem =
  | 'not-json'
  | 'fields'
  | 'second-reference'
  | 'timeout'
  | 'too-large'
  | 'http-status'
  | 'not-https'
  | 'credentials'
  | 'redirects'
  | 'redirect-loop'
  | 'unreachable';

export interface PoshFingerprint {
  alg: 'sha-256' | 'sha-512';
  /** Base64, as published. */
  value: string;
}

export interface PoshFacts {
  /** The well-known URL asked first. */
  url: string;
  /**
   * found: a POSH file with fingerprints; absent: none (HTTP 404, no address, port 443 closed or
   * silent, or an HTTPS server without a trusted certificate for the domain); invalid: a file or
   * answer POSH peers cannot use; skipped: not asked (see `reason`).
   */
  outcome: 'found' | 'absent' | 'invalid' | 'skipped';
  /** For absent, invalid and skipped: why, in words. */
  reason?: string;
  problem?: PoshProblem;
  requests: PoshRequest[];
  /** The `url` reference followed (RFC 7711 §3.3), at most one. */
  reference?: string;
  /** The file's `expires` (seconds it may be cached; 0: not at all). */
  expires?: number;
  fingerprints?: PoshFingerprint[];
  /** Base64 SHA-256 and SHA-512 of the DER of the leaf certificate the session's server presented. */
  presented?: { sha256: string; sha512: string };
  /** How long the fetch took (ms). */
  ms: number;
}
