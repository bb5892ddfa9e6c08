/**
 * DANE facts (RFC 6698, 7671, 7673) as the probe observes them: the TLSA RRset of the target
 * the session ran on, whether DNSSEC authenticated it, and which presented certificates each
 * record matches. Observation (src/probe/dane.ts) fills this in; evaluation and the identity
 * check (delegation, RFC 7673) read it. Plain JSON data, under `data.probe.dane`.
 */

/** One TLSA record and the presented certificates it matches. */
export interface TlsaRecordFacts {
  /** Certificate usage: 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE. */
  usage: number;
  /** 0 full certificate, 1 SubjectPublicKeyInfo. */
  selector: number;
  /** 0 exact, 1 SHA-256, 2 SHA-512. */
  matchingType: number;
  /** Certificate association data, lower-case hex. */
  data: string;
  /** Indexes into `tls.chain` (0 = leaf) whose selected bytes match this record. */
  matches: number[];
}

export interface DaneFacts {
  /** The TLSA owner name asked: `_<port>._tcp.<target host>`. */
  name: string;
  /** The DNS rcode of the TLSA question (or TIMEOUT...). */
  rcode: string;
  /** The SRV RRset that led to the target was authenticated (AD from a validating resolver); absent when no SRV was used. */
  srvAuthenticated?: boolean;
  /** The TLSA RRset was authenticated (AD). */
  tlsaAuthenticated: boolean;
  /** DANE applies: the TLSA RRset (and the SRV RRset, when one was used) authenticated and at least one usable record (usage 2 or 3). */
  usable: boolean;
  records: TlsaRecordFacts[];
  /** TLSA rdata that could not be read, in words. */
  malformed?: string[];
  /** SHA-256 of the presented leaf's SubjectPublicKeyInfo, hex: the data of the "3 1 1" record that would match it. */
  leafSpkiSha256?: string;
  /**
   * How many certificates of `tls.chain` the server sent (the rest node completed from the trust
   * store): a DANE-TA digest must match one of those (RFC 7671 §5.2.2); a "2 0 0" record carries
   * its trust anchor in DNS and may match one the server left out.
   */
  sent?: number;
  /** The first usable record (usage 2 or 3) that matched the presented chain. */
  matched?: { usage: 2 | 3; selector: number; matchingType: number; certIndex: number };
}
