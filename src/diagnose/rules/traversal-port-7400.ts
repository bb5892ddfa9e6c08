import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.traversal.port-7400-refused',
  title: 'Expressway-C cannot reach Expressway-E on port 7400 (XMPP traversal)',
  severity: 'error',
  products: ['expressway'],
  logs: 'Expressway-C log (`XCP_JABBERD` lines)',
  match: [{ line: { keywords: ["', port 7400"], regex: String.raw`Unable to connect to host '(?<key>[^']+)', port 7400` } }],
  cause:
    'XMPP between Expressway-C and Expressway-E runs over TCP 7400. It is blocked by a firewall, or on a dual-NIC Expressway-E the traversal zone points at the external interface.',
  fix: ['Open TCP 7400 from Expressway-C to Expressway-E.', 'On a dual-NIC Expressway-E, point the traversal zone at the internal interface.'],
  references: [REF.tac117811, REF.x1402],
} satisfies RuleSpec;
