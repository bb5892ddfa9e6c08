import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.federation.disabled',
  title: 'XMPP federation is disabled on Expressway-E (`is_federation_enabled` 0)',
  severity: 'error',
  products: ['expressway'],
  logs: 'Expressway-E diagnostic log (configuration changes)',
  match: [
    {
      line: { keywords: ['is_federation_enabled'], regex: String.raw`is_federation_enabled\b.*\b(?:to|a):\s*0\b` },
    },
  ],
  clears: [{ keywords: ['is_federation_enabled'], regex: String.raw`is_federation_enabled\b.*\b(?:to|a):\s*1\b` }],
  cause: 'The last change of `xconfiguration xcpConfiguration is_federation_enabled` in the log set it to 0: Expressway-E does not federate at all.',
  fix: [
    'On Expressway-E: Configuration > Unified Communications > Configuration > XMPP federation = On, then Save.',
    'Wait about 30 s and check that Expressway-C updated IM&P (`run sql select * from xmpps2snodes`), then restart the XCP Router on IM&P.',
  ],
  references: [REF.tac213865, REF.x1402],
} satisfies RuleSpec;
