/**
 * Evaluation for axl-verify: pure functions from the observed facts (facts.ts) and the expected
 * S2S nodes to findings. No network, no clock: unit tests feed recorded facts.
 */
import { finding, type Evidence, type Finding } from '../core/result.js';
import { matchNodes, type Expected } from './cpid.js';
import { FEDERATION_SERVICE_SQL, S2S_TABLE } from './endpoint.js';
import type { AxlExchange, AxlFacts, ExpectedNode } from './facts.js';
import type { Row } from './soap.js';
import { AXL_CLI_NAMES, authFinding, exchangeFindings, type AxlOptionNames, type Emit } from './evaluate-exchange.js';

export { authFix } from './evaluate-exchange.js';

export const REF_TAC_213865 = 'https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/213865-configure-and-troubleshoot-xmpp-federati.html';
const REF_X1402 =
  'https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/config_guide/X14-0-2/chat_presence/exwy_b_chat-and-presence-federation-using-expressway-X1402/exwy_m_xmpp-federation-through-expressway.html';

/** Replaces control characters (ANSI escapes, newlines) with spaces: for one-line display of server text. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

export const ev = (label: string, value: string): Evidence => ({ label, value });

/** The expected nodes against the table's rows: what `data.axl.expected` and `.unexpected` hold. */
export function matchExpected(facts: AxlFacts, expected: Expected[]): { expected: ExpectedNode[]; unexpected: string[] } {
  if (facts.customSql || !facts.rows || facts.query.kind !== 'rows') return { expected: [], unexpected: [] };
  const cpIds = facts.rows.map((r) => r.cp_id ?? '').filter((c) => c !== '');
  if (cpIds.length === 0) {
    return { expected: expected.map((e) => ({ input: e.input, cpId: e.cpId, ...(e.fqdn ? { fqdn: e.fqdn } : {}), matched: false, nearMisses: [] })), unexpected: [] };
  }
  const m = matchNodes(expected, cpIds);
  return {
    expected: m.expected.map((e) => ({ input: e.input, cpId: e.cpId, ...(e.fqdn ? { fqdn: e.fqdn } : {}), matched: e.matched, ...(e.row ? { row: e.row } : {}), nearMisses: e.nearMisses })),
    // Without --expect every row is "unexpected"; that says nothing, so nothing is listed.
    unexpected: expected.length ? m.unexpected : [],
  };
}

function s2sFindings(f: Emit, facts: AxlFacts, rows: Row[], expected: Expected[], names: AxlOptionNames): void {
  const table = facts.table ?? S2S_TABLE;
  const cpIds = rows.map((r) => r.cp_id ?? '').filter((c) => c !== '');
  const rowEvidence = rows.map((r) => ev('row', `${r.pkid ?? '?'}  ${r.cp_id ?? '(no cp_id)'}`));
  if (cpIds.length === 0) {
    f({
      id: 'axl.s2snode.empty',
      severity: 'error',
      phase: 's2snode',
      title: `${table} is empty: Expressway-C never registered an Expressway-E S2S node`,
      detail:
        'Expressway-C writes one row per Expressway-E S2S node into this table over AXL when XMPP federation is enabled. With no row, IM&P does not route federated traffic to Expressway and federation silently never starts.',
      evidence: [ev('rows', '0'), ev('sql', facts.sql)],
      fix:
        'On Expressway-C, set Network log network.axl to DEBUG and look for Function="executeSQLQuery" Status="401": the AXL user/password configured on ' +
        'Expressway-C (Configuration > Unified Communications > IM and Presence Service nodes) is wrong, or the user lacks the role "Standard AXL API Access" ' +
        '(or a read-only AXL role). Fix it (or a 599 / connection error there), refresh the IM&P servers on Expressway-C so it writes the table again, ' +
        'then restart the Cisco XCP Router on IM&P.',
      references: [REF_TAC_213865],
    });
    return;
  }
  const m = matchNodes(expected, cpIds);
  for (const e of m.expected.filter((x) => !x.matched)) {
    f({
      id: 'axl.s2snode.missing',
      severity: 'error',
      phase: 's2snode',
      title: `${e.input}: no ${table} row ${e.cpId}`,
      detail: e.nearMisses.length
        ? `A near miss is there instead: ${e.nearMisses.map((n) => `${n.cpId} (${n.explanation})`).join('; ')}.`
        : `IM&P does not know this Expressway-E as an S2S node, so it will not send federated traffic through it. The table has ${cpIds.length} other row${cpIds.length === 1 ? '' : 's'}.`,
      evidence: [ev('expected', e.cpId), ...e.nearMisses.map((n) => ev('near miss', `${n.cpId}: ${n.explanation}`)), ...rowEvidence],
      fix: e.nearMisses.some((n) => n.kind === 'other-domain' || n.kind === 'host-only' || n.kind === 'typo')
        ? `Correct the Expressway-E's System host name / Domain name (or the name given to ${names.expect}), then refresh the IM&P servers on Expressway-C and restart the Cisco XCP Router on IM&P.`
        : 'Check that XMPP federation is On for this Expressway-E and that Expressway-C can write over AXL (network.axl log: Status="401" means wrong credentials), then refresh the IM&P servers on Expressway-C and restart the Cisco XCP Router on IM&P.',
      references: [REF_TAC_213865],
    });
  }
  if (expected.length && m.unexpected.length) {
    f({
      id: 'axl.s2snode.unexpected',
      severity: 'warning',
      phase: 's2snode',
      title: `${m.unexpected.length} ${table} row${m.unexpected.length === 1 ? '' : 's'} for S2S nodes nobody expects`,
      detail: `A row for an Expressway-E that is not in ${names.expect} is usually a stale entry from a replaced or renamed Expressway-E: IM&P may still route federated traffic to it.`,
      evidence: m.unexpected.map((u) => ev('unexpected', u)),
      fix: `If these Expressway-Es are gone, disable and re-enable XMPP federation on the current Expressway-E (so Expressway-C rewrites the table), refresh the IM&P servers on Expressway-C and restart the Cisco XCP Router on IM&P; if they are live, add them to ${names.expect}.`,
      references: [REF_TAC_213865],
    });
  }
  const matched = m.expected.filter((e) => e.matched);
  if (!expected.length || matched.length) {
    f({
      id: 'axl.s2snode.ok',
      severity: 'info',
      phase: 's2snode',
      title: expected.length
        ? `${matched.length} of ${expected.length} expected S2S node${expected.length === 1 ? '' : 's'} registered in ${table}`
        : `${cpIds.length} S2S node${cpIds.length === 1 ? '' : 's'} registered in ${table} (pass ${names.expect} to check which)`,
      evidence: expected.length ? matched.map((e) => ev('registered', `${e.input} -> ${e.row}`)) : rowEvidence,
    });
  }
}

function servicePageFindings(f: Emit, facts: AxlFacts, authReported: boolean): void {
  const sp = facts.servicePage;
  if (!sp || sp.status === 0) return;
  const path = facts.endpoint.path;
  if (sp.ok) {
    f({ id: 'axl.service.ok', severity: 'info', phase: 'axl', title: `GET ${path} with these credentials shows the AXL Web Service page`, evidence: [ev('page', sp.page ?? 'AXL Web Service')] });
  } else if (sp.status === 401 || sp.status === 403) {
    if (!authReported) authFinding(f, facts, sp.status, sp.page);
  } else {
    f({
      id: 'axl.bad-response',
      severity: 'warning',
      phase: 'axl',
      title: `GET ${path} did not return the AXL Web Service page (HTTP ${sp.status})`,
      detail: 'An authenticated GET of the AXL URL normally shows "Cisco CallManager: AXL Web Service" (the manual test in TAC 213865).',
      evidence: [ev('http.status', String(sp.status)), ev('body', sp.excerpt ?? '')],
      fix: 'Check that the Cisco AXL Web Service is activated on this IM&P node (Cisco Unified Serviceability > Tools > Service Activation).',
    });
  }
}

function federationDetail(out: AxlExchange | undefined): string {
  if (out?.kind === 'fault') return `The processnodeservice/typeservice query failed: ${out.axlcode ?? ''} ${out.axlmessage ?? out.faultstring}.`;
  return `The processnodeservice/typeservice query failed (${out?.kind ?? 'not run'}).`;
}

function federationFindings(f: Emit, facts: AxlFacts): void {
  const fed = facts.federation;
  if (!fed) return;
  if (!fed.checked) {
    f({
      id: 'axl.federation.unchecked',
      severity: 'warning',
      phase: 'federation',
      title: 'Could not read the XMPP federation service activation on IM&P',
      detail: federationDetail(fed.outcome),
      evidence: [ev('sql', FEDERATION_SERVICE_SQL)],
      fix: 'Check by hand: Cisco Unified Serviceability > Tools > Service Activation on each IM&P node, and Presence > Inter-Domain Federation > XMPP Federation > Settings > XMPP Federation Node Status = Off.',
    });
    return;
  }
  const active = fed.services.filter((r) => /^(t|true|1)$/i.test((r.isactive ?? '').trim()));
  if (active.length) {
    f({
      id: 'axl.federation.imp-enabled',
      severity: 'error',
      phase: 'federation',
      title: `XMPP federation is active on IM&P (${active.map((r) => r.servername ?? '?').join(', ')}) while Expressway does federation`,
      detail: 'When Expressway-E does XMPP federation, IM&P must not: "If you deploy external XMPP federation through Expressway, do not activate the Cisco XCP XMPP federation Connection Manager feature service". Both at once is unsupported.',
      evidence: active.map((r) => ev('activated', `${r.servername ?? '?'}: ${r.service ?? 'XMPP Federation Connection Manager'}`)),
      fix: 'On IM&P set Presence > Inter-Domain Federation > XMPP Federation > Settings > XMPP Federation Node Status to Off and deactivate "Cisco XCP XMPP Federation Connection Manager" (Serviceability > Tools > Service Activation); then refresh the IM&P servers on Expressway-C and restart the Cisco XCP Router on IM&P.',
      references: [REF_X1402],
    });
  } else {
    f({
      id: 'axl.federation.ok',
      severity: 'info',
      phase: 'federation',
      title: 'Cisco XCP XMPP Federation Connection Manager is not activated on IM&P',
      evidence: fed.services.map((r) => ev('service', `${r.servername ?? '?'}: ${r.service ?? '?'} isactive=${r.isactive ?? '?'}`)),
    });
  }
}

/** Every finding of one axl-verify target, from its facts and the expected S2S nodes. */
export function evaluateAxl(facts: AxlFacts, expected: Expected[], n: AxlOptionNames = AXL_CLI_NAMES): Finding[] {
  const findings: Finding[] = [];
  const target = facts.endpoint.display;
  // Server-supplied text (fault messages, bodies, rows) must not drive the terminal.
  const f: Emit = (x) =>
    findings.push(
      finding({
        target,
        ...x,
        title: printable(x.title),
        ...(x.detail ? { detail: printable(x.detail) } : {}),
        ...(x.evidence ? { evidence: x.evidence.map((e) => ({ ...e, value: printable(e.value) })) } : {}),
      }),
    );
  if (!facts.tls.verify) {
    f({
      id: 'axl.tls.insecure',
      severity: 'warning',
      phase: 'tls',
      title: `TLS certificate verification is OFF (${n.insecure})`,
      detail: 'xfed sent the AXL credentials to a server whose certificate it did not check: anyone on the path could have read them.',
      fix: `Drop ${n.insecure} and pass IM&P's tomcat certificate or its issuing CA with ${n.ca} <pem> (Cisco Unified OS Administration > Security > Certificate Management > tomcat).`,
    });
  }
  const q = facts.query;
  if (q.kind === 'rows') {
    const rows = facts.rows ?? [];
    if (facts.customSql) {
      f({
        id: 'axl.query.ok',
        severity: 'info',
        phase: 'axl',
        title: `The query returned ${rows.length} row${rows.length === 1 ? '' : 's'} (AXL ${q.version})`,
        evidence: [ev('sql', facts.sql)],
      });
    } else s2sFindings(f, facts, rows, expected, n);
  } else exchangeFindings(f, facts, q, n);
  servicePageFindings(f, facts, q.kind === 'auth');
  federationFindings(f, facts);
  return findings;
}

