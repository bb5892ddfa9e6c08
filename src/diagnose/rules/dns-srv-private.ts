import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.dns.srv-private',
  title: 'The SRV record points at a private address',
  severity: 'error',
  products: ['xfed-json'],
  logs: '`xfed check-dns --json`',
  match: [{ finding: { ids: ['dns.srv.target-private'] } }],
  cause: 'Public DNS sends partners to an RFC 1918, loopback, link-local, CGNAT or ULA address that they cannot reach: usually the internal interface of a dual-NIC Expressway-E or an internal DNS view leaking out.',
  fix: [
    'Point the SRV target at a name whose A/AAAA record is Expressway-E\'s public (NAT) address.',
    'Keep the internal address in the internal DNS view only; re-check with `xfed check-dns <domain>`.',
  ],
  references: [REF.x1402],
} satisfies RuleSpec;
