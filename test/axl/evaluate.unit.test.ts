/**
 * evaluateAxl from recorded facts: no sockets. Every axl finding id, with exact id sets.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseExpected, type Expected } from '../../src/axl/cpid.js';
import { FEDERATION_SERVICE_SQL, s2sQuery } from '../../src/axl/endpoint.js';
import { evaluateAxl, matchExpected } from '../../src/axl/evaluate.js';
import { AXL_CONFIG_NAMES } from '../../src/axl/evaluate-exchange.js';
import type { AxlExchange, AxlFacts } from '../../src/axl/facts.js';

const TAC_ROW = { pkid: '055c13d9-943d-459d-a3c6-af1d1176936d', cp_id: 'cm-2_s2scp-1.eft-xwye-a-coluc-com' };
const exp = (...s: string[]): Expected[] => s.map((x) => parseExpected(x) as Expected);

/** Facts as observeAxl records them for a good run of the xmpps2snodes query; `o` overrides. */
function facts(o: Partial<AxlFacts> = {}): AxlFacts {
  const rows = o.rows ?? [TAC_ROW];
  return {
    url: 'https://imp1.example.com:8443/axl/',
    endpoint: { host: 'imp1.example.com', port: 8443, path: '/axl/', display: 'imp1.example.com:8443' },
    user: 'axlxfed',
    axlVersion: '14.0',
    versionPinned: false,
    versionsTried: ['15.0', '14.0'],
    supportedVersions: ['12.5', '14.0'],
    sql: s2sQuery('xmpps2snodes'),
    customSql: false,
    table: 'xmpps2snodes',
    query: { kind: 'rows', version: '14.0', status: 200, rowCount: rows.length },
    rows,
    rowCount: rows.length,
    expected: [],
    unexpected: [],
    tls: { verify: true, customCa: true, ca: 'imp-ca.pem' },
    http: { requests: 2, lastStatus: 200, ms: [3.1, 2.4] },
    ...o,
  };
}

/** Facts of a main query that returned no rows. */
function failed(query: AxlExchange, o: Partial<AxlFacts> = {}): AxlFacts {
  const f = facts({ query, ...o });
  delete f.rows;
  delete f.rowCount;
  delete f.table;
  if (query.kind !== 'fault') delete f.axlVersion;
  return f;
}

const ids = (f: AxlFacts, expected: Expected[] = []) => evaluateAxl(f, expected).map((x) => x.id).sort();

describe('evaluateAxl: the xmpps2snodes table', () => {
  test('axl.s2snode.ok: the expected node is registered', () => {
    const f = facts();
    assert.deepEqual(ids(f, exp('eft-xwye-a.coluc.com')), ['axl.s2snode.ok']);
    const [ok] = evaluateAxl(f, exp('eft-xwye-a.coluc.com'));
    assert.equal(ok!.title, '1 of 1 expected S2S node registered in xmpps2snodes');
    assert.equal(ok!.target, 'imp1.example.com:8443');
  });
  test('axl.s2snode.ok without --expect lists the rows', () => {
    const [ok, ...rest] = evaluateAxl(facts(), []);
    assert.deepEqual(rest, []);
    assert.equal(ok!.id, 'axl.s2snode.ok');
    assert.match(ok!.title, /pass --expect/);
    assert.deepEqual(ok!.evidence.map((e) => e.value), [`${TAC_ROW.pkid}  ${TAC_ROW.cp_id}`]);
  });
  test('axl.s2snode.empty: no rows, or rows without a cp_id', () => {
    assert.deepEqual(ids(facts({ rows: [] }), exp('expe1.example.com')), ['axl.s2snode.empty']);
    assert.deepEqual(ids(facts({ rows: [{ pkid: 'x', cp_id: '' }] })), ['axl.s2snode.empty']);
  });
  test('axl.s2snode.missing and axl.s2snode.unexpected; the singular table name in the titles', () => {
    const f = facts({ table: 'xmpps2snode', rows: [{ pkid: 'a', cp_id: 'cm-2_s2scp-1.expe1-example-org' }, { pkid: 'b', cp_id: 'cm-2_s2scp-1.stale-corp-net' }] });
    const out = evaluateAxl(f, exp('expe1.example.com'));
    assert.deepEqual(out.map((x) => x.id).sort(), ['axl.s2snode.missing', 'axl.s2snode.unexpected']);
    const missing = out.find((x) => x.id === 'axl.s2snode.missing')!;
    assert.equal(missing.title, 'expe1.example.com: no xmpps2snode row cm-2_s2scp-1.expe1-example-com');
    assert.match(missing.detail, /other domain/);
    assert.match(missing.fix, /System host name/);
  });
  test('one of two expected: missing + ok (+ unexpected for the stranger)', () => {
    const f = facts({ rows: [TAC_ROW, { pkid: 'c', cp_id: 'cm-2_s2scp-1.stale-corp-net' }] });
    assert.deepEqual(ids(f, exp('eft-xwye-a.coluc.com', 'expe9.example.com')), ['axl.s2snode.missing', 'axl.s2snode.ok', 'axl.s2snode.unexpected']);
  });
  test('matchExpected fills data.expected and data.unexpected (nothing is "unexpected" without --expect)', () => {
    const f = facts({ rows: [TAC_ROW, { pkid: 'c', cp_id: 'cm-2_s2scp-1.stale-corp-net' }] });
    const m = matchExpected(f, exp('eft-xwye-a.coluc.com'));
    assert.deepEqual(m.expected.map((e) => [e.input, e.matched, e.row]), [['eft-xwye-a.coluc.com', true, TAC_ROW.cp_id]]);
    assert.deepEqual(m.unexpected, ['cm-2_s2scp-1.stale-corp-net']);
    assert.deepEqual(matchExpected(f, []).unexpected, []);
    assert.deepEqual(matchExpected(failed({ kind: 'auth', version: '15.0', status: 401 }), exp('a.example.com')), { expected: [], unexpected: [] });
  });
});

describe('evaluateAxl: a main query without rows', () => {
  const cases: Array<[string, AxlExchange, string[], RegExp]> = [
    ['401', { kind: 'auth', version: '15.0', status: 401, page: 'HTTP Status 401 – Unauthorized' }, ['axl.auth.failed'], /refused the AXL credentials of "axlxfed" \(HTTP 401\)/],
    ['403', { kind: 'auth', version: '15.0', status: 403 }, ['axl.auth.failed'], /HTTP 403/],
    ['599', { kind: 'version', version: '14.0', status: 599, supported: ['12.5', '14.0'], message: 'Incorrect axl version.' }, ['axl.version.unsupported'], /refused AXL version 14\.0/],
    ['503 twice', { kind: 'throttled', version: '14.0', status: 503, retryAfter: '1' }, ['axl.throttled'], /503/],
    ['not SOAP', { kind: 'bad', version: '14.0', status: 200, contentType: 'text/xml', bytes: 40, reason: 'malformed XML at line 1, column 3: x', excerpt: '<a' }, ['axl.bad-response'], /Not an AXL answer: malformed XML/],
    ['fault', { kind: 'fault', version: '14.0', status: 500, faultcode: 'soapenv:Client', faultstring: 'denied', axlcode: -272, axlmessage: 'denied' }, ['axl.fault'], /AXL fault -272: denied/],
    ['refused', { kind: 'transport', version: '15.0', error: { kind: 'refused', message: 'connection refused', code: 'ECONNREFUSED' } }, ['axl.unreachable'], /unreachable: connection refused/],
    ['dns', { kind: 'transport', version: '15.0', error: { kind: 'dns', message: 'name does not resolve (ENOTFOUND)', code: 'ENOTFOUND' } }, ['axl.unreachable'], /does not resolve/],
    ['untrusted', { kind: 'transport', version: '15.0', error: { kind: 'tls-untrusted', message: 'DEPTH_ZERO_SELF_SIGNED_CERT: self-signed', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } }, ['axl.tls.untrusted'], /not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/],
    ['name', { kind: 'transport', version: '15.0', error: { kind: 'tls-name', message: "Host: imp1. is not in the cert's altnames", code: 'ERR_TLS_CERT_ALTNAME_INVALID' } }, ['axl.tls.name-mismatch'], /does not name imp1\.example\.com/],
  ];
  for (const [name, q, want, title] of cases) {
    test(`${name} -> ${want.join(', ')}`, () => {
      const out = evaluateAxl(failed(q), exp('eft-xwye-a.coluc.com'));
      assert.deepEqual(out.map((x) => x.id).sort(), want);
      assert.match(out[0]!.title, title);
      assert.equal(out[0]!.severity, 'error');
    });
  }
  test('the fault -206 of the s2s query names both spellings; with --sql it does not', () => {
    const q: AxlExchange = { kind: 'fault', version: '14.0', status: 500, faultcode: 'soapenv:Client', faultstring: 'no table', axlcode: -206, axlmessage: 'no table' };
    const [s2s] = evaluateAxl(failed(q), []);
    assert.match(s2s!.detail, /neither xmpps2snodes nor xmpps2snode/);
    const [custom] = evaluateAxl(failed(q, { customSql: true, sql: 'select a from b' }), []);
    assert.match(custom!.detail, /table is not in the database \(Informix -206\)/);
    assert.match(custom!.fix, /Fix the query/);
  });
  test('a pinned version is not retried; the fix names the best listed version', () => {
    const q: AxlExchange = { kind: 'version', version: '15.0', status: 599, supported: ['12.x', '14.0'], message: 'Incorrect axl version.' };
    const [v] = evaluateAxl(failed(q, { versionPinned: true, versionsTried: ['15.0'] }), []);
    assert.match(v!.detail, /pins the version/);
    assert.match(v!.fix, /--axl-version 14\.0/);
  });
  test('the certificate seen is evidence of a TLS finding', () => {
    const q: AxlExchange = { kind: 'transport', version: '15.0', error: { kind: 'tls-untrusted', message: 'self-signed', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } };
    const f = failed(q, { tls: { verify: true, customCa: false, peer: { subject: 'CN=imp1', issuer: 'CN=imp1', subjectAltName: 'DNS:imp1.example.com', selfSigned: true } } });
    const [t] = evaluateAxl(f, []);
    assert.match(t!.detail, /self-signed/);
    assert.deepEqual(t!.evidence.map((e) => e.label), ['tls.error', 'certificate.subject', 'certificate.issuer', 'certificate.subjectAltName', 'certificate.validTo', 'certificate.sha256']);
  });
  test('server text cannot drive the terminal', () => {
    const q: AxlExchange = { kind: 'fault', version: '14.0', status: 500, faultcode: 'c', faultstring: 'x', axlcode: -1, axlmessage: 'evil\u001b[2J\r\nline' };
    const all = JSON.stringify(evaluateAxl(failed(q), []));
    assert.ok(!/\\u001b|\\r|\\n/.test(all), all);
  });
});

describe('evaluateAxl: --sql, --insecure, --all', () => {
  test('axl.query.ok', () => {
    const f = facts({ customSql: true, sql: 'select count(*) from processnode', rows: [{ count: '2' }] });
    delete f.table;
    const out = evaluateAxl(f, []);
    assert.deepEqual(out.map((x) => x.id), ['axl.query.ok']);
    assert.equal(out[0]!.title, 'The query returned 1 row (AXL 14.0)');
  });
  test('findings name the options as the reader gave them: flags by default, config keys for doctor', () => {
    const f = facts({ tls: { verify: false, customCa: false } });
    const insecure = (names?: typeof AXL_CONFIG_NAMES) => evaluateAxl(f, exp('unknown.example.com'), names).filter((x) => x.id !== 'axl.s2snode.ok');
    assert.deepEqual(insecure().map((x) => x.title), ['TLS certificate verification is OFF (--insecure)', ...insecure().slice(1).map((x) => x.title)]);
    const doctor = insecure(AXL_CONFIG_NAMES);
    assert.equal(doctor[0]!.title, 'TLS certificate verification is OFF (axl.insecure)');
    assert.match(doctor[0]!.fix, /^Drop axl\.insecure and pass .* with axl\.ca <pem>/);
    assert.ok(doctor.every((x) => !/--(insecure|ca|expect|server)\b/.test(`${x.title} ${x.detail} ${x.fix}`)), JSON.stringify(doctor.map((x) => x.fix)));
  });
  test('axl.tls.insecure is added to whatever else is found', () => {
    assert.deepEqual(ids(facts({ tls: { verify: false, customCa: false } })), ['axl.s2snode.ok', 'axl.tls.insecure']);
  });
  const fed = (isactive: string) => ({ checked: true, services: [{ servername: 'imp1', service: 'Cisco XCP XMPP Federation Connection Manager', isactive }] });
  test('axl.service.ok + axl.federation.ok', () => {
    assert.deepEqual(ids(facts({ servicePage: { status: 200, ok: true, page: 'Cisco CallManager: AXL Web Service' }, federation: fed('f') })), ['axl.federation.ok', 'axl.s2snode.ok', 'axl.service.ok']);
  });
  test('axl.federation.imp-enabled', () => {
    const out = evaluateAxl(facts({ servicePage: { status: 200, ok: true }, federation: fed('t') }), []);
    assert.deepEqual(out.map((x) => x.id).sort(), ['axl.federation.imp-enabled', 'axl.s2snode.ok', 'axl.service.ok']);
    assert.match(out.find((x) => x.id === 'axl.federation.imp-enabled')!.title, /\(imp1\)/);
  });
  test('axl.federation.unchecked after a fault; a service page that is not AXL is axl.bad-response (warning)', () => {
    const outcome: AxlExchange = { kind: 'fault', version: '14.0', status: 500, faultcode: 'c', faultstring: 'no table', axlcode: -206 };
    const out = evaluateAxl(facts({ servicePage: { status: 404, ok: false, excerpt: 'Not Found' }, federation: { checked: false, services: [], outcome } }), []);
    assert.deepEqual(out.map((x) => x.id).sort(), ['axl.bad-response', 'axl.federation.unchecked', 'axl.s2snode.ok']);
    assert.equal(out.find((x) => x.id === 'axl.bad-response')!.severity, 'warning');
    assert.match(out.find((x) => x.id === 'axl.federation.unchecked')!.detail, /-206 no table/);
    assert.match(out.find((x) => x.id === 'axl.federation.unchecked')!.evidence[0]!.value, new RegExp(FEDERATION_SERVICE_SQL.slice(0, 20)));
  });
  test('a service page refused with 401 is axl.auth.failed; a page that never answered adds nothing', () => {
    assert.deepEqual(ids(facts({ servicePage: { status: 401, ok: false } })), ['axl.auth.failed', 'axl.s2snode.ok']);
    assert.deepEqual(ids(facts({ servicePage: { status: 0, ok: false } })), ['axl.s2snode.ok']);
  });
});
