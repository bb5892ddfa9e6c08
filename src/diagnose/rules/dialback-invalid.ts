import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.dialback.invalid',
  title: 'Server Dialback key rejected (`type=\'invalid\'`)',
  severity: 'error',
  products: ['expressway', 'prosody', 'metronome', 'ejabberd', 'mongooseim', 'tigase', 'xfed-json'],
  logs: 'Expressway-E log with `developer.xcp.federation` at DEBUG; Prosody / ejabberd log of the partner; `xfed probe --json`',
  match: [
    {
      line: {
        keywords: ["type='invalid'", 'type="invalid"'],
        regex: String.raw`<db:(?:verify|result)\b(?=[^>]*type=['"]invalid['"])[^>]*?from=['"](?<key>[^'"]+)`,
        products: ['expressway', 'imp', 'prosody', 'ejabberd'],
      },
    },
    { line: { keywords: ['denied the key'], regex: String.raw`authoritative server for (?<key>\S+) denied the key`, products: ['any'] } },
    { line: { keywords: ['dialback key that was incorrect'], regex: String.raw`imposter is claiming to be (?<key>[^\s?]+)`, products: ['any'] } },
    {
      line: {
        keywords: ['s2s dialback authentication'],
        // The reason after the colon decides: only an invalid key is a secret mismatch (remote-server-not-found is DNS, see diagnose.dns.peer-unresolvable).
        regex: String.raw`Failed (?:in|out)bound s2s dialback authentication (?<key>\S+ -> \S+)(?: \([^)]*\))?: (?:Authentication failed: )?(?:[Ii]nvalid dialback key|forbidden|Peer responded with error: (?:invalid|forbidden|not-authorized))`,
        products: ['any'],
      },
    },
    { line: { keywords: ['result for DB authentication'], regex: String.raw`Invalid result for DB authentication: (?:[^@\s,]*@)?(?<key>[^\s,]+)`, products: ['tigase'] } },
    { finding: { ids: ['probe.dialback.invalid'] } },
  ],
  clears: [
    { keywords: ["type='valid'", 'type="valid"'], regex: String.raw`<db:(?:verify|result)\b(?=[^>]*type=['"]valid['"])[^>]*?from=['"](?<key>[^'"]+)`, products: ['expressway', 'imp', 'prosody', 'ejabberd'] },
    { keywords: ['s2s dialback authentication'], regex: String.raw`Accepted (?:in|out)bound s2s dialback authentication (?<key>\S+ -> \S+)`, products: ['any'] },
  ],
  cause:
    'The authoritative server did not recognise the dialback key (XEP-0220). With Expressway this is a dialback secret mismatch between Expressway-E peers: inbound and outbound connections may use different cluster peers, so every peer must share the same secret. With other servers: a changed secret, or the partner\'s DNS sends the verification to another server.',
  fix: [
    'Set the same dialback secret on every Expressway-E peer (Configuration > Unified Communications > Configuration > Dialback secret); saving it restarts the federation connection manager by itself.',
    'Check that `_xmpp-server._tcp.<our-domain>` points only at our Expressway-E peers (`xfed check-dns`).',
    'Replay with `xfed probe <partner> --from <our-domain>` and the secret to confirm `probe.dialback.valid`.',
  ],
  references: [REF.x1402, REF.xep0220, REF.tac213865],
  notes: 'Expressway failure wording inferred from XEP-0220 and the documented success lines (`DBVerify Packet Received ... type=\'valid\'`).',
} satisfies RuleSpec;
