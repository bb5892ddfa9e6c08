/**
 * Ctrl-C (issue 13): the command stops, reports what it gathered so far, prints an
 * "interrupted" line on stderr and exits 130. A resolver on loopback (ephemeral port) answers
 * NXDOMAIN at once for names with "fast" and never for the others, so that some targets are
 * done and others still running when SIGINT arrives.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { schemaErrors } from '../doctor/schema.js';
import { XFED_BIN } from '../helpers/servers.js';

const dir = mkdtempSync(join(tmpdir(), 'xfed-interrupt-'));
let resolver: dgram.Socket;
let port = 0;

before(async () => {
  resolver = dgram.createSocket('udp4');
  resolver.on('message', (m, r) => {
    if (!m.toString('latin1').includes('fast')) return;
    const b = Buffer.from(m);
    b[2]! |= 0x80; // a response
    b[3] = 0x83; // recursion available, NXDOMAIN
    resolver.send(b, r.port, r.address);
  });
  await new Promise<void>((resolve) => resolver.bind(0, '127.0.0.1', resolve));
  port = resolver.address().port;
});
after(() => {
  resolver.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs xfed, sends SIGINT after `ms`, and collects what it printed. */
function interruptAfter(ms: number, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [XFED_BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const sigint = setTimeout(() => child.kill('SIGINT'), ms);
    const hang = setTimeout(() => child.kill('SIGKILL'), ms + 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(sigint);
      clearTimeout(hang);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('Ctrl-C reports what was gathered and exits 130', { concurrency: true }, () => {
  const domains = ['fast1.example', 'slow1.example', 'fast2.example'];

  test('check-dns --json: the finished domains, options.interrupted, exit 130', async () => {
    const r = await interruptAfter(2000, ['--json', 'check-dns', '--resolver', `127.0.0.1:${port}`, '--timeout', '30000', ...domains]);
    assert.equal(r.code, 130, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(schemaErrors(doc), []);
    assert.equal(doc.exitCode, 130);
    assert.deepEqual(doc.options.interrupted, { done: 2, total: 3 });
    assert.deepEqual(doc.targets.map((t: { target: string }) => t.target).sort(), ['fast1.example', 'fast2.example']);
    assert.equal(r.stderr, 'xfed: interrupted: 2 of 3 targets done; the report has those (exit 130)\n');
  });

  test('check-dns, human: the report of what finished, then the interrupted line', async () => {
    const r = await interruptAfter(2000, ['check-dns', '--resolver', `127.0.0.1:${port}`, '--timeout', '30000', ...domains]);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stdout, /^check-dns: 2 targets, 2 errors, .*\(exit 130\)$/m);
    assert.doesNotMatch(r.stdout, /slow1/);
    assert.match(r.stderr, /^xfed: interrupted: 2 of 3 targets done/);
  });

  test('doctor: the run ends now, the report has what finished, exit 130', async () => {
    const config = join(dir, 'slow.yaml');
    writeFileSync(config, `domains:\n  - fast1.example\npartners:\n  - slow1.example\ndns:\n  resolvers: ["127.0.0.1:${port}"]\ntimeouts:\n  dns: 30000\n`);
    const t0 = Date.now();
    const r = await interruptAfter(2000, ['--json', 'doctor', '-c', config]);
    assert.equal(r.code, 130, r.stderr);
    assert.ok(Date.now() - t0 < 10_000, 'it did not wait for the 30 s timeouts');
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(schemaErrors(doc), []);
    assert.deepEqual([doc.exitCode, doc.options.interrupted], [130, true]);
    assert.ok(!JSON.stringify(doc.targets).includes('doctor.deadline.exceeded'), 'an interruption is not a deadline');
    assert.equal(r.stderr, 'xfed: interrupted: the report has what finished before Ctrl-C (exit 130)\n');
  });
});

describe('Ctrl-C in axl-verify and diagnose', { concurrency: true }, () => {
  test('axl-verify --json while the IM&P server stalls: no target done, options.interrupted, exit 130', async () => {
    const net = await import('node:net');
    const held: import('node:net').Socket[] = [];
    const stall = net.createServer((s) => void held.push(s)); // accepts, never answers the TLS handshake
    await new Promise<void>((ok) => stall.listen(0, '127.0.0.1', ok));
    const addr = stall.address() as import('node:net').AddressInfo;
    try {
      const r = await interruptAfter(1500, ['--json', 'axl-verify', '--server', `127.0.0.1:${addr.port}`, '--user', 'axlxfed', '--timeout', '30000'], { XFED_AXL_PASSWORD: 'not-a-real-one' });
      assert.equal(r.code, 130);
      const doc = JSON.parse(r.stdout) as { exitCode: number; targets: unknown[]; options: { interrupted?: unknown } };
      assert.deepEqual(schemaErrors(doc), []);
      assert.deepEqual([doc.exitCode, doc.targets.length, doc.options.interrupted], [130, 0, { done: 0, total: 1 }]);
      assert.equal(r.stderr, 'xfed: interrupted: 0 of 1 target done; the report has those (exit 130)\n');
      assert.ok(!r.stdout.includes('not-a-real-one'));
    } finally {
      for (const s of held) s.destroy();
      stall.close();
    }
  });

  test('diagnose - with a stdin that never ends: the lines read so far are diagnosed, exit 130', async () => {
    const { readFileSync } = await import('node:fs');
    const log = readFileSync(new URL('../../../fixtures/logs/expc-axl-401.log', import.meta.url));
    const child = spawn(process.execPath, [XFED_BIN, '--json', 'diagnose', '-'], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.write(log); // and the pipe stays open: only Ctrl-C ends the reading
    const sigint = setTimeout(() => child.kill('SIGINT'), 1500);
    const hang = setTimeout(() => child.kill('SIGKILL'), 16_500);
    const code = await new Promise<number | null>((ok) => child.on('close', ok));
    clearTimeout(sigint);
    clearTimeout(hang);
    child.stdin.destroy();
    assert.equal(code, 130);
    const doc = JSON.parse(stdout) as { exitCode: number; options: { interrupted?: unknown }; targets: Array<{ findings: Array<{ id: string }> }> };
    assert.deepEqual(schemaErrors(doc), []);
    assert.deepEqual([doc.exitCode, doc.options.interrupted], [130, true]);
    assert.deepEqual(doc.targets[0]!.findings.map((f) => f.id), ['diagnose.axl.http-401']);
    assert.equal(stderr, 'xfed: interrupted: the diagnosis covers what was read before Ctrl-C (exit 130)\n');
  });
});
