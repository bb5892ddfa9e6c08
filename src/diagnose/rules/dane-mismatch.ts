import type { RuleSpec } from '../types.js';

export default {
  id: 'diagnose.dane.mismatch',
  title: 'The certificate matches none of the DNSSEC-signed TLSA records (DANE)',
  severity: 'error',
  products: ['xfed-json'],
  logs: '`xfed probe --json`',
  match: [{ finding: { ids: ['probe.dane.mismatch'] } }],
  cause:
    'The server\'s TLSA records are DNSSEC-signed, so partners that validate DANE (Prosody 13 among them) expect the certificate or key they name; the server presents another, and those partners refuse the connection. Usually the certificate was renewed with a new key before the TLSA record was updated.',
  fix: [
    'Publish a TLSA record for the key the server presents now: `_5269._tcp.<target>. IN TLSA 3 1 1 <SHA-256 of its SubjectPublicKeyInfo>` (the probe finding gives the value); keep the old record until its TTL has passed, then remove it.',
    'Next renewal, roll TLSA before the certificate: publish "3 1 1" for the new key first, wait at least the TLSA TTL, then install the new certificate (or reuse the key on renewal, so that a "3 1 1" record stays valid).',
    'Check again with `xfed probe <domain>` through a validating resolver: `probe.dane.match`.',
  ],
  references: ['https://www.rfc-editor.org/rfc/rfc7671#section-8.1', 'https://www.rfc-editor.org/rfc/rfc7673'],
} satisfies RuleSpec;
