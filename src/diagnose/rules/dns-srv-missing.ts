import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.dns.srv-missing',
  title: 'The `_xmpp-server._tcp` SRV record is missing',
  severity: 'error',
  products: ['xfed-json'],
  logs: '`xfed check-dns --json`, `xfed probe --json`',
  match: [{ finding: { ids: ['dns.srv.missing', 'probe.dns.no-target'] } }],
  cause: 'Partners find Expressway-E through `_xmpp-server._tcp.<domain>` (port 5269). Without it they cannot reach us, and the dialback callback to our domain fails too.',
  fix: [
    'Publish `_xmpp-server._tcp.<domain>. SRV 0 0 5269 <exp-e-fqdn>.` in public DNS for every federated domain (and each group chat node alias), with an A record for the target.',
    'Check with `xfed check-dns <domain>`. With a Federated static route for the partner on Expressway-E, a missing partner SRV record is not the cause (the static route is used, and an unreachable static route never falls back to DNS).',
  ],
  references: [REF.x1402, REF.rfc2782],
} satisfies RuleSpec;
