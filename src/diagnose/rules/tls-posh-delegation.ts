import type { RuleSpec } from '../types.js';

const RFC7711 = 'https://www.rfc-editor.org/rfc/rfc7711';

export default {
  id: 'diagnose.tls.posh-delegation',
  title: 'POSH delegation broken (the POSH file does not list the certificate, or cannot be used)',
  severity: 'error',
  products: ['xfed-json'],
  logs: '`xfed probe --json` (POSH is checked by peers such as Prosody with mod_s2s_auth_posh)',
  match: [{ finding: { ids: ['probe.posh.mismatch', 'probe.posh.invalid'] } }],
  cause:
    'The domain delegates XMPP to a server whose certificate does not name it, through a POSH file (RFC 7711, https://<domain>/.well-known/posh/xmpp-server.json), but the file does not list the certificate the server presents (typically: the certificate was renewed and the file still has the old fingerprint), or peers cannot fetch or read the file.',
  fix: [
    'Publish the new certificate\'s fingerprint in the POSH file before the server switches to the new certificate (keep the old one until then): `openssl x509 -in cert.pem -outform DER | openssl dgst -sha256 -binary | base64` gives the "sha-256" value.',
    'Serve the file as JSON over HTTPS with a certificate valid for the domain, without redirects, as {"fingerprints":[{"sha-256":"..."}],"expires":<seconds>} (or one {"url":"https://...","expires":<seconds>} reference to such a file).',
    'Or get a certificate that names the domain itself (then POSH is not needed). Verify with `xfed probe <domain>`: probe.posh.match and probe.cert.delegated.',
  ],
  references: [RFC7711],
} satisfies RuleSpec;
