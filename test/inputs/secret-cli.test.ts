/**
 * The one secret-file rule, through the real CLI, in both places a password file is read:
 * `xfed axl-verify --password-file` and `xfed doctor` with `axl.password_file`, against the
 * AXL emulator (HTTPS on 127.0.0.21, an ephemeral port). The same file contents must give
 * the same outcome in both.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TAC_ROW, makeSelfSignedCert, startAxlEmulator, type AxlEmulator } from '../../src/axl/emulator.js';
import { json, xfed, type CliResult } from '../helpers/cli.js';

const HOST = '127.0.0.21';
const USER = 'axl-inputs';
// Leading and trailing spaces: the whole file is the secret, nothing is trimmed but one line ending.
const PASSWORD = ' In puts-pw 7 ';
const dir = mkdtempSync(join(tmpdir(), 'xfed-inputs-cli-'));
let emu: AxlEmulator;
let caFile: string;

before(async () => {
  const tls = makeSelfSignedCert({ ips: [HOST] });
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, tls.cert);
  emu = await startAxlEmulator({ host: HOST, port: 0, tls, users: { [USER]: PASSWORD }, rows: [TAC_ROW], versions: ['15.0'] });
});
after(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

const NO_ENV = { XFED_AXL_PASSWORD: undefined, XFED_PIPE_WAIT_MS: '500' };

function axlVerify(pwFile: string, input?: string): Promise<CliResult> {
  return xfed(['axl-verify', '--server', `${HOST}:${emu.port}`, '--user', USER, '--ca', caFile, '--timeout', '3000', '--password-file', pwFile, '--json'], { env: NO_ENV, ...(input !== undefined ? { input } : {}) });
}

function doctor(name: string, pwFile: string): Promise<CliResult> {
  const cfg = join(dir, `${name}.yaml`);
  writeFileSync(cfg, ['axl:', `  server: "${HOST}:${emu.port}"`, `  user: ${USER}`, `  password_file: ${JSON.stringify(pwFile)}`, `  ca: ${JSON.stringify(caFile)}`, 'timeouts: { axl: 3000 }', ''].join('\n'));
  return xfed(['doctor', '--config', cfg, '--json'], { env: NO_ENV });
}

const CASES: Array<{ name: string; content: string; ok: boolean; problem?: RegExp; auth?: boolean }> = [
  { name: 'lf', content: `${PASSWORD}\n`, ok: true },
  { name: 'crlf', content: `${PASSWORD}\r\n`, ok: true },
  { name: 'bare', content: PASSWORD, ok: true },
  { name: 'bom', content: `\uFEFF${PASSWORD}\n`, ok: true },
  { name: 'empty', content: '', ok: false, problem: /: the file is empty$/ },
  { name: 'newline-only', content: '\n', ok: false, problem: /: the file is empty$/ },
  // Only ONE line ending is removed: the rest is part of the secret, so these are wrong passwords (exit 1).
  { name: 'two-line-endings', content: `${PASSWORD}\n\n`, ok: false, auth: true },
  { name: 'second-line', content: `${PASSWORD}\n# a comment\n`, ok: false, auth: true },
];

describe('the secret-file rule is the same in axl-verify and doctor', { concurrency: 4 }, () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const f = join(dir, `pw-${c.name}`);
      writeFileSync(f, c.content);
      const [a, d] = await Promise.all([axlVerify(f), doctor(c.name, f)]);
      for (const [who, r] of [['axl-verify', a], ['doctor', d]] as const) {
        assert.ok(!r.stdout.includes(PASSWORD.trim()) && !r.stderr.includes(PASSWORD.trim()), `${who}: the password never shows`);
        assert.ok(!/\n\s+at /.test(r.stderr), `${who}: no stack trace`);
      }
      if (c.ok) {
        assert.equal(a.code, 0, `axl-verify: ${a.stderr}${a.stdout}`);
        assert.equal(d.code, 0, `doctor: ${d.stderr}${d.stdout}`);
      } else if (c.auth) {
        assert.equal(a.code, 1, a.stderr);
        assert.equal(d.code, 1, d.stderr);
        assert.deepEqual(json(a).targets[0].findings.map((f: { id: string }) => f.id), ['axl.auth.failed']);
        assert.ok(json(d).targets.some((t: { findings: Array<{ id: string }> }) => t.findings.some((f) => f.id === 'axl.auth.failed')));
      } else {
        assert.equal(a.code, 2, a.stdout);
        assert.equal(d.code, 2, d.stdout);
        assert.match(a.stderr, new RegExp(`^xfed: --password-file ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${c.problem!.source.replace(/^\^/, '')}`, 'm'));
        assert.match(d.stderr, new RegExp(`^xfed: axl\\.password_file ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${c.problem!.source.replace(/^\^/, '')}`, 'm'));
        assert.equal(a.stderr.trim().split('\n').length, 1, a.stderr);
        assert.equal(d.stderr.trim().split('\n').length, 1, d.stderr);
      }
    });
  }

  test('"-", /dev/stdin (a pipe from the shell) and a named pipe with a writer', async () => {
    const [dash, devStdin] = await Promise.all([axlVerify('-', `${PASSWORD}\n`), axlVerify('/dev/stdin', `${PASSWORD}\r\n`)]);
    assert.equal(dash.code, 0, dash.stderr);
    assert.equal(devStdin.code, 0, devStdin.stderr);
    const p = join(dir, 'pw-fifo');
    execFileSync('mkfifo', [p]);
    const run = axlVerify(p);
    // The writer comes after xfed has started waiting.
    await new Promise((r) => setTimeout(r, 200));
    execFileSync('sh', ['-c', `printf '%s\\n' '${PASSWORD}' > '${p}'`]);
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
  });

  test('a named pipe nobody writes to: exit 2 in both, "nothing writes to this pipe"', async () => {
    const p = join(dir, 'pw-fifo-silent');
    execFileSync('mkfifo', [p]);
    const [a, d] = await Promise.all([axlVerify(p), doctor('fifo-silent', p)]);
    assert.equal(a.code, 2, a.stderr);
    assert.equal(d.code, 2, d.stderr);
    assert.match(a.stderr, /^xfed: --password-file .*pw-fifo-silent: nothing writes to this pipe \(waited 0\.5 s\)\n$/);
    assert.match(d.stderr, /^xfed: axl\.password_file .*pw-fifo-silent: nothing writes to this pipe \(waited 0\.5 s\)\n$/);
    assert.ok(a.ms < 5000 && d.ms < 5000, `${a.ms} ms, ${d.ms} ms`);
  });
});
