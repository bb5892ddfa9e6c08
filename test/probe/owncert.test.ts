/**
 * Our own certificate as the partner sees it, every target and address, SNI, legacy TLS and
 * incomplete chains: against the in-process s2s server (real TLS, real streams) and the
 * in-process DNS zone server, all on loopback.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDemoDns, type DemoDns } from '../../src/doctor/demo/dns.js';
import { probePeer } from '../../src/probe/probe.js';
import { startS2sServer, type S2sServer, type S2sServerOptions } from '../../src/xmpp/server.js';
import { makeCa, makeIntermediate, makeLeaf, type Ca, type Pem } from '../lab/certs.js';
import { xfed } from '../helpers/cli.js';

let ca: Ca;
let otherCa: Ca;
let peerCert: Pem;
let ours: Pem;
let oursServerOnly: Pem;
let oursUntrusted: Pem;
const closers: Array<{ close(): Promise<void> }> = [];

before(() => {
  ca = makeCa();
  otherCa = makeCa(undefined, 'some other CA');
  peerCert = makeLeaf({ cn: 'peer.test', dns: ['peer.test'] }, ca);
  ours = makeLeaf({ cn: 'us.test', dns: ['us.test'] }, ca);
  oursServerOnly = makeLeaf({ cn: 'us.test', dns: ['us.test'], eku: 'serverAuth' }, ca);
  oursUntrusted = makeLeaf({ cn: 'us.test', dns: ['us.test'] }, otherCa);
});
after(async () => {
  await Promise.all(closers.map((c) => c.close()));
});

async function server(o: Partial<S2sServerOptions> = {}): Promise<S2sServer> {
  const s = await startS2sServer({ domains: ['peer.test'], tls: { ...peerCert, ca: ca.cert }, tlsMode: 'required', secret: 's3cret', ...o });
  closers.push(s);
  return s;
}

async function zone(records: Parameters<typeof startDemoDns>[0]): Promise<DemoDns> {
  const d = await startDemoDns(records, ['peer.test']);
  closers.push(d);
  return d;
}

const T = { dns: 1000, tcp: 1000, stream: 1500, tls: 1500, dialback: 1500 };
const ids = (r: { findings: Array<{ severity: string; id: string }> }) => r.findings.map((f) => `${f.severity}:${f.id}`).sort();

describe('SASL EXTERNAL with our certificate (--cert/--key)', () => {
  it('a CA-signed certificate with clientAuth: accepted, no dialback needed', async () => {
    const s = await server({ saslExternal: true });
    const r = await probePeer({ peer: 'peer.test', from: 'us.test', host: s.host, port: s.port, ca: [ca.cert], cert: ours.cert, key: ours.key, timeouts: T });
    assert.deepEqual(ids(r), ['info:probe.sasl.external-ok']);
    assert.equal(r.data.probe.sasl?.outcome, 'success');
    assert.equal(r.data.probe.dialback?.outcome, 'skipped');
    assert.equal(r.data.probe.ownCert?.clientAuth, true);
    assert.ok(s.events.some((e) => e.what === 'sasl external us.test: success'), JSON.stringify(s.events));
  });
  it('a serverAuth-only certificate: "unsupported certificate purpose"; dialback works, so a warning', async () => {
    const s = await server({ saslExternal: true });
    const r = await probePeer({ peer: 'peer.test', from: 'us.test', host: s.host, port: s.port, ca: [ca.cert], cert: oursServerOnly.cert, key: oursServerOnly.key, secret: 's3cret', timeouts: T });
    assert.deepEqual(ids(r), ['info:probe.dialback.valid', 'warning:probe.own-cert.no-client-auth', 'warning:probe.sasl.external-failed']);
    assert.equal(r.data.probe.sasl?.text, 'unsupported certificate purpose');
    assert.deepEqual(r.data.probe.ownCert?.eku, ['serverAuth']);
  });
  it('an untrusted certificate, and dialback fails too: an error naming the condition', async () => {
    const s = await server({ saslExternal: true, misbehave: 'reject-dialback' });
    const r = await probePeer({ peer: 'peer.test', from: 'us.test', host: s.host, port: s.port, ca: [ca.cert], cert: oursUntrusted.cert, key: oursUntrusted.key, secret: 's3cret', timeouts: T });
    assert.deepEqual(ids(r), ['error:probe.dialback.invalid', 'error:probe.sasl.external-failed']);
    const f = r.findings.find((x) => x.id === 'probe.sasl.external-failed')!;
    assert.match(f.title, /<not-authorized\/>/);
  });
  it('a peer without SASL for servers: not offered (info), dialback as usual', async () => {
    const s = await server();
    const r = await probePeer({ peer: 'peer.test', from: 'us.test', host: s.host, port: s.port, ca: [ca.cert], cert: ours.cert, key: ours.key, secret: 's3cret', timeouts: T });
    assert.deepEqual(ids(r), ['info:probe.dialback.valid', 'info:probe.sasl.external-not-offered']);
  });
  it('our own domain serves a serverAuth-only certificate that does not cover an alias', async () => {
    const s = await startS2sServer({ domains: ['us.test'], tls: oursServerOnly, tlsMode: 'required', secret: 's3cret' });
    closers.push(s);
    const r = await probePeer({ peer: 'us.test', from: 'us.test', own: true, aliases: ['conference.us.test'], host: s.host, port: s.port, ca: [ca.cert], secret: 's3cret', timeouts: T });
    assert.deepEqual(ids(r), ['info:probe.dialback.valid', 'warning:probe.own-cert.name-mismatch', 'warning:probe.own-cert.no-client-auth']);
    assert.equal(r.data.probe.ownCert?.source, 'served');
  });
});

describe('doctor\'s use: our certificate judged once', () => {
  it('ownCertCheck false: the certificate is presented but not judged; ownCertPem: judged for our own domain', async () => {
    const s = await server({ saslExternal: true });
    const partner = await probePeer({ peer: 'peer.test', from: 'us.test', host: s.host, port: s.port, ca: [ca.cert], cert: oursServerOnly.cert, key: oursServerOnly.key, ownCertCheck: false, secret: 's3cret', timeouts: T });
    assert.deepEqual(ids(partner), ['info:probe.dialback.valid', 'warning:probe.sasl.external-failed']);
    assert.equal(partner.data.probe.ownCert, undefined);
    const own = await startS2sServer({ domains: ['us.test'], tls: ours, tlsMode: 'required' });
    closers.push(own);
    const r = await probePeer({ peer: 'us.test', own: true, ownCertPem: oursServerOnly.cert, host: own.host, port: own.port, ca: [ca.cert], timeouts: T });
    assert.equal(r.data.probe.ownCert?.source, 'file');
    assert.deepEqual(r.data.probe.ownCert?.coverage, [{ domain: 'us.test', matched: true, method: 'dns-id' }]);
    assert.ok(ids(r).includes('warning:probe.own-cert.no-client-auth'), JSON.stringify(ids(r)));
  });
});

describe('SNI, TLS versions and chains', () => {
  it('without SNI the server presents a default certificate that does not cover the peer', async () => {
    const other = makeLeaf({ cn: 'default.example', dns: ['default.example'] }, ca);
    const s = await server({ tls: { ...other, ca: ca.cert, sni: { 'peer.test': peerCert } } });
    const r = await probePeer({ peer: 'peer.test', from: 'us.test', host: s.host, port: s.port, ca: [ca.cert], secret: 's3cret', timeouts: T });
    assert.deepEqual(ids(r), ['info:probe.dialback.valid', 'warning:probe.cert.sni-required']);
    const hs = r.data.probe.handshakes ?? [];
    assert.equal(hs.find((h) => h.kind === 'no-sni')?.leaf?.covers, false);
    assert.ok(s.events.some((e) => e.what === 'tls up (sni peer.test)'), JSON.stringify(s.events));
  });
  it('a server that still accepts TLS 1.0/1.1 next to 1.3: legacy-accepted, with TLS 1.2 seen offered', async () => {
    const s = await server({ tls: { ...peerCert, ca: ca.cert, anyVersion: true } });
    const r = await probePeer({ peer: 'peer.test', from: 'us.test', host: s.host, port: s.port, ca: [ca.cert], secret: 's3cret', timeouts: T });
    assert.deepEqual(ids(r), ['info:probe.dialback.valid', 'warning:probe.tls.legacy-accepted']);
    const hs = r.data.probe.handshakes ?? [];
    assert.equal(r.data.probe.tls?.version, 'TLSv1.3');
    assert.equal(hs.find((h) => h.kind === 'tls1.2')?.version, 'TLSv1.2');
    assert.match(hs.find((h) => h.kind === 'legacy')?.version ?? '', /^TLSv1(\.1)?$/);
    assert.ok(r.data.probe.tls?.group, 'key exchange group recorded');
  });
  it('a modern server: no legacy finding, the legacy handshake recorded as refused', async () => {
    const s = await server();
    const r = await probePeer({ peer: 'peer.test', from: 'us.test', host: s.host, port: s.port, ca: [ca.cert], secret: 's3cret', timeouts: T });
    assert.deepEqual(ids(r), ['info:probe.dialback.valid']);
    assert.equal(r.data.probe.handshakes?.find((h) => h.kind === 'legacy')?.ok, false);
  });
  it('a leaf sent without its intermediate: chain-incomplete naming the issuer (not untrusted)', async () => {
    const inter = makeIntermediate(ca, {}, 'xfed test intermediate');
    const leaf = makeLeaf({ cn: 'peer.test', dns: ['peer.test'] }, inter);
    const s = await server({ tls: { ...leaf } });
    const r = await probePeer({ peer: 'peer.test', from: 'us.test', host: s.host, port: s.port, ca: [ca.cert + inter.cert], secret: 's3cret', timeouts: T });
    assert.deepEqual(ids(r), ['error:probe.cert.chain-incomplete', 'info:probe.dialback.valid']);
    assert.match(r.findings.find((f) => f.id === 'probe.cert.chain-incomplete')!.title, /xfed test intermediate/);
    // With the intermediate sent, the same trust store accepts the chain.
    const full = await server({ tls: { key: leaf.key, cert: leaf.cert + inter.cert } });
    const ok = await probePeer({ peer: 'peer.test', from: 'us.test', host: full.host, port: full.port, ca: [ca.cert + inter.cert], secret: 's3cret', timeouts: T });
    assert.deepEqual(ids(ok), ['info:probe.dialback.valid']);
  });
});

function hasIpv6Loopback(): boolean {
  try {
    return execFileSync('ip', ['-6', 'addr', 'show', 'lo']).toString().includes('::1');
  } catch {
    return false;
  }
}

async function closedPort(host = '127.0.0.1'): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, host, () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('every target and every address', () => {
  it('a dead first target: the second works, the first is a warning', async () => {
    const s = await server();
    const dead = await closedPort();
    const dns = await zone([
      { name: '_xmpp-server._tcp.peer.test', type: 'SRV', priority: 0, weight: 0, port: dead, target: 'dead.peer.test' },
      { name: '_xmpp-server._tcp.peer.test', type: 'SRV', priority: 10, weight: 0, port: s.port, target: 'xmpp.peer.test' },
      { name: 'dead.peer.test', type: 'A', address: '127.0.0.1' },
      { name: 'xmpp.peer.test', type: 'A', address: '127.0.0.1' },
    ]);
    const r = await probePeer({ peer: 'peer.test', from: 'us.test', resolvers: [dns.resolver], ca: [ca.cert], secret: 's3cret', timeouts: T });
    assert.deepEqual(ids(r), ['info:probe.dialback.valid', 'warning:probe.target.failed']);
    const t = r.data.probe.targets ?? [];
    assert.deepEqual(t.map((x) => [x.host, x.ok, x.code ?? '']), [['dead.peer.test', false, 'ECONNREFUSED'], ['xmpp.peer.test', true, '']]);
  });
  it('two nodes with different certificates: inconsistent', async () => {
    const a = await server();
    const b = await server({ tls: { ...makeLeaf({ cn: 'peer.test', dns: ['peer.test'] }, ca), ca: ca.cert } });
    const dns = await zone([
      { name: '_xmpp-server._tcp.peer.test', type: 'SRV', priority: 0, weight: 0, port: a.port, target: 'n1.peer.test' },
      { name: '_xmpp-server._tcp.peer.test', type: 'SRV', priority: 0, weight: 0, port: b.port, target: 'n2.peer.test' },
      { name: 'n1.peer.test', type: 'A', address: '127.0.0.1' },
      { name: 'n2.peer.test', type: 'A', address: '127.0.0.1' },
    ]);
    const r = await probePeer({ peer: 'peer.test', from: 'us.test', resolvers: [dns.resolver], ca: [ca.cert], secret: 's3cret', timeouts: T });
    assert.deepEqual(ids(r), ['info:probe.dialback.valid', 'warning:probe.target.inconsistent']);
    assert.match(r.findings.find((f) => f.id === 'probe.target.inconsistent')!.title, /certificate/);
  });
  it('IPv6 on ::1 refused while IPv4 works: ipv6.failed; -4 leaves it out', async (t) => {
    if (!hasIpv6Loopback()) {
      t.skip('this machine has no ::1 (no IPv6 loopback)');
      return;
    }
    const s = await server();
    const dns = await zone([
      { name: '_xmpp-server._tcp.peer.test', type: 'SRV', priority: 0, weight: 0, port: s.port, target: 'xmpp.peer.test' },
      { name: 'xmpp.peer.test', type: 'A', address: '127.0.0.1' },
      { name: 'xmpp.peer.test', type: 'AAAA', address: '::1' },
    ]);
    const r = await probePeer({ peer: 'peer.test', from: 'us.test', resolvers: [dns.resolver], ca: [ca.cert], secret: 's3cret', timeouts: T });
    assert.deepEqual(ids(r), ['info:probe.dialback.valid', 'warning:probe.ipv6.failed', 'warning:probe.target.failed']);
    const v4 = await probePeer({ peer: 'peer.test', from: 'us.test', family: 4, resolvers: [dns.resolver], ca: [ca.cert], secret: 's3cret', timeouts: T });
    assert.deepEqual(ids(v4), ['info:probe.dialback.valid']);
    assert.ok(v4.data.probe.attempts.every((a) => !a.address.includes(':')));
  });
});

describe('bad certificate and key files (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xfed-owncert-'));
  const f = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  it('a key that does not match the certificate: exit 2, one line naming the key file', async () => {
    const cert = f('ours.crt', ours.cert);
    const key = f('other.key', oursUntrusted.key);
    const r = await xfed(['probe', 'peer.test', '--host', '127.0.0.1', '--port', '1', '--cert', cert, '--key', key]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`--key ${key.replace(/[.]/g, '\\.')}: does not match the certificate`));
  });
  it('a missing certificate file: exit 2 naming it', async () => {
    const r = await xfed(['probe', 'peer.test', '--host', '127.0.0.1', '--port', '1', '--cert', join(dir, 'nope.pem'), '--key', f('k.key', ours.key)]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--cert .*nope\.pem/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
  it('an encrypted key without --key-pass-file asks for it; with it, the key is used', async () => {
    const enc = execFileSync('openssl', ['pkey', '-aes256', '-passout', 'pass:hunter2'], { input: ours.key }).toString();
    const cert = f('ours2.crt', ours.cert);
    const key = f('enc.key', enc);
    const r = await xfed(['probe', 'peer.test', '--host', '127.0.0.1', '--port', '1', '--cert', cert, '--key', key]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--key-pass-file: is needed: .*enc\.key holds an encrypted private key/);
    const s = await server({ saslExternal: true });
    const ok = await xfed(['probe', 'peer.test', '--from', 'us.test', '--host', s.host, '--port', String(s.port), '--ca', f('ca.pem', ca.cert), '--cert', cert, '--key', key, '--key-pass-file', f('pass', 'hunter2\n'), '--format', 'json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(!ok.stdout.includes('hunter2'));
    assert.equal(JSON.parse(ok.stdout).targets[0].data.probe.sasl.outcome, 'success');
  });
  it('-4 and -6 together: exit 2; --alias adds the alias as a peer, checked against our certificate', async () => {
    const both = await xfed(['probe', 'peer.test', '-4', '-6']);
    assert.equal(both.code, 2);
    assert.equal(both.stderr.trim().split('\n').length, 1, both.stderr);
    const s = await server({ domains: ['peer.test', 'conference.peer.test'] });
    const r = await xfed(['probe', 'peer.test', '--alias', 'conference.peer.test', '--from', 'us.test', '--host', s.host, '--port', String(s.port), '--ca', f('ca2.pem', ca.cert), '--cert', f('o.crt', ours.cert), '--key', f('o.key', ours.key), '-4', '--dialback-timeout', '300', '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.targets.map((t: { target: string }) => t.target), ['peer.test', 'conference.peer.test']);
    assert.deepEqual(doc.targets[0].data.probe.ownCert.coverage, [{ domain: 'us.test', matched: true, method: 'dns-id' }, { domain: 'conference.peer.test', matched: false }]);
    assert.equal(doc.options.family, 4);
  });
});
