import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.dialback.timeout',
  title: 'Dialback timed out: no `->CONNECTED` within 30 s',
  severity: 'error',
  products: ['expressway', 'ejabberd', 'mongooseim', 'jabberd2', 'tigase', 'xfed-json'],
  logs: 'Expressway-E log with `developer.xcp.federation` at DEBUG; `xfed probe --json`',
  match: [
    {
      sequence: {
        start: {
          keywords: ['Scheduling dialback timeout'],
          regex: String.raw`^(?:.*?\([^,()]*, (?<key>[^,\s()]+), OUT\) )?.*Scheduling dialback timeout in (?<window>\d+) sec`,
        },
        end: { keywords: ['->CONNECTED'], regex: String.raw`^(?=.*->CONNECTED)(?:.*?\([^,()]*, (?<key>[^,\s()]+), OUT\))?` },
        windowSeconds: 30,
      },
    },
    { line: { keywords: ['dialback verify request timed out'], regex: String.raw`\[(?<key>[\d.:a-fA-F]+), port=\d+\] dialback verify request timed out|dialback verify request timed out`, products: ['any'] } },
    { line: { keywords: ['s2s dialback authentication'], regex: String.raw`Failed (?:in|out)bound s2s dialback authentication (?<key>\S+ -> \S+)(?: \([^)]*\))?: (?:Authentication failed: )?remote-server-timeout`, products: ['any'] } },
    { line: { keywords: ['dialback for incoming route'], regex: String.raw`dialback for incoming route '(?<key>[^']+)' timed out`, products: ['any'] } },
    { line: { keywords: ['Connection not authenticated within timeout'], regex: String.raw`Connection not authenticated within timeout`, products: ['tigase'] } },
    { finding: { ids: ['probe.dialback.timeout'] } },
  ],
  cause:
    'Expressway-E sent its `db:result` and scheduled the 30 s dialback timeout, but the connection never reached CONNECTED: the partner could not verify the key with our authoritative server, usually because it cannot resolve or reach our domain (SRV for *our* domain, inbound TCP 5269).',
  fix: [
    'Check our own SRV record from outside: `xfed check-dns <our-domain>`.',
    'Open TCP 5269 inbound from the internet to Expressway-E (and outbound).',
    'Ask the partner for its log of the verification attempt; `xfed probe <partner> --from <our-domain>` reproduces the exchange.',
  ],
  references: [REF.tac213865, REF.xep0220],
  notes: 'A CONNECTED line resolves the pending timeout with the same `domain:domain` pair, or the oldest one when it names none.',
} satisfies RuleSpec;
