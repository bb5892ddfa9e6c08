// @needs-servers: starts Debian servers (unbound); `npm run test:unit` leaves this file out.
/**
 * check-dns writes its report one domain at a time (issue 16): the bytes on stdout and in
 * the -o files are those renderRun() makes of the finished run, and the first domain is on
 * stdout while a later one still waits for its answers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { renderRun } from '../../src/report/output.js';
import { dnsSection } from '../../src/report/sections/check-dns.js';
import { hasBinary, XFED_BIN } from '../helpers/servers.js';
import { xfed } from '../helpers/cli.js';
import { startExampleDns, type ExampleDns } from './dns-server.js';

const dir = mkdtempSync(join(tmpdir(), 'xfed-dns-stream-'));
let dns: ExampleDns;
const skip = hasBinary('unbound') ? false : 'unbound is not installed (scripts/setup.sh installs it)';
before(async () => {
  if (!skip) dns = await startExampleDns();
});
after(() => rmSync(dir, { recursive: true, force: true }));

const DOMAINS = ['good.example', 'private.example', 'missing-domain.example', 'decline.example', 'big.example', 'xn--bcher-kva.example', 'portzero.example', 'cname.example'];
const o = { strict: false, verbose: false, quiet: false, color: false, section: dnsSection, width: 80 };

test('streamed stdout and -o files: the same bytes as the whole document (json, human, junit)', { skip }, async () => {
  const files = { json: join(dir, 'r.json'), human: join(dir, 'r.txt'), junit: join(dir, 'r.xml') };
  const r = await xfed(['check-dns', '--json', '--resolver', dns.resolver, '-o', `human=${files.human}`, '-o', `json=${files.json}`, '-o', `junit=${files.junit}`, ...DOMAINS]);
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.targets.map((t: { target: string }) => t.target), DOMAINS, 'input order');
  assert.equal(r.stdout, await renderRun('json', doc, o));
  assert.equal(readFileSync(files.json, 'utf8'), r.stdout);
  assert.equal(readFileSync(files.human, 'utf8'), await renderRun('human', doc, o));
  assert.equal(readFileSync(files.junit, 'utf8'), await renderRun('junit', doc, o));
});

test('streamed human stdout, --verbose: the same bytes as the whole report', { skip }, async () => {
  const r = await xfed(['check-dns', '--verbose', '--resolver', dns.resolver, '-o', `json=${join(dir, 'v.json')}`, ...DOMAINS], { env: { COLUMNS: '100' } });
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(readFileSync(join(dir, 'v.json'), 'utf8'));
  assert.equal(r.stdout, await renderRun('human', doc, { ...o, verbose: true, width: 100 }));
});

/**
 * A resolver on loopback that answers NXDOMAIN at once for names with "fast" and holds every
 * other question until released.
 */
async function holdingResolver(): Promise<{ port: number; release: () => void; close: () => void }> {
  const sock = dgram.createSocket('udp4');
  const held: Array<[Buffer, dgram.RemoteInfo]> = [];
  let released = false;
  const answer = (m: Buffer, r: dgram.RemoteInfo) => {
    const b = Buffer.from(m);
    b[2]! |= 0x80; // a response
    b[3] = 0x83; // recursion available, NXDOMAIN
    sock.send(b, r.port, r.address);
  };
  sock.on('message', (m, r) => (released || m.toString('latin1').includes('fast') ? answer(m, r) : held.push([m, r])));
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return {
    port: sock.address().port,
    release: () => {
      released = true;
      for (const [m, r] of held.splice(0)) answer(m, r);
    },
    close: () => sock.close(),
  };
}

test('--json is written incrementally: the first domain is on stdout before the last one is answered', async () => {
  const res = await holdingResolver();
  try {
    const child = spawn(process.execPath, [XFED_BIN, 'check-dns', '--json', '--resolver', `127.0.0.1:${res.port}`, '--timeout', '30000', 'fast1.example', 'fast2.example', 'slow1.example'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let seenBeforeRelease = '';
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => {
      // Released once the first two domains are on stdout, or after 10 s (then the assertion below fails).
      const timer = setTimeout(resolve, 10_000);
      child.stdout.on('data', (d) => {
        stdout += d;
        if (!seenBeforeRelease && stdout.includes('"target": "fast2.example"')) {
          seenBeforeRelease = stdout;
          clearTimeout(timer);
          resolve();
        }
      });
    });
    res.release();
    const code = await done;
    assert.equal(code, 1);
    assert.match(seenBeforeRelease, /"target": "fast1\.example"[\s\S]*"target": "fast2\.example"/, 'fast1 and fast2 were written while slow1 waited');
    assert.doesNotMatch(seenBeforeRelease, /slow1|"summary"/);
    const doc = JSON.parse(stdout);
    assert.deepEqual(doc.targets.map((t: { target: string }) => t.target), ['fast1.example', 'fast2.example', 'slow1.example']);
    assert.equal(stdout, await renderRun('json', doc, o));
  } finally {
    res.close();
  }
});
