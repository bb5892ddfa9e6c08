/** The DANE findings of `xfed probe` (src/probe/dane.ts; RFC 6698, 7671, 7673). */
import { REF } from './refs.js';
import type { CatalogueEntry } from './types.js';

export const DANE_FINDINGS: readonly CatalogueEntry[] = [
  {
    id: 'probe.dane.match',
    source: 'probe',
    severity: 'info',
    title: 'The certificate matches its DNSSEC-signed TLSA record (DANE)',
    summary: 'a DANE-EE (3) record matches the leaf, or a DANE-TA (2) record a certificate of the presented chain; only when the TLSA (and SRV) RRsets are authenticated',
    meaning: 'Validating peers that implement DANE (Prosody 13 among them) accept this certificate: by its key with no name check for DANE-EE (RFC 7671 §5.1), or as issued by the trust anchor with the SRV target as reference identity for DANE-TA (RFC 7673).',
    fix: '',
    references: [REF.rfc7671, REF.rfc7673],
  },
  {
    id: 'probe.dane.mismatch',
    source: 'probe',
    severity: 'error',
    title: 'The certificate matches none of its DNSSEC-signed TLSA records (DANE)',
    summary: 'the TLSA RRset of the connected target is authenticated and has DANE-TA/DANE-EE records, and none matches the presented chain; names each record and each certificate',
    meaning: 'Peers that validate DANE refuse the server: DNSSEC says which certificate or key to expect, and the server presents another. Usually the certificate was renewed with a new key and the TLSA record was not updated first. A DANE-TA digest ("2 x 1", "2 x 2") counts only for a certificate the server sends: a trust anchor that only the verifier\'s store holds does not (RFC 7671 §5.2.2; the evidence says so).',
    fix: 'Publish a TLSA record for the key the server presents ("3 1 1 <SHA-256 of its SubjectPublicKeyInfo>", given in the finding), keep the old one until its TTL has passed, then remove it. Roll TLSA before the certificate: publish "3 1 1" for the new key first, wait at least the TTL, then install the new certificate.',
    references: [REF.rfc7671, REF.rfc7673, REF.rfc6698],
  },
];
