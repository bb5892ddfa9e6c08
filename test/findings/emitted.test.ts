/**
 * Findings no other test produced (or only the tests that need the Debian lab): no DNS
 * answer to resolve the peer with, a TCP connect that times out (a loopback listener whose
 * accept queue is full drops new SYNs), and `dialback verify` against a scripted authoritative
 * server that stays silent or answers with a stream error. Each asserts the exact set of ids,
 * and each severity matches the catalogue.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Server, type Socket } from 'node:net';
import { platform } from 'node:os';
import { after, describe, it } from 'node:test';
import { probePeer } from '../../src/probe/probe.js';
import { allowedSeverities, findingEntry } from '../../src/findings/index.js';
import type { Finding } from '../../src/core/result.js';
import { scriptedPeer, type ScriptedPeer } from './scripted-peer.js';

function assertCatalogued(findings: Finding[]): void {
  for (const f of findings) {
    const e = findingEntry(f.id);
    assert.ok(e, `${f.id} is not catalogued`);
    assert.ok(allowedSeverities(e).includes(f.severity), `${f.id} as ${f.severity}`);
  }
}

/** A listener (in a child process whose event loop is blocked) that never accepts: after two queued connections the kernel drops SYNs. */
async function blackhole(): Promise<{ port: number; child: ChildProcess; fill: Socket[] }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const net = require('node:net'); const fs = require('node:fs');
       const s = net.createServer();
       s.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
         fs.writeSync(1, s.address().port + '\\n');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000);
         process.exit(0);
       });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('exit', () => reject(new Error('blackhole listener exited')));
  });
  const fill: Socket[] = [];
  // Backlog 1 queues two connections; wait until both are established.
  await Promise.all(
    [0, 1].map(
      () =>
        new Promise<void>((resolve, reject) => {
          const s = connect(port, '127.0.0.1', () => resolve());
          s.once('error', reject);
          fill.push(s);
        }),
    ),
  );
  return { port, child, fill };
}

describe('probe.dns.no-target', () => {
  it('the SRV questions get no answer (a resolver port that refuses): probe.dns.no-target only, no connection attempt', async () => {
    const r = await probePeer({ peer: 'nothing.test', resolvers: ['127.0.0.1:9'], timeouts: { dns: 500 } });
    assert.deepEqual(r.findings.map((f) => f.id), ['probe.dns.no-target']);
    assert.match(r.findings[0]!.detail, /no conclusive answer/);
    assert.deepEqual(r.data.probe.attempts, []);
    assertCatalogued(r.findings);
  });
});

describe('probe.tcp.timeout', { skip: platform() !== 'linux' && 'needs Linux (a full accept queue drops SYNs)' }, () => {
  it('a target that drops the SYN: probe.tcp.timeout only', async () => {
    const bh = await blackhole();
    try {
      const r = await probePeer({ peer: 'blackhole.test', host: '127.0.0.1', port: bh.port, timeouts: { tcp: 400 } });
      assert.deepEqual(r.findings.map((f) => f.id), ['probe.tcp.timeout']);
      assert.equal(r.data.probe.attempts[0]!.code, 'TIMEOUT');
      assertCatalogued(r.findings);
    } finally {
      for (const s of bh.fill) s.destroy();
      bh.child.kill();
    }
  });
});

describe('dialback verify against a scripted authoritative server', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));
  const verify = async (srv: ScriptedPeer, dialbackMs = 2000) =>
    probePeer({
      peer: 'origin.test',
      from: 'receiving.test',
      host: '127.0.0.1',
      port: srv.port,
      tls: 'none',
      verify: { streamId: 'abc123', key: 'a'.repeat(64) },
      timeouts: { dialback: dialbackMs, stream: 2000 },
    });

  it('no answer: dialback.verify.timeout only', async () => {
    const srv = await scriptedPeer(() => {});
    servers.push(srv.server);
    const r = await verify(srv, 300);
    assert.deepEqual(r.findings.map((f) => f.id), ['dialback.verify.timeout']);
    assert.equal(r.data.probe.dialback?.outcome, 'timeout');
    assertCatalogued(r.findings);
  });

  it('a stream error instead of an answer: dialback.verify.error only, naming the condition', async () => {
    const srv = await scriptedPeer((sock) => sock.end("<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>"));
    servers.push(srv.server);
    const r = await verify(srv);
    assert.deepEqual(r.findings.map((f) => f.id), ['dialback.verify.error']);
    assert.match(r.findings[0]!.title, /<host-unknown\/>/);
    assert.match(r.findings[0]!.detail, /does not host origin\.test/);
    assertCatalogued(r.findings);
  });
});
