import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.net.port-5269-blocked',
  title: 'The peer is unreachable on TCP 5269',
  severity: 'error',
  products: ['expressway', 'prosody', 'metronome', 'ejabberd', 'mongooseim', 'openfire', 'xfed-json'],
  logs: 'Expressway-E log; ejabberd log; `xfed probe --json`',
  match: [
    { line: { keywords: ["', port 5269"], regex: String.raw`Unable to connect to host '(?<key>[^']+)', port 5269` } },
    {
      line: {
        keywords: ['Connection failed:'],
        regex: String.raw`s2s connection (?<key>\S+ -> \S+): Connection failed: (?:connection refused|timeout|host is unreachable|network is unreachable)`,
        products: ['any'],
      },
    },
    { line: { keywords: ["connection options, can't connect to"], regex: String.raw`Out of connection options, can't connect to (?<key>\S+)`, products: ['any'] } },
    { line: { keywords: ['Cannot connect to XMPP domain'], regex: String.raw`Cannot connect to XMPP domain '(?<key>[^']+)'.*Unable to create a socket connection`, products: ['any'] } },
    { finding: { ids: ['probe.tcp.refused', 'probe.tcp.timeout'] } },
  ],
  cause: 'The TCP connection to the peer on 5269 is refused or times out: a firewall blocks it, or the SRV target/port is wrong.',
  fix: [
    'Open TCP 5269 in both directions between the internet and Expressway-E (or the XMPP server).',
    'Check the SRV target and port with `xfed check-dns <domain>`, then `xfed probe <domain>`.',
    'On Expressway-E, a Federated static route for the partner is used instead of DNS and never falls back to DNS when its address is unreachable: check the route\'s address, or delete the route.',
  ],
  references: [REF.x1402],
} satisfies RuleSpec;
