/**
 * Hostile local input: logs, archives, configs, rules files and special files generated here.
 * Every case runs the real CLI as a subprocess with a small heap (so a memory blow-up crashes
 * the run and fails the test) and asserts the exit code, a bound on time, one line on stderr
 * and no stack trace.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, createWriteStream, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import tar from 'tar-stream';
import { diagnose } from '../../src/diagnose/index.js';
import { json, xfed, type CliResult } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'xfed-hostile-local-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A heap this small makes any unbounded buffering crash the run (exit 134) instead of passing. */
const SMALL_HEAP = { NODE_OPTIONS: '--max-old-space-size=96' };
const LINE = '2026-11-24T10:00:00.000+00:00 prosody s2sout: a repeated line that compresses very well indeed\n';

function run(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): Promise<CliResult> {
  return xfed(args, { env: { ...SMALL_HEAP, ...env }, timeoutMs });
}

/** Exit 2 with exactly one `xfed: ` line on stderr and nothing on stdout. */
function usageLine(r: CliResult, re: RegExp): void {
  assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}${r.stdout.slice(0, 500)}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^xfed: [^\n]*\n$/, r.stderr.slice(0, 500));
  assert.match(r.stderr, re);
}

function noCrash(r: CliResult): void {
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr.slice(0, 500)}`);
  assert.ok(!/\n\s+at /.test(r.stderr), r.stderr.slice(0, 500));
}

async function gzipFile(path: string, chunk: string, times: number): Promise<void> {
  const buf = Buffer.from(chunk.repeat(Math.ceil((1024 * 1024) / chunk.length)));
  await pipeline(
    Readable.from((function* () {
      for (let i = 0; i < times; i++) yield buf;
    })()),
    createGzip({ level: 9 }),
    createWriteStream(path),
  );
}

const ids = (r: CliResult) => (json(r).targets[0].findings as Array<{ id: string }>).map((f) => f.id).sort();

let bomb: string;
before(async () => {
  bomb = join(dir, 'bomb.log.gz');
  await gzipFile(bomb, LINE, 512); // 512 MiB of log lines in well under 2 MiB
});

describe('hostile logs and archives', { concurrency: 4 }, () => {
  test('a gzip bomb: read up to the cap, reported as diagnose.input.decompression-capped, bounded in time and memory', async () => {
    assert.ok(statSync(bomb).size < 4 * 1024 * 1024);
    const r = await run(['diagnose', bomb, '--json']);
    noCrash(r);
    assert.ok(r.ms < 15_000, `${r.ms} ms`);
    assert.deepEqual(ids(r), ['diagnose.input.decompression-capped', 'diagnose.no-match']);
    const bytes = json(r).targets[0].data.diagnose.totals.bytes as number;
    assert.ok(bytes <= 20 * 1024 * 1024, `read ${bytes} bytes`);
  });

  test('the total-bytes cap across inputs (run with a small cap through the API)', async () => {
    const a = join(dir, 'a.log.gz');
    const b = join(dir, 'b.log.gz');
    writeFileSync(a, gzipSync(LINE.repeat(20_000)));
    writeFileSync(b, gzipSync(LINE.repeat(20_000)));
    const [t] = await diagnose({ paths: [a, b], decompression: { maxBytes: 3 * 1024 * 1024 } });
    assert.deepEqual(t!.findings.map((f) => f.id).sort(), ['diagnose.input.decompression-capped', 'diagnose.no-match']);
    assert.match(String(t!.findings.find((f) => f.id === 'diagnose.input.decompression-capped')!.evidence[0]!.value), /more than 3\.0 MiB in all/);
  });

  test('a tar bundle with odd and huge member names, a path escape, a symlink and a bomb inside', async () => {
    const p = tar.pack();
    const file = join(dir, 'odd.tar');
    const done = pipeline(p, createWriteStream(file));
    const bombInside = gzipSync(Buffer.from(LINE.repeat(400_000)), { level: 9 }); // ~37 MiB of lines
    p.entry({ name: 'esc\u001b]0;owned\u0007\nnext::error::x.log' }, LINE);
    p.entry({ name: `${'d/'.repeat(2000)}long.log` }, LINE);
    p.entry({ name: '../../../etc/passwd' }, LINE);
    p.entry({ name: 'link', type: 'symlink', linkname: '/etc/shadow' });
    p.entry({ name: 'nested/bomb.log.gz' }, bombInside);
    p.finalize();
    await done;
    const r = await run(['diagnose', file, '--json']);
    noCrash(r);
    assert.ok(r.ms < 15_000, `${r.ms} ms`);
    assert.deepEqual(ids(r), ['diagnose.input.decompression-capped', 'diagnose.no-match']);
    // Nothing outside the bundle was read: only its members are inputs.
    assert.ok((json(r).targets[0].data.diagnose.inputs as Array<{ source: string }>).every((i) => i.source.startsWith(`${file}!`)));
  });

  test('a named pipe nobody writes to: exit 2, "nothing writes to this pipe", in bounded time', async () => {
    const f = join(dir, 'fifo-silent');
    execFileSync('mkfifo', [f]);
    const r = await run(['diagnose', f], { XFED_PIPE_WAIT_MS: '800' });
    usageLine(r, /^xfed: input .*fifo-silent: nothing writes to this pipe \(waited 0\.8 s\)\n$/);
    assert.ok(r.ms < 5_000, `${r.ms} ms`);
  });

  test('diagnose <(…): a pipe with a writer is read', async () => {
    const f = join(dir, 'fifo-written');
    execFileSync('mkfifo', [f]);
    const running = run(['diagnose', f, '--json'], { XFED_PIPE_WAIT_MS: '10000' });
    setTimeout(() => execFileSync('sh', ['-c', `printf '%s' '${LINE}' > '${f}'`]), 300);
    const r = await running;
    noCrash(r);
    assert.equal(json(r).targets[0].data.diagnose.totals.lines, 1);
  });

  test('a named pipe nobody writes to in doctor logs: the diagnose check fails (exit 1), the run ends', async () => {
    const f = join(dir, 'fifo-doctor');
    execFileSync('mkfifo', [f]);
    const cfg = join(dir, 'fifo-doctor.yaml');
    writeFileSync(cfg, `logs: ["${f}"]\n`);
    const r = await run(['doctor', '--config', cfg, '--json'], { XFED_PIPE_WAIT_MS: '800' });
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.ms < 5_000, `${r.ms} ms`);
    const t = json(r).targets[0];
    assert.deepEqual(t.findings.map((x: { id: string }) => x.id), ['doctor.check.failed']);
    assert.match(t.findings[0].title, /fifo-doctor: nothing writes to this pipe \(waited 0\.8 s\)$/);
  });

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    test(`${sig} while waiting on a pipe: exit 130 at once`, async () => {
      const f = join(dir, `fifo-${sig}`);
      execFileSync('mkfifo', [f]);
      const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'xfed.js'), 'diagnose', f], { env: { ...process.env, XFED_PIPE_WAIT_MS: '60000' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      // Signal it once it waits on the pipe (it has the FIFO open), however slow its start-up was.
      await waitForOpenFile(child.pid!, f);
      const t0 = Date.now();
      child.kill(sig);
      const code = await new Promise<number | null>((r) => child.on('close', r));
      assert.equal(code, 130, stderr);
      assert.ok(Date.now() - t0 < 2_000);
      assert.ok(!/\n\s+at /.test(stderr));
    });
  }

  test('sockets and devices are refused with exit 2 (diagnose, and doctor logs)', async () => {
    const sock = join(dir, 'x.sock');
    const srv = createServer().listen(sock);
    await new Promise((r) => srv.once('listening', r));
    try {
      const cfg = join(dir, 'sock.yaml');
      writeFileSync(cfg, `logs: ["${sock}"]\n`);
      const [a, b, c] = await Promise.all([run(['diagnose', sock]), run(['diagnose', '/dev/zero']), run(['doctor', '--config', cfg])]);
      usageLine(a, /^xfed: input .*x\.sock: a socket: xfed reads files and pipes only\n$/);
      usageLine(b, /^xfed: input \/dev\/zero: a device: xfed reads files and pipes only\n$/);
      usageLine(c, /^xfed: logs .*x\.sock: a socket: xfed reads files and pipes only\n$/);
    } finally {
      srv.close();
    }
  });
});

const ALIAS_BOMB = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${new Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)];

describe('hostile configs and rules files', { concurrency: 4 }, () => {
  test('a YAML alias bomb in --rules: exit 2, not 3', async () => {
    const f = join(dir, 'bomb-rules.yaml');
    writeFileSync(f, [...ALIAS_BOMB, 'rules: *i', ''].join('\n'));
    const r = await run(['diagnose', '--rules', f, '-'], {}, 10_000);
    usageLine(r, /^xfed: rules file .*bomb-rules\.yaml: YAML aliases expand too much/);
    assert.ok(r.ms < 5_000, `${r.ms} ms`);
  });

  test('a YAML alias bomb in the doctor config: exit 2', async () => {
    const f = join(dir, 'bomb-config.yaml');
    writeFileSync(f, ['x-bomb:', ...ALIAS_BOMB.map((l) => `  ${l}`), 'logs: *i', ''].join('\n'));
    const r = await run(['doctor', '--config', f], {}, 10_000);
    usageLine(r, /^xfed: config .*bomb-config\.yaml line \d+: /);
    assert.ok(r.ms < 5_000, `${r.ms} ms`);
  });

  test('a config key of 1 MB: exit 2 fast, the key shortened in the message', async () => {
    // JSON (doctor reads it as YAML 1.2): YAML itself refuses implicit keys over 1024 characters.
    const f = join(dir, 'huge-key.json');
    writeFileSync(f, `{"${'k'.repeat(1_000_000)}": 1}\n`);
    const r = await run(['doctor', '--config', f], {}, 10_000);
    usageLine(r, /^xfed: config .*huge-key\.json line 1: k{40}…\(1000000 characters\): unknown key/);
    assert.ok(r.stderr.length < 400, `${r.stderr.length} characters`);
    // 0.4 s on an idle machine (15 s before the fix); the bound leaves room for a loaded CI machine.
    assert.ok(r.ms < 5_000, `${r.ms} ms`);
  });

  test('a config and a rules file over 1 MiB: exit 2', async () => {
    const cfg = join(dir, 'big.yaml');
    const rules = join(dir, 'big-rules.yaml');
    writeFileSync(cfg, `# ${'x'.repeat(1024 * 1024)}\nlogs: [a]\n`);
    writeFileSync(rules, `# ${'x'.repeat(1024 * 1024)}\nrules: []\n`);
    const [a, b] = await Promise.all([run(['doctor', '--config', cfg]), run(['diagnose', '--rules', rules, '-'])]);
    usageLine(a, /^xfed: config .*big\.yaml: larger than 1 MiB\n$/);
    usageLine(b, /^xfed: rules file .*big-rules\.yaml: larger than 1 MiB\n$/);
  });
});

describe('files and usage errors', { concurrency: 4 }, () => {
  test('a mistyped option never echoes its value', async () => {
    const runs = await Promise.all([
      run(['axl-verify', '--passwrod=hunter2-secret']),
      run(['--passwrod=hunter2-secret', 'probe', 'a.example']),
      run(['probe', 'a.example', '--secret=hunter2-secret']),
      run(['axl-verify', '--password=hunter2-secret', '--server', 'imp.example', '--user', 'u']),
    ]);
    for (const r of runs) {
      assert.equal(r.code, 2, r.stderr);
      assert.ok(!r.stderr.includes('hunter2') && !r.stdout.includes('hunter2'), r.stderr);
      assert.match(r.stderr, /^xfed: /);
    }
  });

  test('an existing --transcript file is rewritten with mode 0600', async () => {
    const srv = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise((r) => srv.close(r)); // nothing listens there now: the probe is refused at once
    const t = join(dir, 'transcript.txt');
    writeFileSync(t, 'old\n');
    chmodSync(t, 0o644);
    const r = await run(['probe', 'a.example', '--host', '127.0.0.1', '--port', String(port), '--no-dialback', '--timeout', '1000', '--transcript', t]);
    noCrash(r);
    assert.equal(statSync(t).mode & 0o777, 0o600);
  });
});

/** Resolves once process `pid` has `file` open (Linux /proc), or after 15 s. */
async function waitForOpenFile(pid: number, file: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      if (readdirSync(`/proc/${pid}/fd`).some((fd) => readlinkOr(`/proc/${pid}/fd/${fd}`) === file)) return;
    } catch {
      // not started yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

function readlinkOr(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}
