/** The findings of `xfed axl-verify` (src/axl/): the IM&P xmpps2snodes table over AXL. */
import { REF } from './refs.js';
import type { CatalogueEntry } from './types.js';

const REFRESH = 'refresh the IM&P servers on Expressway-C and restart the Cisco XCP Router on IM&P';

export const AXL_FINDINGS: readonly CatalogueEntry[] = [
  {
    id: 'axl.auth.failed',
    source: 'axl-verify',
    severity: 'error',
    title: 'IM&P refused the AXL credentials (HTTP 401/403)',
    summary:
      'IM&P answered 401 (wrong user or password) or 403 (the user has no AXL role). If Expressway-C uses the same credentials, it cannot write the table either. Fix (TAC 213865): correct the AXL user/password on Expressway-C, give the user the role `Standard AXL API Access` or a read-only AXL role, refresh the IM&P servers on Expressway-C, then restart the Cisco XCP Router on IM&P',
    meaning:
      'IM&P answered 401 (wrong user or password) or 403 (the password is right but the user has no AXL role). If these are the credentials configured on Expressway-C, Expressway-C cannot write the xmpps2snodes table either: its network.axl log shows Function="executeSQLQuery" Status="401", the table stays empty and federation silently never starts.',
    fix: `Correct the AXL user/password on Expressway-C (Configuration > Unified Communications > IM and Presence Service nodes), give the user the role "Standard AXL API Access" or a read-only AXL role, then ${REFRESH}.`,
    references: [REF.ciscoTac213865],
  },
  {
    id: 'axl.version.unsupported',
    source: 'axl-verify',
    severity: 'error',
    title: 'IM&P refused the AXL version (HTTP 599)',
    summary: 'HTTP 599: the AXL version was refused. The finding lists the supported versions. Automatic mode already retried once with the best of them',
    meaning:
      'IM&P answers 599 "Incorrect axl version" with the list of versions it supports. Without --axl-version xfed already retried once with the best of them. On Expressway-C the same error means its AXL client is older or newer than this IM&P release supports.',
    fix: 'Use one of the listed versions with --axl-version (or the IM&P release, major.minor); on Expressway-C, upgrade to a combination the compatibility matrix lists.',
    references: [REF.ciscoAxlFaq],
  },
  {
    id: 'axl.fault',
    source: 'axl-verify',
    severity: 'error',
    title: 'AXL answered with a SOAP fault',
    summary:
      'a SOAP fault (HTTP 500), with `axlcode` and `axlmessage`. Informix `-206` ("table not in database") on the table check means the server is not an IM and Presence node, or its release names the table differently. `-201` is a syntax error, `-217` an unknown column, `-272` no SELECT permission',
    meaning:
      'The server ran the query and refused it (HTTP 500 with axlcode and axlmessage). Informix -206 on the table check means the table is not in the database: the server is probably a Unified CM node, not IM and Presence, or the release names the table differently. -201 is a syntax error, -217 an unknown column, -272 no SELECT permission.',
    fix: 'Point --server at an IM and Presence node (on it, "run sql select * from xmpps2snodes" on the admin CLI must work); for --sql, fix the query; otherwise check the AXL user\'s roles and the IM&P release.',
    references: [REF.ciscoAxlFaq],
  },
  {
    id: 'axl.throttled',
    source: 'axl-verify',
    severity: 'error',
    title: 'IM&P is throttling AXL (HTTP 503), twice',
    summary: 'HTTP 503 twice (xfed waits for `Retry-After`, at most 2 s, and retries once). The table could not be read',
    meaning: 'AXL answers 503 when too many requests arrive; xfed waited (Retry-After, at most 2 s) and retried once, and got 503 again, so the table could not be read.',
    fix: 'Wait and run xfed again; if it persists, look for another AXL client hammering this IM&P node (Cisco recommends sleeping and retrying after a 503).',
    references: [REF.ciscoAxlFaq],
  },
  {
    id: 'axl.tls.untrusted',
    source: 'axl-verify',
    severity: 'error',
    title: "IM&P's certificate is not trusted",
    summary:
      "the certificate does not chain to a trusted CA (IM&P's tomcat certificate is self-signed by default). The evidence shows the certificate's subject, issuer, SAN, expiry and SHA-256 fingerprint. Nothing was sent",
    meaning:
      "The certificate does not chain to a CA xfed trusts (IM&P's tomcat certificate is self-signed by default), so xfed did not send the credentials. The evidence shows the certificate's subject, issuer, subjectAltName, expiry and SHA-256 fingerprint.",
    fix: "Pass the IM&P tomcat certificate (if self-signed) or its issuing CA with --ca <pem> (Cisco Unified OS Administration > Security > Certificate Management); Expressway-C must trust the same CA. --insecure skips the check (not recommended).",
    references: [REF.ciscoTac213865],
  },
  {
    id: 'axl.tls.name-mismatch',
    source: 'axl-verify',
    severity: 'error',
    title: "IM&P's certificate does not name the server",
    summary: 'the certificate is trusted but does not name the `--server` host',
    meaning: 'The certificate is trusted but issued for other names, so it does not prove that this server is the IM&P node you named.',
    fix: "Use a --server name that the certificate lists (its subjectAltName), or reissue the IM&P tomcat certificate with that name in its subjectAltName.",
    references: [REF.rfc9525],
  },
  {
    id: 'axl.tls.insecure',
    source: 'axl-verify',
    severity: 'warning',
    title: 'TLS certificate verification is off (--insecure)',
    summary: '`--insecure` was used: the credentials went to an unverified server',
    meaning: 'xfed sent the AXL credentials to a server whose certificate it did not check: anyone on the path could have read them.',
    fix: "Drop --insecure and pass IM&P's tomcat certificate or its issuing CA with --ca <pem> (Cisco Unified OS Administration > Security > Certificate Management > tomcat).",
    references: [],
  },
  {
    id: 'axl.unreachable',
    source: 'axl-verify',
    severity: 'error',
    title: 'AXL is unreachable',
    summary: 'connection refused, no route, DNS failure, a timeout (connect, headers, or a stalled body), a reset, or a failed TLS handshake',
    meaning:
      'The AXL request did not get an HTTP answer: connection refused, no route, a DNS failure, a timeout (connect, headers, or a stalled body), a reset, or a failed TLS handshake. Expressway-C needs the same path (TCP 8443 to every IM&P node) to register its S2S node.',
    fix: "Check that the Cisco AXL Web Service and Cisco Tomcat run on the IM&P node, that port 8443 is open from here and from Expressway-C, and that IM&P's host name and DNS (forward and PTR) resolve: a slow DNS makes AXL time out.",
    references: [REF.ciscoTac213865],
  },
  {
    id: 'axl.bad-response',
    source: 'axl-verify',
    severity: 'error',
    variants: [{ severity: 'warning', when: 'with --all, when GET /axl/ does not show the AXL Web Service page' }],
    title: 'Not an AXL answer',
    summary:
      'not an AXL answer: HTML where SOAP was expected (a login page or proxy), malformed or truncated XML, XML that is not SOAP, a DTD (refused), a body over 8 MiB, or an unexpected HTTP status such as 404. With `--all`, a warning if `GET /axl/` does not show the AXL Web Service page',
    meaning:
      'The answer is not the SOAP envelope AXL sends (HTML from a login page or proxy, malformed or truncated XML, XML that is not SOAP, a DTD, a body over 8 MiB, an unexpected HTTP status such as 404), so xfed cannot tell what is in the table.',
    fix: "Check that the URL is the IM&P node's Cisco AXL Web Service (activated in Cisco Unified Serviceability > Tools > Service Activation, port 8443) and that no proxy, load balancer or login page answers in its place.",
    references: [REF.ciscoTac213865],
  },
  {
    id: 'axl.s2snode.empty',
    source: 'axl-verify',
    severity: 'error',
    title: 'xmpps2snodes is empty: Expressway-C never registered an Expressway-E S2S node',
    summary: '`xmpps2snodes` has no rows: Expressway-C never wrote it. Look for `Status="401"` in its `network.axl` log',
    meaning:
      'Expressway-C writes one row per Expressway-E S2S node into this table over AXL when XMPP federation is enabled. With no row, IM&P does not route federated traffic to Expressway and federation silently never starts.',
    fix:
      'On Expressway-C, set Network log network.axl to DEBUG and look for Function="executeSQLQuery" Status="401": the AXL user/password configured on Expressway-C is wrong, or the user lacks the role "Standard AXL API Access". Fix it (or a 599 / connection error there), refresh the IM&P servers on Expressway-C so it writes the table again, then restart the Cisco XCP Router on IM&P.',
    references: [REF.ciscoTac213865],
  },
  {
    id: 'axl.s2snode.missing',
    source: 'axl-verify',
    severity: 'error',
    title: 'An expected Expressway-E has no xmpps2snodes row',
    summary: 'an `--expect`ed node has no row. Near misses (another index, another domain, host name only, a typo) are explained',
    meaning:
      'IM&P does not know this Expressway-E as an S2S node, so it will not send federated traffic through it. Near misses in the table (another component index, another domain, the host name without its domain, a typo) are explained in the finding.',
    fix: `Correct the Expressway-E's System host name / Domain name (or the name given to --expect) if a near miss says so; otherwise check that XMPP federation is On for this Expressway-E and that Expressway-C can write over AXL (network.axl log: Status="401" means wrong credentials); then ${REFRESH}.`,
    references: [REF.ciscoTac213865],
  },
  {
    id: 'axl.s2snode.unexpected',
    source: 'axl-verify',
    severity: 'warning',
    title: 'xmpps2snodes rows for S2S nodes nobody expects',
    summary: 'a row for a node nobody expects, usually a stale Expressway-E (only with `--expect`)',
    meaning: 'A row for an Expressway-E that is not in --expect is usually a stale entry from a replaced or renamed Expressway-E: IM&P may still route federated traffic to it.',
    fix: `If these Expressway-Es are gone, disable and re-enable XMPP federation on the current Expressway-E (so Expressway-C rewrites the table), ${REFRESH}; if they are live, add them to --expect.`,
    references: [REF.ciscoTac213865],
  },
  {
    id: 'axl.s2snode.ok',
    source: 'axl-verify',
    severity: 'info',
    title: 'The expected S2S nodes are registered in xmpps2snodes',
    summary: 'the expected nodes are registered. Without `--expect`, the rows that are there',
    meaning: 'The expected Expressway-E S2S nodes have their rows in xmpps2snodes; without --expect, the rows that are there are listed.',
    fix: '',
    references: [REF.ciscoTac213865],
  },
  {
    id: 'axl.query.ok',
    source: 'axl-verify',
    severity: 'info',
    title: 'The --sql query ran',
    summary: '`--sql`: the query ran. The rows are in `data.rows` and in the human table',
    meaning: 'The query given with --sql ran; its rows are in data.rows and in the human table.',
    fix: '',
    references: [],
  },
  {
    id: 'axl.federation.imp-enabled',
    source: 'axl-verify',
    severity: 'error',
    title: 'XMPP federation is active on IM&P while Expressway does federation',
    summary:
      "`--all`: *Cisco XCP XMPP Federation Connection Manager* is activated on IM&P (`isactive='t'`) while Expressway does federation. This mix is unsupported",
    meaning:
      'When Expressway-E does XMPP federation, IM&P must not: "If you deploy external XMPP federation through Expressway, do not activate the Cisco XCP XMPP federation Connection Manager feature service". Both at once is unsupported.',
    fix: `On IM&P set Presence > Inter-Domain Federation > XMPP Federation > Settings > XMPP Federation Node Status to Off and deactivate "Cisco XCP XMPP Federation Connection Manager" (Serviceability > Tools > Service Activation); then ${REFRESH}.`,
    references: [REF.ciscoFederation],
  },
  {
    id: 'axl.federation.ok',
    source: 'axl-verify',
    severity: 'info',
    title: 'Cisco XCP XMPP Federation Connection Manager is not activated on IM&P',
    summary: '`--all`: that service is not activated on any IM&P node',
    meaning: 'With --all: the XMPP federation service of IM&P is not activated on any node, as it must be when Expressway does federation.',
    fix: '',
    references: [REF.ciscoFederation],
  },
  {
    id: 'axl.federation.unchecked',
    source: 'axl-verify',
    severity: 'warning',
    title: 'Could not read the XMPP federation service activation on IM&P',
    summary: '`--all`: the service activation query failed. Check it by hand in Serviceability',
    meaning: 'With --all: the processnodeservice/typeservice query failed, so whether IM&P also runs XMPP federation is unknown.',
    fix: 'Check by hand: Cisco Unified Serviceability > Tools > Service Activation on each IM&P node, and Presence > Inter-Domain Federation > XMPP Federation > Settings > XMPP Federation Node Status = Off.',
    references: [REF.ciscoFederation],
  },
  {
    id: 'axl.service.ok',
    source: 'axl-verify',
    severity: 'info',
    title: 'GET /axl/ shows the AXL Web Service page',
    summary: '`--all`: an authenticated `GET /axl/` shows the AXL Web Service page',
    meaning: 'With --all: an authenticated GET of the AXL URL shows "Cisco CallManager: AXL Web Service" (the manual test in TAC 213865).',
    fix: '',
    references: [REF.ciscoTac213865],
  },
];
