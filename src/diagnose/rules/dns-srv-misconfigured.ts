import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.dns.srv-misconfigured',
  title: 'The SRV record points at the wrong host or port',
  severity: 'warning',
  products: ['xfed-json'],
  logs: '`xfed check-dns --json`',
  match: [{ finding: { ids: ['dns.srv.target-unresolvable', 'dns.srv.target-cname', 'dns.srv.port-nonstandard', 'dns.srv.decline', 'dns.xmpps.starttls-port'] } }],
  cause: 'The SRV record exists but is unusable or fragile: its target does not resolve, is a CNAME (RFC 2782 forbids it), says "no service" (`.`), or uses a port other than 5269.',
  fix: [
    '"All enterprises must publish the service on port 5269" and the target FQDN must resolve: fix the record to `SRV 0 0 5269 <exp-e-fqdn>.` with an A record.',
    'Re-check with `xfed check-dns <domain>`.',
  ],
  references: [REF.x1402, REF.rfc2782],
} satisfies RuleSpec;
