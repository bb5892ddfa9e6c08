/**
 * The `xfed probe` and `xfed dialback` command lines (the real binary) against xfed's own
 * in-process s2s server: exit codes, JSON, transcript redaction, usage errors.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dialbackKey } from '../../src/xmpp/dialback.js';
import { startS2sServer, type S2sServer } from '../../src/xmpp/server.js';
import { XFED_BIN } from '../helpers/servers.js';
import { makeCa, makeLeaf } from '../lab/certs.js';

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

function xfed(args: string[], env: Record<string, string> = {}, input?: string): Promise<Out> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [XFED_BIN, ...args], { env: { ...process.env, NO_COLOR: '1', XFED_DIALBACK_SECRET: '', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 99) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

const SECRET = 'cli-test-secret-value';
let srv: S2sServer;
let dir: string;
let caFile: string;
let secretFile: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xfed-probe-cli-'));
  const ca = makeCa();
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, ca.cert);
  secretFile = join(dir, 'secret');
  writeFileSync(secretFile, `${SECRET}\n`);
  const leaf = makeLeaf({ cn: 'peer.test', dns: ['peer.test'] }, ca);
  srv = await startS2sServer({ domains: ['peer.test'], tls: leaf, tlsMode: 'required', secret: SECRET });
});
after(() => srv.close());

describe('xfed probe (command line)', () => {
  it('valid dialback: exit 0, one JSON document, no secret in it', async () => {
    const o = await xfed(['probe', 'peer.test', '--host', '127.0.0.1', '--port', String(srv.port), '--from', 'us.test', '--secret-file', secretFile, '--ca', caFile, '--json']);
    assert.equal(o.code, 0, o.stderr);
    const doc = JSON.parse(o.stdout);
    assert.equal(doc.command, 'probe');
    assert.equal(doc.schema, 1);
    assert.equal(doc.targets[0].findings[0].id, 'probe.dialback.valid');
    assert.equal(doc.options.secret, 'given');
    assert.ok(!o.stdout.includes(SECRET));
  });
  it('human output shows the facts and the verdict; a wrong secret exits 1', async () => {
    const o = await xfed(['probe', 'peer.test', '--host', '127.0.0.1', '--port', String(srv.port), '--from', 'us.test', '--ca', caFile], { XFED_DIALBACK_SECRET: 'wrong-secret' });
    assert.equal(o.code, 1);
    assert.match(o.stdout, /^FAIL {2}peer\.test/m);
    assert.match(o.stdout, /tls +TLSv1\.3/);
    assert.match(o.stdout, /ERROR probe\.dialback\.invalid/);
    assert.match(o.stdout, /probe: 1 target, 1 error/);
  });
  it('--transcript writes both directions with the key redacted', async () => {
    const file = join(dir, 'transcript.txt');
    const o = await xfed(['probe', 'peer.test', '--host', '127.0.0.1', '--port', String(srv.port), '--from', 'us.test', '--secret-file', secretFile, '--ca', caFile, '--transcript', file, '-q']);
    assert.equal(o.code, 0, o.stderr);
    const t = readFileSync(file, 'utf8');
    assert.match(t, /SEND <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'\/>/);
    assert.match(t, /RECV <proceed/);
    assert.match(t, /SEND <db:result from='us.test' to='peer.test'>\[redacted\]<\/db:result>/);
    assert.doesNotMatch(t, /[0-9a-f]{64}/);
  });
  it('many peers in one run: one target each, in order', async () => {
    const o = await xfed(['probe', 'peer.test', 'nope.test', '--host', '127.0.0.1', '--port', String(srv.port), '--no-dialback', '--ca', caFile, '--json']);
    const doc = JSON.parse(o.stdout);
    assert.deepEqual(doc.targets.map((t: { target: string }) => t.target), ['peer.test', 'nope.test']);
    assert.equal(doc.targets[1].findings[0].id, 'probe.stream.error');
    assert.equal(o.code, 1);
  });
  const usage: Array<[string, string[], RegExp]> = [
    ['a secret without --from', ['probe', 'peer.test', '--secret-file', '__SECRET__'], /needs --from/],
    ['an IP instead of a domain', ['probe', '192.0.2.1'], /not a domain name/],
    ['a missing secret file', ['probe', 'peer.test', '--from', 'us.test', '--secret-file', '/nonexistent/secret'], /cannot read --secret-file/],
    ['a CA file without certificates', ['probe', 'peer.test', '--ca', '__SECRET__'], /no PEM certificate/],
    ['no peer', ['probe'], /no domain given/],
  ];
  for (const [what, args, re] of usage) {
    it(`usage error: ${what} (exit 2, one line)`, async () => {
      const o = await xfed(args.map((a) => (a === '__SECRET__' ? secretFile : a)));
      assert.equal(o.code, 2);
      assert.match(o.stderr, re);
      assert.equal(o.stderr.trim().split('\n').length, 1, o.stderr);
      assert.equal(o.stdout, '');
    });
  }
});

describe('hostile peers through the command line', () => {
  for (const misbehave of ['garbage', 'billion-laughs', 'reset-in-tls', 'huge-stanza'] as const) {
    it(`${misbehave}: exit 1 with a finding, nothing on stderr`, async () => {
      const ca = makeCa();
      const bad = await startS2sServer({ domains: ['peer.test'], tls: makeLeaf({ cn: 'peer.test', dns: ['peer.test'] }, ca), tlsMode: 'required', misbehave });
      try {
        const o = await xfed(['probe', 'peer.test', '--host', '127.0.0.1', '--port', String(bad.port), '--timeout', '2000', '--json']);
        assert.equal(o.code, 1, o.stderr);
        assert.equal(o.stderr, '');
        assert.equal(JSON.parse(o.stdout).targets[0].verdict, 'error');
      } finally {
        await bad.close();
      }
    });
  }
});

describe('xfed dialback', () => {
  it('key reproduces the XEP-0220 example', async () => {
    const f = join(dir, 'xep-secret');
    writeFileSync(f, 's3cr3tf0rd14lb4ck');
    const o = await xfed(['dialback', 'key', '--from', 'capulet.example', '--to', 'montague.example', '--stream-id', 'D60000229F', '--secret-file', f]);
    assert.equal(o.code, 0, o.stderr);
    assert.equal(o.stdout, 'b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3\n');
  });
  it('key without a secret is a usage error', async () => {
    const o = await xfed(['dialback', 'key', '--from', 'a.test', '--to', 'b.test', '--stream-id', 'x']);
    assert.equal(o.code, 2);
    assert.match(o.stderr, /no dialback secret/);
  });
  it('verify replays a db:verify (key on stdin): valid, then invalid with another id', async () => {
    const key = dialbackKey(SECRET, 'x.test', 'peer.test', 'id-42');
    const args = ['dialback', 'verify', '127.0.0.1', '--port', String(srv.port), '--from', 'x.test', '--to', 'peer.test', '--key-file', '-', '--ca', caFile, '--json'];
    const ok = await xfed([...args, '--stream-id', 'id-42'], {}, `${key}\n`);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal(JSON.parse(ok.stdout).targets[0].findings[0].id, 'dialback.verify.valid');
    const bad = await xfed([...args, '--stream-id', 'id-43'], {}, `${key}\n`);
    assert.equal(bad.code, 1);
    assert.equal(JSON.parse(bad.stdout).targets[0].findings[0].id, 'dialback.verify.invalid');
    assert.match(ok.stderr, /^xfed: dialback verify --from\/--to are deprecated: .*use --receiving and --originating\n$/);
  });
  it('--originating/--receiving mean the same in dialback key and verify; --from/--to of key are theirs', async () => {
    const env = { XFED_DIALBACK_SECRET: SECRET };
    const named = await xfed(['dialback', 'key', '--originating', 'x.test', '--receiving', 'peer.test', '--stream-id', 'id-44'], env);
    const old = await xfed(['dialback', 'key', '--from', 'x.test', '--to', 'peer.test', '--stream-id', 'id-44'], env);
    assert.equal(named.code, 0, named.stderr);
    assert.deepEqual([named.stdout, named.stderr, old.stdout, old.stderr], [`${dialbackKey(SECRET, 'peer.test', 'x.test', 'id-44')}\n`, '', named.stdout, '']);
    // db:verify goes from the receiving domain (peer.test) to the originating one (x.test).
    const key = dialbackKey(SECRET, 'x.test', 'peer.test', 'id-45');
    const args = ['dialback', 'verify', '127.0.0.1', '--port', String(srv.port), '--receiving', 'x.test', '--originating', 'peer.test', '--key-file', '-', '--ca', caFile, '--json', '--stream-id', 'id-45'];
    const ok = await xfed(args, {}, `${key}\n`);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal(ok.stderr, '');
    assert.equal(JSON.parse(ok.stdout).targets[0].findings[0].id, 'dialback.verify.valid');
    const clash = await xfed(['dialback', 'key', '--from', 'x.test', '--originating', 'y.test', '--to', 'peer.test', '--stream-id', 'i'], env);
    assert.deepEqual([clash.code, clash.stderr], [2, 'xfed: --originating y.test and --from x.test name the same domain: give one\n']);
  });
});
