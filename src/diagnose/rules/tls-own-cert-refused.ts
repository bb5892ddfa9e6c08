import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.tls.own-cert-refused',
  title: 'The peer does not accept our certificate',
  severity: 'error',
  products: ['prosody', 'metronome', 'ejabberd', 'mongooseim'],
  logs: 'ejabberd / MongooseIM log (`ejabberd_s2s_out`); Prosody / Metronome log',
  match: [
    { line: { keywords: ['Peer provided no SASL mechanisms'], regex: String.raw`(?:s2s \S+ authentication (?<key>\S+ -> \S+)(?: \([^)]*\))?: )?.*most likely it doesn't accept our certificate`, products: ['any'] } },
    {
      line: {
        keywords: ['Peer responded with error:'],
        regex: String.raw`(?:s2s \S+ authentication (?<key>\S+ -> \S+)(?: \([^)]*\))?: )?.*Peer responded with error: .*(?:certificate|issuer|self.signed|\bca\b)`,
        products: ['any'],
      },
    },
    { line: { keywords: ['SASL EXTERNAL with'], regex: String.raw`SASL EXTERNAL with (?<key>\S+) failed: .*(?:certificate|issuer|self.signed)`, products: ['any'] } },
    { line: { keywords: ['Session closed by remote'], regex: String.raw`Session closed by remote with error: not-authorized \((?:Your server's certificate|.*certificate)`, products: ['any'] } },
  ],
  explains: ['diagnose.stream.not-authorized'],
  cause:
    'The peer refused the certificate we present on outbound server-to-server streams: it is not trusted by the peer (private or missing intermediate CA: "unable to get local issuer certificate"), expired, or lacks the TLS Web Client Authentication (clientAuth) extended key usage that the peer requires for SASL EXTERNAL ("unsupported certificate purpose"; Let\'s Encrypt stopped including clientAuth in 2026). ejabberd reports it as "Peer provided no SASL mechanisms; most likely it doesn\'t accept our certificate".',
  fix: [
    'Serve the full chain (leaf and intermediates) and check it from outside: `xfed probe <partner> --from <our-domain>`, or `openssl s_client -starttls xmpp-server -xmpphost <partner> -connect <host>:5269`.',
    'If the peer requires clientAuth: get a certificate whose extended key usage includes TLS Web Client Authentication (a CA or ACME profile that still issues it), or let both sides fall back to Server Dialback (ejabberd `mod_s2s_dialback`, Prosody mod_dialback).',
    'Expressway-E: its server certificate is also its client certificate on federation; it must carry the federated domains (and the chat node aliases) and be signed by a CA the partner trusts.',
  ],
  references: [
    'https://github.com/processone/ejabberd/issues/3133',
    'https://github.com/processone/ejabberd/issues/2563',
    'https://github.com/processone/ejabberd/issues/4392',
    'https://letsencrypt.org/2025/05/14/ending-tls-client-authentication/',
    'https://xmpp.org/extensions/xep-0178.html',
    REF.x1402,
  ],
} satisfies RuleSpec;
