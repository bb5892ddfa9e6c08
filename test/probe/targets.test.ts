/**
 * Target order (RFC 6120 §3.2, XEP-0368): a direct-TLS target whose handshake fails is not the
 * end of the probe; the next SRV target is tried, as real servers do. DNS is an in-process
 * authoritative server on loopback (the demo's dns2 zone server).
 */
import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startDemoDns, type DemoDns } from '../../src/doctor/demo/dns.js';
import { probePeer } from '../../src/probe/probe.js';
import { startS2sServer, type S2sServer } from '../../src/xmpp/server.js';
import { makeCa, makeLeaf, type Ca, type Pem } from '../lab/certs.js';

let ca: Ca;
let good: Pem;
let srv: S2sServer;
const closers: Array<{ close(): Promise<void> }> = [];

before(async () => {
  ca = makeCa();
  good = makeLeaf({ cn: 'peer.test', dns: ['peer.test'], srvNames: ['_xmpp-server.peer.test'] }, ca);
  srv = await startS2sServer({ domains: ['peer.test'], tls: good, tlsMode: 'required', secret: 's3cret' });
  closers.push(srv);
});
after(async () => {
  await Promise.all(closers.map((c) => c.close()));
});

async function zone(records: Parameters<typeof startDemoDns>[0]): Promise<DemoDns> {
  const d = await startDemoDns(records, ['peer.test']);
  closers.push(d);
  return d;
}

const opts = { peer: 'peer.test', from: 'us.test', secret: 's3cret', timeouts: { dns: 1000, tcp: 1000, stream: 1500, tls: 1000, dialback: 1500 } };

describe('direct-TLS target that fails its handshake', () => {
  it('the next target (_xmpp-server) is tried; the failure is a warning', async () => {
    const dns = await zone([
      // _xmpps-server wrongly points at the STARTTLS port, with the better priority.
      { name: '_xmpps-server._tcp.peer.test', type: 'SRV', priority: 0, weight: 0, port: srv.port, target: 'xmpp.peer.test' },
      { name: '_xmpp-server._tcp.peer.test', type: 'SRV', priority: 10, weight: 0, port: srv.port, target: 'xmpp.peer.test' },
      { name: 'xmpp.peer.test', type: 'A', address: '127.0.0.1' },
    ]);
    const r = await probePeer({ ...opts, resolvers: [dns.resolver], ca: [ca.cert], transcript: true });
    assert.deepEqual(r.findings.map((f) => `${f.severity}:${f.id}`), ['warning:probe.tls.handshake-failed', 'info:probe.dialback.valid']);
    assert.equal(r.verdict, 'warning');
    assert.equal(r.data.probe.attempts.length, 2);
    assert.equal(r.data.probe.attempts[0]?.tls, 'direct');
    assert.equal(r.data.probe.attempts[0]?.ok, false);
    assert.equal(r.data.probe.attempts[0]?.code, 'TLS');
    assert.equal(r.data.probe.attempts[1]?.tls, 'starttls');
    assert.equal(r.data.probe.attempts[1]?.ok, true);
    assert.equal(r.data.probe.connected?.tls, 'starttls');
    // The transcript keeps both connections.
    const notes = (r.data.probe.transcript ?? []).filter((l) => l.dir === 'note').map((l) => l.text);
    assert.ok(notes.some((t) => /direct TLS/.test(t)) && notes.some((t) => /STARTTLS\)/.test(t)), notes.join(' | '));
  });
  it('every target fails: the handshake failure is an error, next to the refused one', async () => {
    const dns = await zone([
      { name: '_xmpps-server._tcp.peer.test', type: 'SRV', priority: 0, weight: 0, port: srv.port, target: 'xmpp.peer.test' },
      { name: '_xmpp-server._tcp.peer.test', type: 'SRV', priority: 10, weight: 0, port: 1, target: 'xmpp.peer.test' },
      { name: 'xmpp.peer.test', type: 'A', address: '127.0.0.1' },
    ]);
    const r = await probePeer({ ...opts, resolvers: [dns.resolver], ca: [ca.cert] });
    assert.deepEqual(r.findings.map((f) => `${f.severity}:${f.id}`), ['error:probe.tls.handshake-failed', 'error:probe.tcp.refused']);
    assert.match(r.findings[1]!.title, /^1 server target of peer\.test refused/);
    assert.equal(r.verdict, 'error');
  });
});

describe('the in-process server', () => {
  it('a direct-TLS listener drops a client that never starts the handshake', async () => {
    const d = await startS2sServer({ domains: ['peer.test'], tls: good, tlsMode: 'direct', timeoutMs: 300 });
    closers.push(d);
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const s = connect(d.port, d.host);
      const guard = setTimeout(() => (s.destroy(), reject(new Error('still open after 3 s'))), 3000);
      s.on('error', () => {});
      s.on('close', () => (clearTimeout(guard), resolve()));
    });
    assert.ok(performance.now() - t0 < 2000);
    assert.ok(d.events.some((e) => /ended: .*tls/i.test(e.what)), JSON.stringify(d.events));
  });
});
