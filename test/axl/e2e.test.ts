/**
 * `xfed axl-verify` end to end: bin/xfed against the AXL emulator on 127.0.0.21 (and
 * 127.0.0.22 for a certificate with the wrong name). Every finding id, exit codes, JSON,
 * and the password never appearing anywhere.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TAC_ROW, makeSelfSignedCert, startAxlEmulator, type AxlEmulator, type AxlEmulatorOptions } from '../../src/axl/emulator.js';
import { ROOT, XFED_BIN } from '../helpers/servers.js';

const HOST = '127.0.0.21';
const USER = 'axlxfed';
const PASSWORD = 'S3cr3t-AXL-pw-e2e!';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');

let emu: AxlEmulator;
let wrongName: AxlEmulator;
let tls: { key: string; cert: string };
const extra: AxlEmulator[] = [];
const FED_ROW = { servername: 'imp1', name: 'Cisco XCP XMPP Federation Connection Manager', nameforcontrol: 'x', isactive: 'f' };

/** A fresh emulator for one test (tests run concurrently; the shared one is never re-configured). */
async function emulator(o: Partial<AxlEmulatorOptions> = {}): Promise<{ emu: AxlEmulator; args: string[] }> {
  const e = await startAxlEmulator({
    host: HOST,
    port: 0,
    tls,
    users: { [USER]: PASSWORD },
    versions: ['12.5', '14.0'],
    rows: [TAC_ROW],
    tables: { processnodeservice: [FED_ROW] },
    ...o,
  });
  extra.push(e);
  return { emu: e, args: ['axl-verify', '--server', `${HOST}:${e.port}`, '--user', USER, '--ca', caFile, '--timeout', '1500'] };
}
let dir: string;
let caFile: string;
let wrongCaFile: string;
const outputs: string[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  json?: { exitCode: number; targets: Array<{ verdict: string; findings: Array<{ id: string; severity: string; title: string; fix: string }>; data: Record<string, unknown> }> };
}

function xfed(args: string[], opts: { env?: Record<string, string | undefined>; input?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', XFED_AXL_PASSWORD: PASSWORD, ...opts.env };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const child = spawn(process.execPath, [XFED_BIN, ...args], { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      outputs.push(stdout, stderr);
      const r: Run = { code, stdout, stderr };
      if (args.includes('--json') && stdout.trim()) r.json = JSON.parse(stdout) as NonNullable<Run['json']>;
      resolve(r);
    });
    child.stdin.end(opts.input ?? '');
  });
}

const server = () => `${HOST}:${emu.port}`;
const base = () => ['axl-verify', '--server', server(), '--user', USER, '--ca', caFile, '--timeout', '1500'];
const ids = (r: Run) => (r.json?.targets[0]?.findings ?? []).map((f) => f.id).sort();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xfed-axl-e2e-'));
  tls = makeSelfSignedCert({ ips: [HOST] });
  caFile = join(dir, 'imp-ca.pem');
  writeFileSync(caFile, tls.cert);
  emu = (await emulator()).emu;
  const other = makeSelfSignedCert({ dns: ['imp.other.test'] });
  wrongCaFile = join(dir, 'other-ca.pem');
  writeFileSync(wrongCaFile, other.cert);
  wrongName = await startAxlEmulator({ host: '127.0.0.22', port: 0, tls: other, users: { [USER]: PASSWORD } });
});

after(async () => {
  await wrongName.close();
  await Promise.all(extra.map((e) => e.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('xfed axl-verify findings', { concurrency: 4 }, () => {
  test('axl.s2snode.ok: exit 0, JSON facts, human table', async () => {
    const r = await xfed([...base(), '--expect', 'eft-xwye-a.coluc.com', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ids(r), ['axl.s2snode.ok']);
    const d = (r.json!.targets[0]!.data as { axl: { axlVersion: string; rows: unknown[]; table: string } }).axl;
    assert.deepEqual(Object.keys(r.json!.targets[0]!.data), ['axl'], 'the facts sit under data.axl');
    assert.equal(d.axlVersion, '14.0');
    assert.equal(d.table, 'xmpps2snodes');
    assert.deepEqual(d.rows, [TAC_ROW]);
    const h = await xfed([...base(), '--expect', 'eft-xwye-a.coluc.com']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^OK {2}127\.0\.0\.21:\d+/);
    assert.match(h.stdout, /cm-2_s2scp-1\.eft-xwye-a-coluc-com\s+= eft-xwye-a\.coluc\.com/);
    assert.match(h.stdout, /AXL 14\.0 \(tried 15\.0, 14\.0\)/);
  });
  test('axl.s2snode.missing and axl.s2snode.unexpected', async () => {
    const r = await xfed([...base(), '--expect', 'expe1.example.com', '--json']);
    assert.equal(r.code, 1);
    assert.deepEqual(ids(r), ['axl.s2snode.missing', 'axl.s2snode.unexpected']);
  });
  test('axl.s2snode.empty', async () => {
    const { args } = await emulator({ rows: [] });
    const r = await xfed([...args, '--json']);
    assert.equal(r.code, 1);
    assert.deepEqual(ids(r), ['axl.s2snode.empty']);
  });
  test('axl.auth.failed: human output carries the seed fix', async () => {
    const r = await xfed(base(), { env: { XFED_AXL_PASSWORD: 'wrong-password-1' } });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /ERROR axl\.auth\.failed/);
    assert.match(r.stdout, /Standard AXL API Access/);
    assert.match(r.stdout.replace(/\s+/g, ' '), /restart the Cisco XCP Router service on IM&P/);
  });
  test('axl.version.unsupported (pinned version)', async () => {
    const r = await xfed([...base(), '--axl-version', '15.0', '--json']);
    assert.equal(r.code, 1);
    assert.deepEqual(ids(r), ['axl.version.unsupported']);
    assert.match(r.json!.targets[0]!.findings[0]!.fix, /--axl-version 14\.0/);
  });
  test('axl.fault', async () => {
    const r = await xfed([...base(), '--sql', "select cp_id from xmpps2snode where cp_id like '%;%'", '--json']);
    assert.equal(r.code, 1);
    assert.deepEqual(ids(r), ['axl.fault']);
    assert.match(r.json!.targets[0]!.findings[0]!.title, /-206/);
  });
  test('axl.query.ok', async () => {
    const r = await xfed([...base(), '--sql', 'SELECT cp_id FROM xmpps2snodes;', '--json']);
    assert.equal(r.code, 0);
    assert.deepEqual(ids(r), ['axl.query.ok']);
    assert.deepEqual((r.json!.targets[0]!.data.axl as { rows: unknown[] }).rows, [{ cp_id: TAC_ROW.cp_id }]);
  });
  test('--all: axl.federation.imp-enabled, axl.federation.ok, axl.federation.unchecked, axl.service.ok', async () => {
    const active = await emulator({ tables: { processnodeservice: [{ ...FED_ROW, isactive: 't' }] } });
    const none = await emulator({ tables: {} });
    const [on, off, unk, strict] = await Promise.all([
      xfed([...active.args, '--all', '--json']),
      xfed([...base(), '--all', '--json']),
      xfed([...none.args, '--all', '--json']),
      xfed([...none.args, '--all', '--json', '--strict']),
    ]);
    assert.equal(on.code, 1);
    assert.deepEqual(ids(on), ['axl.federation.imp-enabled', 'axl.s2snode.ok', 'axl.service.ok']);
    assert.equal(off.code, 0);
    assert.deepEqual(ids(off), ['axl.federation.ok', 'axl.s2snode.ok', 'axl.service.ok']);
    assert.equal(unk.code, 0);
    assert.deepEqual(ids(unk), ['axl.federation.unchecked', 'axl.s2snode.ok', 'axl.service.ok']);
    assert.equal(strict.code, 1);
  });
  for (const [scenario, id] of [
    ['throttled', 'axl.throttled'],
    ['html', 'axl.bad-response'],
    ['dtd', 'axl.bad-response'],
    ['huge', 'axl.bad-response'],
    ['stall', 'axl.unreachable'],
    ['reserved-row', 'axl.bad-response'],
    ['deep', 'axl.bad-response'],
  ] as const) {
    test(`${scenario}: ${id}`, async () => {
      const { args } = await emulator({ scenario });
      const t0 = Date.now();
      const r = await xfed([...args, '--timeout', '500', '--json']);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(ids(r), [id]);
      assert.equal(r.stderr, '');
      assert.ok(Date.now() - t0 < 10_000, 'bounded');
    });
  }
  test('columns named __proto__, constructor, prototype: read as data, exit 0, no crash', async () => {
    const { args } = await emulator({ scenario: 'reserved-names' });
    const t0 = Date.now();
    const [r, h] = await Promise.all([xfed([...args, '--expect', 'eft-xwye-a.coluc.com', '--json']), xfed([...args, '--sql', 'select * from xmpps2snodes'])]);
    assert.ok(Date.now() - t0 < 10_000, 'bounded');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ids(r), ['axl.s2snode.ok']);
    const row = (r.json!.targets[0]!.data.axl as { rows: Array<Record<string, string>> }).rows[0]!;
    assert.equal(row.cp_id, TAC_ROW.cp_id);
    assert.equal(row.constructor, 'c');
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /CONSTRUCTOR/);
  });
  test('axl.unreachable: connection refused', async () => {
    const r = await xfed(['axl-verify', '--server', `${HOST}:1`, '--user', USER, '--json']);
    assert.equal(r.code, 1);
    assert.deepEqual(ids(r), ['axl.unreachable']);
  });
  test('axl.tls.untrusted without --ca', async () => {
    const r = await xfed(['axl-verify', '--server', server(), '--user', USER, '--json']);
    assert.equal(r.code, 1);
    assert.deepEqual(ids(r), ['axl.tls.untrusted']);
  });
  test('axl.tls.name-mismatch: trusted certificate for another name', async () => {
    const r = await xfed(['axl-verify', '--server', `127.0.0.22:${wrongName.port}`, '--user', USER, '--ca', wrongCaFile, '--json']);
    assert.equal(r.code, 1);
    assert.deepEqual(ids(r), ['axl.tls.name-mismatch']);
  });
  test('axl.tls.insecure: warning, loud on stderr, exit 0 (1 with --strict)', async () => {
    const args = ['axl-verify', '--server', server(), '--user', USER, '--insecure'];
    const r = await xfed(args);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /WARNING: --insecure/);
    assert.match(r.stdout, /WARN\s+axl\.tls\.insecure/);
    assert.equal((await xfed([...args, '--strict'])).code, 1);
  });
});

describe('xfed axl-verify input handling', { concurrency: 4 }, () => {
  test('--password on argv is refused (exit 2), without echoing it', async () => {
    const { emu: own, args: a } = await emulator();
    for (const args of [[...a, '--password', PASSWORD], [...a, `--password=${PASSWORD}`]]) {
      const r = await xfed(args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^xfed: --password is refused/);
    }
    assert.equal(own.requests.length, 0, 'nothing was sent');
  });
  test('--sql that is not one SELECT: exit 2 before any request', async () => {
    const { emu: own, args } = await emulator();
    const sqls = [
      'select 1 from t; delete from xmpps2snodes',
      'delete from xmpps2snodes',
      'select * from t into temp x',
      "select 'x",
      "select task('create database x') from t",
      "select sysadmin:admin('onmode', 'k') from sysmaster:sysdual",
      "execute function task('x')",
      'select myproc(1) from xmpps2snodes',
    ];
    const runs = await Promise.all(sqls.map((sql) => xfed([...args, '--sql', sql])));
    for (const [i, r] of runs.entries()) {
      assert.equal(r.code, 2, sqls[i]);
      assert.match(r.stderr, /^xfed: --sql/);
    }
    assert.equal(own.requests.length, 0, 'nothing was sent');
  });
  test('no password and no terminal: exit 2 with the ways to give one', async () => {
    const r = await xfed(base(), { env: { XFED_AXL_PASSWORD: undefined } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /XFED_AXL_PASSWORD/);
  });
  test('--password-file <file> and --password-file - (stdin)', async () => {
    const pf = join(dir, 'pw');
    writeFileSync(pf, `${PASSWORD}\n`);
    const [f, s, missing] = await Promise.all([
      xfed([...base(), '--password-file', pf], { env: { XFED_AXL_PASSWORD: undefined } }),
      xfed([...base(), '--password-file', '-'], { env: { XFED_AXL_PASSWORD: undefined }, input: `${PASSWORD}\r\n` }),
      xfed([...base(), '--password-file', join(dir, 'nope')]),
    ]);
    assert.equal(f.code, 0, f.stdout + f.stderr);
    assert.equal(s.code, 0, s.stdout + s.stderr);
    assert.equal(missing.code, 2);
  });
  test('bad --expect, --axl-version, --server, --ca: exit 2', async () => {
    const runs = await Promise.all([
      xfed([...base(), '--expect', 'not a host']),
      xfed([...base(), '--axl-version', 'fifteen']),
      xfed(['axl-verify', '--server', 'http://imp', '--user', USER]),
      xfed(['axl-verify', '--server', server(), '--user', USER, '--ca', join(dir, 'none.pem')]),
      xfed(['axl-verify', '--user', USER]),
      xfed(['axl-verify', '--server', server(), '--user', USER, '--ca', caFile, '--insecure']),
      // checked before any password is asked for
      xfed([...base(), '--axl-version', '15'], { env: { XFED_AXL_PASSWORD: undefined } }),
    ]);
    assert.match(runs.at(-1)!.stderr, /--axl-version/);
    for (const r of runs) {
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^xfed: /);
      assert.equal(r.stdout, '');
    }
  });
});

describe('hidden prompt on a terminal', () => {
  const hasScript = spawnSync('sh', ['-c', 'command -v script'], { stdio: 'ignore' }).status === 0;
  test('the password typed at the prompt is not echoed and is used', { skip: hasScript ? false : 'util-linux script(1) is not installed' }, async () => {
    // script(1) gives xfed a real pty; the password is typed after the prompt has switched it to raw mode.
    const cmd = `stty cols 100 rows 30; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(XFED_BIN)} ${base().map((a) => JSON.stringify(a)).join(' ')} --no-color`;
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.XFED_AXL_PASSWORD;
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let typed = false;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!typed && out.includes('AXL password for')) {
          typed = true;
          setTimeout(() => child.stdin.write(`${PASSWORD}\r`), 200);
        }
      });
      child.on('close', (code) => {
        outputs.push(out);
        resolve({ code, out });
      });
    });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /AXL password for axlxfed@/);
    assert.match(r.out, /OK {2}127\.0\.0\.21/);
  });
});

describe('the password never appears', () => {
  test('in human, JSON, verbose, error and usage output', async () => {
    // Everything above ran with the same password; add verbose runs of the risky paths.
    await xfed([...base(), '--verbose', '--all']);
    await xfed([...base(), '--verbose', '--json'], { env: { XFED_AXL_PASSWORD: PASSWORD } });
    const { args } = await emulator({ scenario: 'unauthorized' });
    await Promise.all([
      xfed([...args, '--verbose']),
      xfed([...args, '--verbose', '--json']),
      xfed(['axl-verify', '--server', `${HOST}:1`, '--user', USER, '--verbose']),
      xfed([...base(), '--verbose', '--password-file', '-'], { input: PASSWORD }),
      xfed([...base(), '--verbose', '--password', PASSWORD]),
    ]);
    assert.ok(outputs.length > 40);
    for (const o of outputs) {
      assert.ok(!o.includes(PASSWORD), `password leaked in: ${o.slice(0, 200)}`);
      assert.ok(!o.includes(BASIC), 'Basic credentials leaked');
    }
  });
});
