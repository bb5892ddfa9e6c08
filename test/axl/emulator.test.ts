/**
 * The AXL emulator (real HTTPS on 127.0.0.20) and axlVerify() against each of its failure modes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { TAC_ROW, makeSelfSignedCert, startAxlEmulator, type AxlEmulator } from '../../src/axl/emulator.js';
import { axlVerify, type AxlVerifyOptions } from '../../src/axl/verify.js';
import { FIXTURES } from '../helpers/servers.js';

const HOST = '127.0.0.20';
const PASSWORD = 'Emu-Pass-7f3a9c';
const fx = (name: string) => readFileSync(join(FIXTURES, 'axl', name), 'utf8');

let emu: AxlEmulator;
let tls: { key: string; cert: string };
let agent: Agent;

before(async () => {
  tls = makeSelfSignedCert({ ips: [HOST] });
  emu = await startAxlEmulator({
    host: HOST,
    port: 0,
    tls,
    users: { axluser: PASSWORD, noroles: 'NoRoles-1' },
    forbiddenUsers: ['noroles'],
    versions: ['8.0', '12.5', '14.0'],
    rows: [TAC_ROW],
    tables: {
      processnode: [{ name: 'imp1' }, { name: 'imp2' }],
      processnodeservice: [{ servername: 'imp1', name: 'Cisco XCP XMPP Federation Connection Manager', nameforcontrol: 'Cisco XCP XMPP Federation Connection Manager', isactive: 'f' }],
    },
  });
  agent = new Agent({ connect: { ca: tls.cert } });
});
after(async () => {
  await agent.close();
  await emu.close();
});

const server = () => `${HOST}:${emu.port}`;
const verify = (o: Partial<AxlVerifyOptions> = {}) =>
  axlVerify({ server: server(), user: 'axluser', password: PASSWORD, ca: tls.cert, timeoutMs: 2000, throttleRetryMs: 10, ...o });
const ids = (r: { findings: Array<{ id: string }> }) => r.findings.map((f) => f.id).sort();
/** Rows are prototype-free objects; as plain ones for deepEqual. */
const plain = (rows: object[] | undefined) => (rows ?? []).map((x) => ({ ...x }));

describe('emulator speaks the documented shapes', () => {
  test('the TAC 217581 request gets the recorded TAC 217581 response, byte for byte', async () => {
    emu.setScenario('normal');
    const res = await request(emu.url, {
      dispatcher: agent,
      method: 'POST',
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: '"CUCM:DB ver=8.0 executeSQLQuery"',
        authorization: `Basic ${Buffer.from(`axluser:${PASSWORD}`).toString('base64')}`,
      },
      body: fx('tac217581-request.xml'),
    });
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), fx('tac217581-response.xml'));
  });
  test('401 without credentials, 599 for an unknown version, SOAP fault for a bad envelope', async () => {
    const post = async (headers: Record<string, string>, body: string) => {
      const r = await request(emu.url, { dispatcher: agent, method: 'POST', headers: { 'content-type': 'text/xml', ...headers }, body });
      return { status: r.statusCode, body: await r.body.text() };
    };
    const auth = { authorization: `Basic ${Buffer.from(`axluser:${PASSWORD}`).toString('base64')}` };
    assert.equal((await post({}, fx('tac217581-request.xml'))).status, 401);
    const v = await post({ ...auth, soapaction: '"CUCM:DB ver=15.0 executeSQLQuery"' }, fx('tac217581-request.xml'));
    assert.equal(v.status, 599);
    assert.match(v.body, /Supported axl versions are 8\.0, 12\.5 and 14\.0/);
    const noAction = await post(auth, fx('tac217581-request.xml'));
    assert.equal(noAction.status, 500);
    assert.match(noAction.body, /SOAPAction/);
    // ver=14.0 in SOAPAction but the body's namespace says 8.0
    const mismatch = await post({ ...auth, soapaction: '"CUCM:DB ver=14.0 executeSQLQuery"' }, fx('tac217581-request.xml'));
    assert.equal(mismatch.status, 500);
    assert.match(mismatch.body, /namespace/);
  });
});

describe('axlVerify against the emulator', () => {
  test('one row, expected node: ok; version negotiated from the 599 list', async () => {
    emu.setScenario('normal');
    const r = await verify({ expect: ['EFT-XWYE-A.coluc.com'] });
    assert.deepEqual(ids(r), ['axl.s2snode.ok']);
    assert.equal(r.verdict, 'ok');
    assert.equal(r.data.axl.axlVersion, '14.0');
    assert.deepEqual(r.data.axl.versionsTried, ['15.0', '14.0']);
    assert.deepEqual(plain(r.data.axl.rows), [TAC_ROW]);
  });
  test('one keep-alive connection and one session cookie for several queries', async () => {
    const before = emu.sessions();
    const r = await verify({ all: true, axlVersion: '14.0' });
    assert.equal(r.data.axl.http.requests, 3);
    assert.equal(emu.sessions() - before, 1, 'the JSESSIONIDSSO cookie is re-used');
    const last = emu.requests.slice(-3);
    assert.ok(last[1]!.cookie && last[2]!.cookie);
    assert.ok(last.every((q) => q.soapAction === '"CUCM:DB ver=14.0 executeSQLQuery"' || q.method === 'GET'));
  });
  test('empty table', async () => {
    emu.setRows([]);
    try {
      const r = await verify();
      assert.deepEqual(ids(r), ['axl.s2snode.empty']);
      assert.match(r.findings[0]!.fix, /network\.axl/);
      assert.match(r.findings[0]!.fix, /401/);
    } finally {
      emu.setRows([TAC_ROW]);
    }
  });
  test('several rows: missing with near misses, and unexpected', async () => {
    emu.setRows([
      { pkid: 'a', cp_id: 'cm-2_s2scp-1.expe1-example-org' },
      { pkid: 'b', cp_id: 'cm-2_s2scp-1.expe2-example-com' },
      { pkid: 'c', cp_id: 'cm-2_s2scp-1.stale-expe-corp-net' },
    ]);
    try {
      const r = await verify({ expect: ['expe1.example.com', 'expe2.example.com'] });
      assert.deepEqual(ids(r), ['axl.s2snode.missing', 'axl.s2snode.ok', 'axl.s2snode.unexpected']);
      const missing = r.findings.find((f) => f.id === 'axl.s2snode.missing')!;
      assert.match(missing.detail, /other domain/);
      const unexpected = r.findings.find((f) => f.id === 'axl.s2snode.unexpected')!;
      assert.deepEqual(unexpected.evidence.map((e) => e.value), ['cm-2_s2scp-1.stale-expe-corp-net']);
    } finally {
      emu.setRows([TAC_ROW]);
    }
  });
  test('401 and 403 are axl.auth.failed with the seed fix', async () => {
    const r401 = await verify({ password: 'not-the-password' });
    assert.deepEqual(ids(r401), ['axl.auth.failed']);
    assert.match(r401.findings[0]!.fix, /Standard AXL API Access/);
    assert.match(r401.findings[0]!.fix, /read-only AXL role/);
    assert.match(r401.findings[0]!.fix, /restart the Cisco XCP Router/);
    const r403 = await verify({ user: 'noroles', password: 'NoRoles-1' });
    assert.deepEqual(ids(r403), ['axl.auth.failed']);
    assert.match(r403.findings[0]!.title, /403/);
  });
  test('pinned version refused: axl.version.unsupported with the list, no retry', async () => {
    const r = await verify({ axlVersion: '15.0' });
    assert.deepEqual(ids(r), ['axl.version.unsupported']);
    assert.deepEqual(r.data.axl.supportedVersions, ['8.0', '12.5', '14.0']);
    assert.equal(r.data.axl.http.requests, 1);
  });
  test('every version refused', async () => {
    emu.setScenario('version');
    try {
      const r = await verify();
      assert.deepEqual(ids(r), ['axl.version.unsupported']);
      assert.equal(r.data.axl.http.requests, 2, 'one retry only');
    } finally {
      emu.setScenario('normal');
    }
  });
  test('fault -206: both table spellings tried, explained', async () => {
    emu.setScenario('fault');
    try {
      const r = await verify();
      assert.deepEqual(ids(r), ['axl.fault']);
      assert.match(r.findings[0]!.title, /-206/);
      assert.match(r.findings[0]!.detail, /not an IM and Presence node/);
      assert.equal(r.data.axl.http.requests, 3, '15.0 -> 599, 14.0 -> fault, singular table -> fault');
    } finally {
      emu.setScenario('normal');
    }
  });
  test('server text cannot drive the terminal: control characters are blanked', async () => {
    emu.setScenario('fault');
    emu.setFault({ code: -999, message: 'evil \u001b[2J\u001b[31mred\r\nline' });
    try {
      const r = await verify({ axlVersion: '14.0' });
      assert.deepEqual(ids(r), ['axl.fault']);
      const all = JSON.stringify(r.findings);
      assert.ok(!/\\u001b|\\r|\\n/.test(all), all);
      assert.match(r.findings[0]!.title, /evil {2}\[2J \[31mred +line/);
    } finally {
      emu.setScenario('normal');
    }
  });
  test('--sql: rows of a custom query, and its fault', async () => {
    const r = await verify({ sql: 'select count(*) from processnode' });
    assert.deepEqual(ids(r), ['axl.query.ok']);
    assert.deepEqual(plain(r.data.axl.rows), [{ count: '2' }]);
    const bad = await verify({ sql: 'select nosuch from processnode' });
    assert.deepEqual(ids(bad), ['axl.fault']);
    assert.match(bad.findings[0]!.title, /-217/);
  });
  test('--all: federation service active on IM&P', async () => {
    emu.setTable('processnodeservice', [{ servername: 'imp1', name: 'Cisco XCP XMPP Federation Connection Manager', nameforcontrol: 'x', isactive: 't' }]);
    const r = await verify({ all: true, expect: ['eft-xwye-a.coluc.com'] });
    assert.deepEqual(ids(r), ['axl.federation.imp-enabled', 'axl.s2snode.ok', 'axl.service.ok']);
    emu.setTable('processnodeservice', []);
    const ok = await verify({ all: true });
    assert.ok(ids(ok).includes('axl.federation.ok'));
  });
  for (const [scenario, id, match] of [
    ['throttled', 'axl.throttled', /503/],
    ['html', 'axl.bad-response', /HTML/],
    ['malformed', 'axl.bad-response', /malformed XML/],
    ['not-soap', 'axl.bad-response', /not a SOAP envelope/],
    ['dtd', 'axl.bad-response', /DTD/],
    ['huge', 'axl.bad-response', /larger than/],
    ['truncated', 'axl.bad-response', /cut off/],
    ['reset', 'axl.unreachable', /reset/],
    ['stall', 'axl.unreachable', /timed out/],
    ['stall-body', 'axl.unreachable', /timed out/],
    ['reserved-row', 'axl.bad-response', /<return> holds <__proto__>/],
    ['deep', 'axl.bad-response', /nested deeper than 100 elements/],
  ] as const) {
    test(`${scenario} -> ${id}`, async () => {
      emu.setScenario(scenario);
      try {
        const t0 = Date.now();
        const r = await verify({ timeoutMs: 400, axlVersion: '14.0', maxResponseBytes: 256 * 1024 });
        assert.deepEqual(ids(r), [id]);
        assert.match(r.findings[0]!.title, match);
        assert.ok(Date.now() - t0 < 3000, 'bounded by the timeout');
      } finally {
        emu.setScenario('normal');
      }
    });
  }
  test('columns named __proto__, constructor, prototype are data in prototype-free rows', async () => {
    emu.setScenario('reserved-names');
    try {
      const r = await verify({ axlVersion: '14.0', expect: ['eft-xwye-a.coluc.com'] });
      assert.deepEqual(ids(r), ['axl.s2snode.ok']);
      const row = r.data.axl.rows![0]!;
      assert.equal(Object.getPrototypeOf(row), null);
      assert.deepEqual(Object.keys(row), ['__proto__', 'constructor', 'prototype', 'pkid', 'cp_id']);
      assert.equal(row.constructor, 'c');
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
    } finally {
      emu.setScenario('normal');
    }
  });
  test('plain HTTP on the port: the TLS handshake fails -> axl.unreachable', async () => {
    const plain = createServer((_, res) => res.end('hello'));
    await new Promise<void>((r) => plain.listen(0, HOST, r));
    try {
      const port = (plain.address() as { port: number }).port;
      const r = await axlVerify({ server: `${HOST}:${port}`, user: 'u', password: PASSWORD, timeoutMs: 1000 });
      assert.deepEqual(ids(r), ['axl.unreachable']);
      assert.match(r.findings[0]!.title, /TLS handshake/);
      assert.match(r.findings[0]!.fix, /serves HTTPS/);
    } finally {
      plain.closeAllConnections();
      await new Promise((r) => plain.close(r));
    }
  });
  test('connection refused', async () => {
    const r = await axlVerify({ server: `${HOST}:1`, user: 'u', password: PASSWORD, timeoutMs: 1000 });
    assert.deepEqual(ids(r), ['axl.unreachable']);
    assert.match(r.findings[0]!.title, /refused/);
  });
  test('self-signed without --ca: untrusted, with the certificate as evidence', async () => {
    const sent = emu.requests.length;
    const r = await axlVerify({ server: server(), user: 'axluser', password: PASSWORD, timeoutMs: 2000 });
    assert.deepEqual(ids(r), ['axl.tls.untrusted']);
    assert.ok(r.findings[0]!.evidence.some((e) => e.label === 'certificate.subjectAltName' && e.value.includes(HOST)));
    assert.equal(emu.requests.length, sent, 'no request (and no credentials) went out');
  });
  test('--insecure works but warns', async () => {
    const r = await axlVerify({ server: server(), user: 'axluser', password: PASSWORD, timeoutMs: 2000, insecure: true, axlVersion: '14.0' });
    assert.deepEqual(ids(r), ['axl.s2snode.ok', 'axl.tls.insecure']);
    assert.equal(r.verdict, 'warning');
  });
});
