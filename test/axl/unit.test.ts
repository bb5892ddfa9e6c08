import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cpIdFromFqdn, matchNodes, nearMiss, parseExpected, type Expected } from '../../src/axl/cpid.js';
import { checkSelect } from '../../src/axl/sql.js';
import {
  BadSoapError,
  bestVersion,
  buildExecuteSqlQuery,
  cdata,
  parseAxlResponse,
  parseSupportedVersions,
  soapAction,
} from '../../src/axl/soap.js';
import { InputError } from '../../src/core/errors.js';
import { checkAxlInput } from '../../src/axl/endpoint.js';
import { axlVerify, parseServer } from '../../src/axl/verify.js';
import { rowsBody, runSelect } from '../../src/axl/emulator.js';
import { FIXTURES } from '../helpers/servers.js';

const fx = (name: string) => readFileSync(join(FIXTURES, 'axl', name), 'utf8');

describe('cp_id from an Expressway-E FQDN', () => {
  test('the TAC 213865 sample', () => {
    assert.equal(cpIdFromFqdn('eft-xwye-a.coluc.com'), 'cm-2_s2scp-1.eft-xwye-a-coluc-com');
  });
  test('case and a trailing dot are ignored', () => {
    assert.equal(cpIdFromFqdn('EFT-XWYE-A.Coluc.COM.'), 'cm-2_s2scp-1.eft-xwye-a-coluc-com');
  });
  test('--expect accepts an FQDN or a cp_id, refuses anything else', () => {
    assert.deepEqual(parseExpected('expe1.example.com'), { input: 'expe1.example.com', cpId: 'cm-2_s2scp-1.expe1-example-com', fqdn: 'expe1.example.com' });
    assert.deepEqual(parseExpected('CM-3_S2SCP-2.expe1-example-com'), { input: 'CM-3_S2SCP-2.expe1-example-com', cpId: 'cm-3_s2scp-2.expe1-example-com' });
    assert.equal(typeof parseExpected('not a host'), 'string');
    assert.equal(typeof parseExpected(''), 'string');
    assert.equal(typeof parseExpected('-bad.example.com'), 'string');
  });
});

describe('matching the table against --expect', () => {
  const exp = (s: string) => parseExpected(s) as Expected;
  test('exact match, case-insensitive', () => {
    const m = matchNodes([exp('eft-xwye-a.coluc.com')], ['CM-2_S2SCP-1.EFT-XWYE-A-COLUC-COM']);
    assert.equal(m.expected[0]!.matched, true);
    assert.deepEqual(m.unexpected, []);
  });
  test('other index is a near miss, not unexpected', () => {
    const m = matchNodes([exp('expe1.example.com')], ['cm-3_s2scp-1.expe1-example-com']);
    assert.equal(m.expected[0]!.matched, false);
    assert.equal(m.expected[0]!.nearMisses[0]!.kind, 'other-index');
    assert.deepEqual(m.unexpected, []);
  });
  test('other domain, host only, typo', () => {
    assert.equal(nearMiss(exp('expe1.example.com'), 'cm-2_s2scp-1.expe1-example-org')?.kind, 'other-domain');
    assert.equal(nearMiss(exp('expe1.example.com'), 'cm-2_s2scp-1.expe1')?.kind, 'host-only');
    assert.equal(nearMiss(exp('expe1.example.com'), 'cm-2_s2scp-1.expe2-example-com')?.kind, 'typo');
    assert.equal(nearMiss(exp('expe1.example.com'), 'cm-2_s2scp-1.gateway-other-net'), undefined);
  });
  test('unrelated rows are unexpected; several expectations keep their order', () => {
    const m = matchNodes([exp('b.example.com'), exp('a.example.com')], ['cm-2_s2scp-1.a-example-com', 'cm-2_s2scp-1.old-expe-corp-net']);
    assert.deepEqual(m.expected.map((e) => [e.input, e.matched]), [['b.example.com', false], ['a.example.com', true]]);
    assert.deepEqual(m.unexpected, ['cm-2_s2scp-1.old-expe-corp-net']);
  });
});

describe('--sql guard: one plain SELECT', () => {
  // [input, the statement sent]
  const allowed: Array<[string, string]> = [
    ['select * from xmpps2snodes', 'select * from xmpps2snodes'],
    ['SELECT pkid FROM xmpps2snodes;', 'SELECT pkid FROM xmpps2snodes'],
    ['select 1 from x; -- done; really', 'select 1 from x'],
    ['/* lead */ select 1 from t { informix comment; }', 'select 1 from t'],
    ["select name from typeservice where name like '%a;b%'", "select name from typeservice where name like '%a;b%'"],
    ["select name from t where name = 'it''s; drop table x'", "select name from t where name = 'it''s; drop table x'"],
    ["select * from t where note = 'delete me' -- drop", "select * from t where note = 'delete me'"],
    ['select count(*) from processnode', 'select count(*) from processnode'],
    ['select count(*) as n, max(pkid) from t group by cp_id having count(*) > 1 order by 1 desc', 'select count(*) as n, max(pkid) from t group by cp_id having count(*) > 1 order by 1 desc'],
    ["select lower(name), upper(t.x), trim(y) from typeservice t where lower(name) like '%xmpp%' and enum >= 10 and a <> b", "select lower(name), upper(t.x), trim(y) from typeservice t where lower(name) like '%xmpp%' and enum >= 10 and a <> b"],
    ['select first 5 pns.servername, ts.name from processnodeservice as pns, typeservice as ts where ts.enum = pns.tkservice', 'select first 5 pns.servername, ts.name from processnodeservice as pns, typeservice as ts where ts.enum = pns.tkservice'],
    ['select a from t where b in (select c from u) and exists (select 1 from v) or d not in (1, 2.5, 3e2)', 'select a from t where b in (select c from u) and exists (select 1 from v) or d not in (1, 2.5, 3e2)'],
    ['select a from t inner join u on (t.k = u.k) union all select a from w', 'select a from t inner join u on (t.k = u.k) union all select a from w'],
    ["select a || '-' || b from t where c is not null and d between 1 and 2", "select a || '-' || b from t where c is not null and d between 1 and 2"],
    ['select * from t /* a; comment */ where a = 1 {+INDEX(t ix)} order by a', 'select * from t   where a = 1   order by a'],
  ];
  for (const [input, sent] of allowed) {
    test(`allowed: ${JSON.stringify(input)}`, () => {
      const r = checkSelect(input);
      assert.equal(r.reason, undefined, input);
      assert.equal(r.ok, true);
      assert.equal(r.sql, sent);
    });
  }
  // [input, the reason (a pattern)]
  const refused: Array<[string, RegExp]> = [
    ['', /^is empty$/],
    ['   ', /^is empty$/],
    ['select 1 from t; select 2 from t', /exactly one statement/],
    ['select 1 from t; drop table t', /exactly one statement/],
    ['select 1 from t;;', /exactly one statement/],
    ['update xmpps2snodes set cp_id = 1', /one read-only SELECT/],
    ['delete from xmpps2snodes', /one read-only SELECT/],
    ['insert into t values (1)', /one read-only SELECT/],
    ['with x as (select 1) select * from x', /one read-only SELECT/],
    ['-- select\n update t set a=1', /one read-only SELECT/],
    ["execute function task('create database x')", /one read-only SELECT/],
    ["EXECUTE FUNCTION sysadmin:admin('onmode', 'k')", /may not contain ":"/],
    ['call p()', /one read-only SELECT/],
    ['select * from t into temp x', /"INTO" is not allowed/],
    ['select * from t into external x', /"INTO" is not allowed/],
    ["select system('rm -rf /') from t", /"SYSTEM" is not allowed/],
    ['select * from t where a = (execute function f())', /"EXECUTE" is not allowed/],
    ["select task('create dbspace') from t", /may not call task\(\)/],
    ["select admin('onmode', 'k') from t", /may not call admin\(\)/],
    ["select TASK ('x') from t", /may not call task\(\)/],
    ["select /* hi */ task/* there */('x') from t", /may not call task\(\)/],
    ["select sysadmin:task('x') from sysmaster:sysdual", /may not contain ":"/],
    ["select sysadmin.task('x') from t", /owner-qualified routine task\(\)/],
    ["select informix.lower('x') from t", /owner-qualified routine lower\(\)/],
    ['select "task"(1) from t', /quoted routine name/],
    ['select myproc(1) from t', /may not call myproc\(\)/],
    ['select * from table(multiset(select 1 from t))', /may not call table\(\)/],
    ['select * from t@otherserver:db', /may not contain "@"/],
    ['select * from t where a = ?', /may not contain "\?"/],
    ['select col[1,3] from t', /may not contain "\["/],
    ["select * from t where a = 'x\\' or 1=1", /backslash/],
    ['select * from t where a = 1 /* unterminated', /unterminated \/\* comment/],
    ["select * from t where a = 'open", /unterminated string literal/],
    ['select * from t where a = "open', /unterminated quoted literal/],
    ['select * from t where a = 1 { open', /unterminated \{ comment/],
    ['select 1 from t\u0000', /control characters/],
    [`select ${'a,'.repeat(9000)}b from t`, /longer than 16384/],
  ];
  for (const [input, reason] of refused) {
    test(`refused: ${JSON.stringify(input.slice(0, 70))}`, () => {
      const r = checkSelect(input);
      assert.equal(r.ok, false, input);
      assert.equal(r.sql, undefined);
      assert.match(r.reason ?? '', reason);
      assert.ok(!r.reason!.includes('--sql'), 'the reason names no flag');
    });
  }
  test('the allow list is documented in the reason', () => {
    assert.match(checkSelect('select f(1) from t').reason!, /allowed functions: count, sum, min, max, avg, lower, upper, trim/);
  });
});

describe('SOAP envelope', () => {
  test('shape, namespace, sequence, CDATA', () => {
    const b = buildExecuteSqlQuery('select 1 from t where a < 2 & b', '14.0', 42);
    assert.match(b, /^<\?xml version="1.0" encoding="UTF-8"\?><soapenv:Envelope xmlns:soapenv="http:\/\/schemas.xmlsoap.org\/soap\/envelope\/" xmlns:ns="http:\/\/www.cisco.com\/AXL\/API\/14.0">/);
    assert.ok(b.includes('<ns:executeSQLQuery sequence="42"><sql><![CDATA[select 1 from t where a < 2 & b]]></sql></ns:executeSQLQuery>'));
    assert.equal(soapAction('14.0'), '"CUCM:DB ver=14.0 executeSQLQuery"');
  });
  test(']]> inside the SQL cannot close the CDATA section', () => {
    assert.equal(cdata("a]]>b"), '<![CDATA[a]]]]><![CDATA[>b]]>');
  });
});

/** The rows of an answer as plain objects (the parser returns prototype-free ones); throws for a fault. */
function plainRows(a: ReturnType<typeof parseAxlResponse>): Array<Record<string, string>> {
  assert.equal(a.kind, 'rows');
  return a.kind === 'rows' ? a.rows.map((r) => ({ ...r })) : [];
}
const env = (ret: string) =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ns:executeSQLQueryResponse xmlns:ns="http://www.cisco.com/AXL/API/14.0"><return>${ret}</return></ns:executeSQLQueryResponse></soapenv:Body></soapenv:Envelope>`;

describe('AXL response parser', () => {
  test('element names that are Object.prototype members are columns like any other, in prototype-free rows', () => {
    const names = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__'];
    const a = parseAxlResponse(env(`<row>${names.map((n) => `<${n}>${n}-v</${n}>`).join('')}<deep><x>1</x></deep></row>`));
    assert.equal(a.kind, 'rows');
    const row = a.kind === 'rows' ? a.rows[0]! : {};
    assert.equal(Object.getPrototypeOf(row), null);
    assert.deepEqual(Object.keys(row), [...names, 'deep']);
    for (const n of names) assert.equal(row[n], `${n}-v`);
    assert.equal(row.deep, '', 'an element with children has no text');
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });
  test('nesting up to the limit parses, one level more is refused', () => {
    // Envelope, Body, executeSQLQueryResponse, return, row, cp_id: 6 levels before the <a>s.
    const ok = env(`<row><cp_id>${'<a>'.repeat(94)}x${'</a>'.repeat(94)}</cp_id></row>`);
    assert.equal(parseAxlResponse(ok).kind, 'rows');
    const deep = env(`<row><cp_id>${'<a>'.repeat(95)}x${'</a>'.repeat(95)}</cp_id></row>`);
    assert.throws(() => parseAxlResponse(deep), (e: unknown) => e instanceof BadSoapError && e.kind === 'too-deep');
  });
  test('a deep body is refused quickly', () => {
    const t0 = performance.now();
    const body = env(`${'<a>'.repeat(200_000)}${'</a>'.repeat(200_000)}`);
    assert.throws(() => parseAxlResponse(body), (e: unknown) => e instanceof BadSoapError && e.kind === 'too-deep');
    assert.ok(performance.now() - t0 < 2000, `${performance.now() - t0} ms`);
  });
  test('the real TAC 217581 response', () => {
    const a = parseAxlResponse(fx('tac217581-response.xml'));
    assert.deepEqual({ ...a, rows: plainRows(a) }, { kind: 'rows', rows: [{ count: '2' }], sequence: '1563080407841' });
  });
  test('<return/> is zero rows; one row is normalised to an array', () => {
    assert.deepEqual(plainRows(parseAxlResponse(fx('xmpps2snodes-empty.xml'))), []);
    const one = parseAxlResponse(fx('xmpps2snodes-one-row.xml'));
    assert.deepEqual(plainRows(one), [{ pkid: '055c13d9-943d-459d-a3c6-af1d1176936d', cp_id: 'cm-2_s2scp-1.eft-xwye-a-coluc-com' }]);
  });
  test('several rows, other prefixes, entities and empty values', () => {
    const body =
      '<?xml version="1.0"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><axl:executeSQLQueryResponse xmlns:axl="http://www.cisco.com/AXL/API/12.5">' +
      '<return><row><pkid>1</pkid><cp_id>a&amp;b</cp_id></row><row><pkid>2</pkid><cp_id/></row></return></axl:executeSQLQueryResponse></S:Body></S:Envelope>';
    const a = parseAxlResponse(body);
    assert.deepEqual(plainRows(a), [{ pkid: '1', cp_id: 'a&b' }, { pkid: '2', cp_id: '' }]);
  });
  test('the go-axl fault', () => {
    const f = parseAxlResponse(fx('go-axl-fault-239.xml'));
    assert.equal(f.kind, 'fault');
    assert.equal(f.kind === 'fault' && f.axlcode, -239);
    assert.equal(f.kind === 'fault' && f.request, 'addRoutePartition');
    assert.match(f.kind === 'fault' ? f.faultstring : '', /duplicate value/);
  });
  test('DTD, HTML, malformed, not SOAP, empty are refused with a kind', () => {
    const kinds: Array<[string, string]> = [
      ['<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', 'dtd'],
      [fx('tomcat-401.html'), 'html'],
      ['<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><return>', 'malformed'],
      ['<?xml version="1.0"?><status>ok</status>', 'not-soap'],
      ['', 'empty'],
      [env(`<row><cp_id>${'<a>'.repeat(120)}x${'</a>'.repeat(120)}</cp_id></row>`), 'too-deep'],
      [env('<__proto__><cp_id>x</cp_id></__proto__>'), 'not-soap'],
      [env('<row><cp_id>x</cp_id></row><constructor/>'), 'not-soap'],
    ];
    for (const [body, kind] of kinds) {
      assert.throws(() => parseAxlResponse(body), (e: unknown) => e instanceof BadSoapError && e.kind === kind, kind);
    }
  });
  test('599 version list and the best version', () => {
    const list = parseSupportedVersions(fx('tomcat-599-version.html'));
    assert.deepEqual(list, ['12.x', '14.0', '15.0']);
    assert.equal(bestVersion(list), '15.0');
    assert.equal(bestVersion(['10.5', '12.x', '11.5']), '12.0');
    assert.deepEqual(parseSupportedVersions('<html>nothing</html>'), []);
  });
});

describe('--server', () => {
  test('host, host:port, IPv6, URL; http refused', () => {
    assert.equal(parseServer('imp1.example.com').origin, 'https://imp1.example.com:8443');
    assert.equal(parseServer('imp1.example.com:9443').display, 'imp1.example.com:9443');
    assert.equal(parseServer('[::1]:8443').host, '::1');
    assert.equal(parseServer('https://imp1/axl/').path, '/axl/');
    assert.throws(() => parseServer('http://imp1'), /https/);
    assert.throws(() => parseServer('https://u:p@imp1'), /credentials/);
  });
});

describe('bad input is an InputError named by its field, never by a flag', () => {
  const base = { server: 'imp1.example.com', user: 'axlxfed' };
  const cases: Array<[string, Parameters<typeof checkAxlInput>[0], string, string]> = [
    ['empty server', { ...base, server: ' ' }, 'axl.server', 'XFED_AXL_SERVER_MISSING'],
    ['http server', { ...base, server: 'http://imp1' }, 'axl.server', 'XFED_AXL_SERVER_NOT_HTTPS'],
    ['server with credentials', { ...base, server: 'https://u:p@imp1' }, 'axl.server', 'XFED_AXL_SERVER_CREDENTIALS'],
    ['server not a URL', { ...base, server: 'imp 1:x' }, 'axl.server', 'XFED_AXL_SERVER_INVALID'],
    ['no user', { ...base, user: '' }, 'axl.user', 'XFED_AXL_USER_MISSING'],
    ['bad version', { ...base, axlVersion: 'fifteen' }, 'axl.version', 'XFED_AXL_VERSION_INVALID'],
    ['bad expect', { ...base, expect: ['not a host'] }, 'axl.expect', 'XFED_AXL_EXPECT_INVALID'],
    ['empty expect', { ...base, expect: [''] }, 'axl.expect', 'XFED_AXL_EXPECT_INVALID'],
    ['refused sql', { ...base, sql: 'delete from xmpps2snodes' }, 'axl.sql', 'XFED_AXL_SQL_REFUSED'],
  ];
  for (const [name, input, field, code] of cases) {
    test(name, () => {
      let err: unknown;
      try {
        checkAxlInput(input);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof InputError, `${name}: ${String(err)}`);
      assert.equal(err.field, field);
      assert.equal(err.code, code);
      assert.equal(err.exitCode, 2);
      assert.ok(!/--[a-z]/.test(err.problem), err.problem);
      assert.ok(err.message.startsWith(`${field}: `), err.message);
    });
  }
  test('a missing password (axlVerify) is axl.password, before any request', async () => {
    await assert.rejects(axlVerify({ server: '127.0.0.1:9', user: 'u', password: '' }), (e: unknown) => e instanceof InputError && e.field === 'axl.password' && e.code === 'XFED_AXL_PASSWORD_MISSING');
  });
});

describe('emulator SQL and bodies', () => {
  test('projection, aliases, count(*), Informix errors', () => {
    const tables = { xmpps2snodes: [{ pkid: '1', cp_id: 'x' }] };
    assert.deepEqual(runSelect('select * from xmpps2snodes', tables), [{ pkid: '1', cp_id: 'x' }]);
    assert.deepEqual(runSelect('SELECT t.cp_id AS id FROM xmpps2snodes AS t', tables), [{ id: 'x' }]);
    assert.deepEqual(runSelect('select count(*) from xmpps2snodes', tables), [{ count: '1' }]);
    assert.throws(() => runSelect('select * from xmpps2snode', tables), (e: { code: number }) => e.code === -206);
    assert.throws(() => runSelect('select nope from xmpps2snodes', tables), (e: { code: number }) => e.code === -217);
  });
  test('rowsBody reproduces the recorded shapes', () => {
    assert.equal(rowsBody([{ count: '2' }], '8.0', '1563080407841'), fx('tac217581-response.xml'));
    assert.equal(rowsBody([], '15.0', '1563080407842'), fx('xmpps2snodes-empty.xml'));
  });
});
