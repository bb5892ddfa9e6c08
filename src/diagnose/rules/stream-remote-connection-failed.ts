import type { RuleSpec } from '../types.js';
import { REF, streamErrorPattern } from './shared.js';

export default {
  id: 'diagnose.stream.remote-connection-failed',
  title: 'Stream error remote-connection-failed: the peer could not call our domain back',
  severity: 'error',
  products: ['expressway', 'prosody', 'ejabberd', 'xfed-json'],
  logs: 'Expressway-E log with `developer.xcp.federation` at DEBUG; Prosody / ejabberd log; `xfed probe --json`',
  match: [{ line: streamErrorPattern('remote-connection-failed') }, { finding: { ids: ['probe.stream.error'], text: String.raw`\bremote-connection-failed\b` } }],
  cause: 'The receiving server could not connect to the authoritative server of the originating domain to verify dialback: our SRV record is missing or wrong, or inbound 5269 to Expressway-E is blocked.',
  fix: [
    'Check `_xmpp-server._tcp.<our-domain>` from outside (`xfed check-dns`).',
    'Open TCP 5269 between the internet and Expressway-E in both directions.',
  ],
  references: [REF.rfc6120streams, REF.x1402],
} satisfies RuleSpec;
