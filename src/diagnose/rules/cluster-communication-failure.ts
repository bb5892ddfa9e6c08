import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.cluster.communication-failure',
  title: 'Expressway cluster communication failure alarm',
  severity: 'error',
  products: ['expressway'],
  logs: 'Expressway alarm log (`alarm:` lines)',
  match: [
    {
      line: {
        keywords: ['Cluster communication failure'],
        regex: String.raw`^(?=.*Alarm Raised)(?:.*?\s(?<key>[\w.-]+) alarm:)?`,
      },
    },
  ],
  clears: [{ keywords: ['Cluster communication failure'], regex: String.raw`^(?=.*Alarm Lowered)(?:.*?\s(?<key>[\w.-]+) alarm:)?` }],
  cause:
    'A cluster peer cannot talk to the others (alarm 20004). Adding a cluster peer raises it until the peers are restarted; an alarm lowered later in the log is reported as cleared. Federation state (XCP routing, dialback secret, S2S sessions) is replicated across the cluster, so a partitioned peer fails inbound or outbound federation intermittently, depending on which peer handles the connection.',
  fix: [
    'Check connectivity between the peers on the cluster ports (TLS 4371/4372 and the others the cluster guide lists) and that every peer has the same cluster name, version and NTP.',
    'Status > Clustering on each peer; fix the failing peer, then check the alarm is lowered.',
  ],
  references: [REF.tac217230],
} satisfies RuleSpec;
