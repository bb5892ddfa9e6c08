/**
 * Evaluation of a main query that returned no rows: transport failures, TLS, credentials,
 * version, throttling, answers that are not AXL, and SOAP faults. Pure.
 */
import type { Evidence, Finding } from '../core/result.js';
import { S2S_TABLE, S2S_TABLE_ALT } from './endpoint.js';
import type { AxlExchange, AxlFacts } from './facts.js';
import { bestVersion } from './soap.js';

/** The options findings point to, as the reader gave them: flags (`xfed axl-verify`) or config keys (`xfed doctor`). */
export interface AxlOptionNames {
  server: string;
  expect: string;
  ca: string;
  insecure: string;
}

export const AXL_CLI_NAMES: AxlOptionNames = { server: '--server', expect: '--expect', ca: '--ca', insecure: '--insecure' };
export const AXL_CONFIG_NAMES: AxlOptionNames = { server: 'axl.server', expect: 'axl.expect', ca: 'axl.ca', insecure: 'axl.insecure' };

export type Emit = (x: Omit<Finding, 'target' | 'evidence' | 'fix' | 'detail'> & Partial<Pick<Finding, 'evidence' | 'fix' | 'detail'>>) => void;

const REF_TAC_213865 = 'https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/213865-configure-and-troubleshoot-xmpp-federati.html';
const REF_AXL_FAQ = 'https://developer.cisco.com/docs/axl/faq';

const ev = (label: string, value: string): Evidence => ({ label, value });

/** The fix for credentials IM&P refuses: TAC 213865 causes 1 and 2 (the seed). */
export const authFix = (url: string): string =>
  'On Expressway-C (Configuration > Unified Communications > IM and Presence Service nodes) correct the AXL user name and password ' +
  'configured for this IM&P node, and give that IM&P application user the role "Standard AXL API Access" (or a read-only AXL role); ' +
  `check it by browsing to ${url} with the same credentials; then refresh the IM&P servers on Expressway-C ` +
  'and, after fixing it, restart the Cisco XCP Router service on IM&P (if it still bounces packets, reboot the IM&P cluster).';

const INFORMIX: Record<number, string> = {
  [-201]: 'a syntax error in the SQL',
  [-206]: 'the table is not in the database (Informix -206)',
  [-217]: 'a column is not in any table of the query (Informix -217)',
  [-272]: 'the AXL user has no SELECT permission on the table (Informix -272)',
};

export function authFinding(f: Emit, facts: AxlFacts, status: number, page: string | undefined): void {
  const forbidden = status === 403;
  f({
    id: 'axl.auth.failed',
    severity: 'error',
    phase: 'auth',
    title: forbidden
      ? `IM&P accepted the password of "${facts.user}" but refused AXL (HTTP 403): the user lacks an AXL role`
      : `IM&P refused the AXL credentials of "${facts.user}" (HTTP 401)`,
    detail:
      'If these are the credentials configured on Expressway-C, Expressway-C cannot write the xmpps2snodes table either: its network.axl log shows Function="executeSQLQuery" Status="' +
      status +
      '", the table stays empty and federation silently never starts.',
    evidence: [ev('http.status', String(status)), ...(page ? [ev('page', page)] : []), ev('user', facts.user)],
    fix: authFix(facts.url),
    references: [REF_TAC_213865],
  });
}

function tlsFinding(f: Emit, facts: AxlFacts, err: { kind: string; message: string; code?: string }, n: AxlOptionNames): void {
  const peer = facts.tls.peer;
  const host = facts.endpoint.host;
  const certEv = peer
    ? [
        ev('certificate.subject', peer.subject ?? '?'),
        ev('certificate.issuer', peer.issuer ?? '?'),
        ev('certificate.subjectAltName', peer.subjectAltName ?? '(none)'),
        ev('certificate.validTo', peer.validTo ?? '?'),
        ev('certificate.sha256', peer.fingerprint256 ?? '?'),
      ]
    : [];
  if (err.kind === 'tls-untrusted') {
    f({
      id: 'axl.tls.untrusted',
      severity: 'error',
      phase: 'tls',
      title: `IM&P's certificate is not trusted (${err.code})`,
      detail: `${peer?.selfSigned ? "The tomcat certificate is self-signed (IM&P's default), " : 'The certificate chain does not lead to a CA xfed trusts, '}so xfed did not send the credentials.${facts.tls.customCa ? ` The ${n.ca} file given does not sign it.` : ''}`,
      evidence: [ev('tls.error', err.message), ...certEv],
      fix: `Pass the IM&P tomcat certificate (if self-signed) or its issuing CA with ${n.ca} <pem> (download it from Cisco Unified OS Administration > Security > Certificate Management); Expressway-C must trust the same CA when it verifies IM&P's certificate. ${n.insecure} skips the check (not recommended).`,
    });
  } else {
    f({
      id: 'axl.tls.name-mismatch',
      severity: 'error',
      phase: 'tls',
      title: `IM&P's certificate does not name ${host}`,
      detail: 'The certificate is trusted but issued for other names, so it does not prove that this server is the IM&P node you named.',
      evidence: [ev('tls.error', err.message), ...certEv],
      fix: `Use a ${n.server} name that the certificate lists (its subjectAltName above), or reissue the IM&P tomcat certificate with ${host} in its subjectAltName.`,
    });
  }
}

const WHAT: Record<string, string> = {
  refused: 'connection refused',
  dns: 'the name does not resolve',
  timeout: 'timed out',
  reset: 'the connection was reset',
  'tls-handshake': 'the TLS handshake failed',
  other: 'the request failed',
};

function transportFinding(f: Emit, facts: AxlFacts, err: { kind: string; message: string; code?: string }, n: AxlOptionNames): void {
  if (err.kind === 'tls-untrusted' || err.kind === 'tls-name') return tlsFinding(f, facts, err, n);
  const { host, port, display } = facts.endpoint;
  f({
    id: 'axl.unreachable',
    severity: 'error',
    phase: 'connect',
    title: `AXL at ${display} is unreachable: ${WHAT[err.kind] ?? err.kind}`,
    detail: `${err.message}. Expressway-C needs the same path (TCP 8443 to every IM&P node) to register its S2S node.`,
    evidence: [ev('error', `${err.code ?? err.kind}: ${err.message}`)],
    fix:
      err.kind === 'dns'
        ? `Check the IM&P host name (${host}) and DNS; Expressway-C discovers IM&P nodes by the names IM&P reports, so they must resolve there too.`
        : err.kind === 'tls-handshake'
          ? `Check that port ${port} serves HTTPS (the Cisco Tomcat service), not plain HTTP or another protocol.`
          : `Check that the Cisco AXL Web Service and Cisco Tomcat run on the IM&P node, that port ${port} is open from here and from Expressway-C, and that IM&P's DNS (forward and PTR) answers: a slow DNS makes AXL time out.`,
  });
}

function faultFinding(f: Emit, facts: AxlFacts, out: Extract<AxlExchange, { kind: 'fault' }>, n: AxlOptionNames): void {
  const code = out.axlcode;
  const known = code !== undefined ? INFORMIX[code] : undefined;
  const noTable = code === -206 && !facts.customSql;
  f({
    id: 'axl.fault',
    severity: 'error',
    phase: 'axl',
    title: `AXL fault${code !== undefined ? ` ${code}` : ''}: ${out.axlmessage || out.faultstring || 'no message'}`,
    detail: noTable
      ? `Informix error -206 means the table is not in the database: neither ${S2S_TABLE} nor ${S2S_TABLE_ALT} exists here. This server is probably not an IM and Presence node (a Unified CM node has no XMPP tables), or the release names the table differently.`
      : `The server ran the query and refused it${known ? `: ${known}` : ''}.`,
    evidence: [
      ev('http.status', String(out.status)),
      ...(code !== undefined ? [ev('axlcode', String(code))] : []),
      ...(out.axlmessage ? [ev('axlmessage', out.axlmessage)] : []),
      ...(out.faultstring && out.faultstring !== out.axlmessage ? [ev('faultstring', out.faultstring)] : []),
      ev('sql', facts.sql),
    ],
    fix: noTable
      ? `Point ${n.server} at an IM and Presence node (not Unified CM); on it, "run sql select * from ${S2S_TABLE}" on the admin CLI must work.`
      : facts.customSql
        ? 'Fix the query (table and column names as in the IM&P data dictionary) and run it again.'
        : "Check the AXL user's roles and the IM&P release; the error text above comes from the database.",
  });
}

/** The findings of a main query that did not return rows. */
export function exchangeFindings(f: Emit, facts: AxlFacts, out: AxlExchange, n: AxlOptionNames = AXL_CLI_NAMES): void {
  switch (out.kind) {
    case 'rows':
      return;
    case 'transport':
      return transportFinding(f, facts, out.error, n);
    case 'auth':
      return authFinding(f, facts, out.status, out.page);
    case 'fault':
      return faultFinding(f, facts, out, n);
    case 'version': {
      const list = out.supported;
      f({
        id: 'axl.version.unsupported',
        severity: 'error',
        phase: 'axl',
        title: `IM&P refused AXL version ${out.version} (HTTP 599)`,
        detail: list.length
          ? `The server supports ${list.join(', ')}${facts.versionPinned ? '; --axl-version pins the version, so xfed did not retry' : ', and the retry with the best of them failed too'}.`
          : 'The 599 page lists no supported versions xfed could read.',
        evidence: [ev('http.status', '599'), ev('message', out.message), ev('tried', facts.versionsTried.join(', '))],
        fix: list.length
          ? `Use one of the listed versions: --axl-version ${bestVersion(list)}. On Expressway-C the same error means its AXL client is older or newer than this IM&P release supports: upgrade to a combination the compatibility matrix lists.`
          : 'Pass the IM&P release (major.minor) with --axl-version, e.g. --axl-version 14.0.',
        references: [REF_AXL_FAQ],
      });
      return;
    }
    case 'throttled':
      f({
        id: 'axl.throttled',
        severity: 'error',
        phase: 'axl',
        title: 'IM&P is throttling AXL (HTTP 503 Service Unavailable), twice',
        detail: 'AXL answers 503 when too many requests arrive; xfed waited and retried once, and got 503 again, so the table could not be read.',
        evidence: [ev('http.status', '503'), ...(out.retryAfter ? [ev('Retry-After', out.retryAfter)] : [])],
        fix: 'Wait and run xfed again; if it persists, look for another AXL client hammering this IM&P node (Cisco recommends sleeping and retrying after a 503).',
        references: [REF_AXL_FAQ],
      });
      return;
    case 'bad':
      f({
        id: 'axl.bad-response',
        severity: 'error',
        phase: 'axl',
        title: `Not an AXL answer: ${out.reason}`,
        detail: `HTTP ${out.status} (${out.contentType || 'no Content-Type'}, ${out.bytes} bytes) is not the SOAP envelope AXL sends, so xfed cannot tell what is in the table.`,
        evidence: [ev('http.status', String(out.status)), ev('content-type', out.contentType || '(none)'), ...(out.excerpt !== undefined ? [ev('body', out.excerpt)] : [])],
        fix: `Check that ${facts.url} is the IM&P node's Cisco AXL Web Service (activated in Serviceability, port 8443) and that no proxy, load balancer or login page answers in its place.`,
      });
  }
}
