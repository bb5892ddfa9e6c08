/**
 * Wrong verdicts the probe must not give (issue 10, item 8): a dialback answer for another
 * domain pair or stream is not "federation works", and a machine out of file descriptors is
 * not a peer that refuses connections. Hostile peers run in this process (or a child of it).
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { probePeer } from '../../src/probe/probe.js';
import { startS2sServer, type S2sServer } from '../../src/xmpp/server.js';

const servers: S2sServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const ids = (r: { findings: Array<{ severity: string; id: string }> }) => r.findings.map((f) => `${f.severity}:${f.id}`).sort();
const timeouts = { tcp: 1000, stream: 1000, tls: 1000, dialback: 1000 };

describe('a dialback answer that does not match the request', () => {
  it("db:result type='valid' from another domain: probe.dialback.mismatched-answer, not valid", async () => {
    const srv = await startS2sServer({ domains: ['peer.test'], secret: 's3cret', misbehave: 'mismatched-dialback' });
    servers.push(srv);
    const r = await probePeer({ peer: 'peer.test', from: 'us.test', secret: 's3cret', host: '127.0.0.1', port: srv.port, tls: 'none', timeouts });
    assert.deepEqual(ids(r), ['error:probe.dialback.mismatched-answer']);
    assert.equal(r.data.probe.dialback?.outcome, 'valid');
    assert.deepEqual(r.data.probe.dialback?.answer, { from: 'other.example', to: 'us.test' });
    assert.equal(r.verdict, 'error');
  });
  it("db:verify type='valid' for another stream: dialback.verify.mismatched-answer", async () => {
    const srv = await startS2sServer({ domains: ['peer.test'], secret: 's3cret', misbehave: 'mismatched-dialback' });
    servers.push(srv);
    const r = await probePeer({ peer: 'peer.test', from: 'us.test', host: '127.0.0.1', port: srv.port, tls: 'none', verify: { streamId: 'abc123', key: 'f'.repeat(64) }, timeouts });
    assert.deepEqual(ids(r), ['error:dialback.verify.mismatched-answer']);
    const ev = r.findings[0]!.evidence.map((e) => e.value);
    assert.ok(ev.includes("id='not-your-stream' (expected 'abc123')"), ev.join(' | '));
  });
});

describe('no file descriptor left on this machine', () => {
  it('EMFILE when connecting is probe.local.resources, not probe.tcp.refused', async () => {
    // A child process uses up its descriptors, then probes: the socket cannot even be created.
    const probe = fileURLToPath(new URL('../../src/probe/probe.js', import.meta.url));
    const code = `
      import { openSync } from 'node:fs';
      const { probePeer } = await import(${JSON.stringify(probe)});
      try { for (;;) openSync('/dev/null', 'r'); } catch {}
      const r = await probePeer({ peer: 'peer.test', host: '127.0.0.1', port: 9, dialback: false, timeouts: { tcp: 1000 } });
      process.stdout.write(JSON.stringify(r));`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile('sh', ['-c', `ulimit -n 256 && exec "${process.execPath}" --input-type=module -e '${code.replace(/'/g, "'\\''")}'`], { timeout: 20_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    const r = JSON.parse(out);
    assert.deepEqual(ids(r), ['error:probe.local.resources']);
    assert.equal(r.data.probe.attempts[0].code, 'EMFILE');
    assert.match(r.findings[0].fix, /ulimit -n/);
  });
});
