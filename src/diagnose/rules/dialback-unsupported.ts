import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.dialback.unsupported',
  title: 'A side cannot do Server Dialback',
  severity: 'error',
  products: ['prosody', 'metronome', 'ejabberd', 'mongooseim'],
  logs: 'ejabberd / MongooseIM log (`ejabberd_s2s_out`); Prosody / Metronome log (`mod_s2s`)',
  match: [
    {
      line: {
        keywords: ['Peer provided no SASL mechanisms'],
        // Without ejabberd's "; most likely it doesn't accept our certificate" hint: the stream was not encrypted, so only dialback could authenticate.
        regex: String.raw`(?:s2s \S+ authentication (?<key>\S+ -> \S+)(?: \([^)]*\))?: )?(?:Authentication failed: )?Peer provided no SASL mechanisms(?!;)`,
        products: ['any'],
      },
    },
    { line: { keywords: ['nsupported-version'], regex: String.raw`(?:s2s connection (?<key>\S+ -> \S+):\s*)?Stream closed by (?:us|peer): unsupported-version`, products: ['any'] } },
    { line: { keywords: ["Dialback doesn't seem to be enabled"], regex: String.raw`No SASL EXTERNAL offer and Dialback doesn't seem to be enabled`, products: ['any'] } },
    { line: { keywords: ['o viable authentication method offered'], regex: String.raw`(?:s2s stream (?<key>\S+) closed: |Session closed by remote with error: )?.*No viable authentication method offered`, products: ['any'] } },
  ],
  clears: [{ keywords: ['s2s dialback authentication'], regex: String.raw`Accepted (?:in|out)bound s2s dialback authentication (?<key>\S+ -> \S+)`, products: ['any'] }],
  explains: ['diagnose.stream.not-authorized', 'diagnose.stream.remote-connection-failed'],
  cause:
    'Server Dialback (XEP-0220) is not available on one side and the other cannot authenticate with a certificate (SASL EXTERNAL): ejabberd / MongooseIM without `mod_s2s_dialback` ("Peer provided no SASL mechanisms" on an unencrypted stream, or `unsupported-version` with a pre-1.0 peer), or Prosody without mod_dialback. Cisco Expressway authenticates federation peers by dialback only, so a partner that cannot do dialback can never federate with it.',
  fix: [
    'ejabberd / MongooseIM: add `mod_s2s_dialback: {}` to the `modules` section and reload.',
    'Prosody / Metronome: keep `dialback` in modules_enabled (it is on by default), or give both sides certificates that the other trusts for SASL EXTERNAL.',
    'Partner of a Cisco Expressway: dialback must be enabled on the partner; Expressway offers no SASL EXTERNAL. Check with `xfed probe <partner> --from <our-domain>`.',
  ],
  references: [REF.xep0220, 'https://github.com/processone/ejabberd/issues/1700', 'https://github.com/processone/ejabberd/issues/1942', REF.x1402],
} satisfies RuleSpec;
