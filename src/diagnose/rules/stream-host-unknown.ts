import type { RuleSpec } from '../types.js';
import { REF, streamErrorPattern } from './shared.js';

export default {
  id: 'diagnose.stream.host-unknown',
  title: 'Stream error host-unknown: the peer does not serve the domain',
  severity: 'error',
  products: ['expressway', 'prosody', 'metronome', 'ejabberd', 'mongooseim', 'openfire', 'xfed-json'],
  logs: 'Expressway-E log with `developer.xcp.federation` at DEBUG; Prosody / ejabberd log; `xfed probe --json`',
  match: [{ line: streamErrorPattern('host-unknown') }, { line: { keywords: ["which we don't serve"], regex: String.raw`(?<key>\S+) tried to connect to \S+, which we don't serve`, products: ['any'] } }, { line: { keywords: ['incorrect hostname in stream header'], regex: String.raw`incorrect hostname in stream header\. Host: (?<key>[^\s,]+?)\.?\s`, products: ['any'] } }, { finding: { ids: ['probe.stream.error'], text: String.raw`\bhost-unknown\b` } }],
  cause: 'The receiving server does not host the domain in the stream\'s `to` attribute: the SRV record points at a server that serves another domain, or on Expressway no local domain has XMPP federation enabled.',
  fix: [
    'Check that `_xmpp-server._tcp.<domain>` points at the server that hosts <domain> (`xfed check-dns`, `xfed probe <domain>`).',
    'On Expressway-C: Configuration > Domains: set XMPP federation = On for every federated domain, then check Expressway-E Status > Unified Communications.',
  ],
  references: [REF.rfc6120streams, REF.x1402],
} satisfies RuleSpec;
