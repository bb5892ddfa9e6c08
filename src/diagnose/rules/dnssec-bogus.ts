import type { RuleSpec } from '../types.js';

export default {
  id: 'diagnose.dnssec.bogus',
  title: 'The zone\'s DNSSEC signatures do not validate (bogus)',
  severity: 'error',
  products: ['xfed-json'],
  logs: '`xfed check-dns --json` (through a validating resolver)',
  match: [{ finding: { ids: ['dns.dnssec.bogus'] } }],
  cause:
    'A validating resolver answers SERVFAIL for the domain\'s federation records, and answers them with checking disabled (CD=1): the records exist but their signatures do not validate (expired RRSIGs, or a DS at the parent that matches no DNSKEY). Every partner behind a validating resolver fails the same way: no SRV, no address, no dialback callback.',
  fix: [
    'Re-sign the zone (RRSIGs expire: check that the signer or the DNS provider\'s signing runs), and check that the DS record at the parent (registrar) matches a DNSKEY the zone publishes (`dig +dnssec DNSKEY <zone>`, `dig DS <zone> @<parent>`).',
    'If it cannot be fixed at once, remove the DS at the registrar: the zone becomes insecure (unsigned) instead of bogus, and validating partners can resolve it again.',
    'Check again with `xfed check-dns --resolver <validating resolver> <domain>`: `dns.dnssec.signed` instead of `dns.dnssec.bogus`.',
  ],
  references: ['https://www.rfc-editor.org/rfc/rfc4035#section-3.2', 'https://www.rfc-editor.org/rfc/rfc4033#section-5'],
} satisfies RuleSpec;
