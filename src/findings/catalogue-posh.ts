/** The findings of `xfed probe` about delegation: POSH (RFC 7711) and a certificate accepted through POSH or DANE (RFC 7673). */
import { REF, section } from './refs.js';
import type { CatalogueEntry } from './types.js';

const NOT_NEEDED = { severity: 'warning', when: 'when the certificate names the peer domain itself (the session does not depend on POSH)' } as const;

export const POSH_FINDINGS: readonly CatalogueEntry[] = [
  {
    id: 'probe.cert.delegated',
    source: 'probe',
    severity: 'info',
    title: 'The certificate does not name the peer domain, but the domain delegates to it (POSH or DANE)',
    summary: 'no name in the certificate matches the domain, but a matching POSH file (RFC 7711) or an authenticated TLSA record (RFC 7673) delegates it; reported instead of `probe.cert.name-mismatch`',
    meaning:
      'The certificate names the hosting provider (typically the SRV target), not the domain. Peers that check POSH accept it when the domain\'s POSH file lists the certificate; peers that validate DANE accept it when an authenticated TLSA record of the SRV target matches: DANE-EE (usage 3) needs no name check (RFC 7671 §5.1), DANE-TA (usage 2) needs the certificate to name the SRV target host, reached through an authenticated SRV record (RFC 7673). Peers that check only the names in the certificate (RFC 9525) still refuse it.',
    fix: '',
    references: [REF.rfc7711, REF.rfc7673, section(REF.rfc7671, 'section-5.1')],
  },
  {
    id: 'probe.posh.match',
    source: 'probe',
    severity: 'info',
    title: 'The POSH file lists the certificate the server presents',
    summary: 'https://<domain>/.well-known/posh/xmpp-server.json (or the file its `url` refers to) has the fingerprint of the presented certificate',
    meaning: 'The domain publishes a POSH file (RFC 7711) whose fingerprints include the SHA-256 (or SHA-512) of the leaf certificate the server presented: peers that check POSH accept that certificate for the domain.',
    fix: '',
    references: [REF.rfc7711],
  },
  {
    id: 'probe.posh.mismatch',
    source: 'probe',
    severity: 'error',
    variants: [NOT_NEEDED],
    title: 'The POSH file does not list the certificate the server presents',
    summary: 'none of the POSH file\'s fingerprints is the presented certificate\'s (a certificate changed without its POSH file); warning when the certificate names the domain itself',
    meaning:
      'The domain publishes a POSH file (RFC 7711), but none of its fingerprints is the base64 SHA-256/SHA-512 of the DER of the leaf certificate the server presented: usually the certificate was renewed and the file still lists the old one. Peers that check POSH refuse the delegation; if the certificate does not name the domain, they refuse the connection.',
    fix: 'Publish the new certificate\'s fingerprint (`openssl x509 -in cert.pem -outform DER | openssl dgst -sha256 -binary | base64`) in the POSH file next to the old one before the server switches to the new certificate, then remove the old one.',
    references: [REF.rfc7711],
  },
  {
    id: 'probe.posh.invalid',
    source: 'probe',
    severity: 'error',
    variants: [NOT_NEEDED],
    title: 'The POSH file cannot be used',
    summary: 'the POSH file is not JSON, lacks `fingerprints`, refers on twice, is over 64 KiB or too slow, redirects in a loop or off HTTPS, or its server answers an HTTP error other than 404; warning when the certificate names the domain itself',
    meaning:
      'Something is served at https://<domain>/.well-known/posh/xmpp-server.json, but POSH peers cannot use it: not JSON; no `fingerprints` array of {"sha-256": base64} objects (nor a `url` reference); a second `url` reference (a client follows one only); a non-HTTPS URL or one with credentials; over 64 KiB; not complete within the time limit; more than 3 HTTP redirects or a redirect loop; an HTTP error other than 404 (404 means no POSH, which is no finding); or the referenced server cannot be reached.',
    fix: 'Serve {"fingerprints":[{"sha-256":"<base64 SHA-256 of the DER certificate>"}],"expires":<seconds>} (or {"url":"https://<host>/<file>.json","expires":<seconds>} pointing to such a file) over HTTPS with a certificate valid for the domain, without redirects; or remove the file and use a certificate that names the domain. `--no-posh` (config: probe.posh: false) skips the check.',
    references: [REF.rfc7711],
  },
];
