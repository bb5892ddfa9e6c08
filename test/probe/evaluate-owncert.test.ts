/** The new probe evaluations from recorded facts: no sockets. */
import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import { evaluateProbe } from '../../src/probe/evaluate.js';
import { ownCertFacts } from '../../src/probe/own-cert.js';
import type { ProbeFacts } from '../../src/probe/types.js';
import { makeCa, makeLeaf, type Ca } from '../lab/certs.js';

let ca: Ca;
before(() => {
  ca = makeCa();
});

const base = (): ProbeFacts => ({
  peer: 'peer.test',
  from: 'us.test',
  attempts: [{ host: 'xmpp.peer.test', address: '192.0.2.1', port: 5269, tls: 'starttls', source: 'srv', ok: true, ms: 3 }],
  connected: { host: 'xmpp.peer.test', address: '192.0.2.1', port: 5269, tls: 'starttls' },
});
const ids = (f: ProbeFacts, now?: number) => evaluateProbe(f, now ? { now } : {}).map((x) => `${x.severity}:${x.id}`).sort();

describe('own certificate dates and names', () => {
  it('expired: error; expiring within the window: warning; a covered alias is fine', () => {
    const old = makeLeaf({ cn: 'us.test', dns: ['us.test', 'conference.us.test'], notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') }, ca);
    assert.deepEqual(ids({ ...base(), ownCert: ownCertFacts(old.cert, 'file', ['us.test', 'conference.us.test']) }), ['error:probe.own-cert.expired']);
    const soon = makeLeaf({ cn: 'us.test', dns: ['us.test'], notAfter: new Date(Date.now() + 10 * 86_400_000) }, ca);
    assert.deepEqual(ids({ ...base(), ownCert: ownCertFacts(soon.cert, 'file', ['us.test']) }), ['warning:probe.own-cert.expires-soon']);
  });
  it('no EKU extension at all: any purpose, clientAuth allowed', () => {
    const any = makeLeaf({ cn: 'us.test', dns: ['us.test'], eku: '' }, ca);
    const f = ownCertFacts(any.cert, 'file', ['us.test']);
    assert.equal(f.clientAuth, true);
    assert.equal(f.eku, undefined);
    assert.deepEqual(ids({ ...base(), ownCert: f }), []);
  });
});

describe('SASL EXTERNAL not offered', () => {
  it('the peer does SASL, but not EXTERNAL for our certificate: warning', () => {
    const f: ProbeFacts = { ...base(), secureStream: { id: 'x', dialbackNamespace: true, features: ['sasl(PLAIN)', 'dialback'] }, sasl: { mechanisms: ['PLAIN'], offered: false, certPresented: true } };
    assert.deepEqual(ids(f), ['warning:probe.sasl.external-not-offered']);
  });
  it('no SASL at all: info', () => {
    const f: ProbeFacts = { ...base(), secureStream: { id: 'x', dialbackNamespace: true, features: ['dialback'] }, sasl: { mechanisms: [], offered: false, certPresented: true } };
    assert.deepEqual(ids(f), ['info:probe.sasl.external-not-offered']);
  });
});

describe('addresses this machine cannot reach', () => {
  it('IPv6 unreachable here, IPv4 works: local.no-ipv6 (info), never ipv6.failed or target.failed', () => {
    const f: ProbeFacts = {
      ...base(),
      targets: [
        { host: 'xmpp.peer.test', address: '2001:db8::1', family: 6, port: 5269, tls: 'starttls', source: 'srv', ok: false, phase: 'tcp', code: 'ENETUNREACH', error: 'connect ENETUNREACH', ms: 0 },
        { host: 'xmpp.peer.test', address: '192.0.2.1', family: 4, port: 5269, tls: 'starttls', source: 'srv', ok: true, ms: 5 },
      ],
    };
    assert.deepEqual(ids(f), ['info:probe.local.no-ipv6']);
  });
  it('only IPv6 addresses and no IPv6 route: local.no-ipv6, not "refused"', () => {
    const f: ProbeFacts = {
      peer: 'peer.test',
      from: 'us.test',
      attempts: [{ host: 'xmpp.peer.test', address: '2001:db8::1', port: 5269, tls: 'starttls', source: 'srv', ok: false, code: 'ENETUNREACH', error: 'connect ENETUNREACH', ms: 0 }],
    };
    assert.deepEqual(ids(f), ['info:probe.local.no-ipv6']);
  });
});

describe('targets', () => {
  it('every target failed: no target.failed (the usual errors say it)', () => {
    const f: ProbeFacts = {
      peer: 'peer.test',
      from: 'us.test',
      attempts: [
        { host: 'a.peer.test', address: '192.0.2.1', port: 5269, tls: 'starttls', source: 'srv', ok: false, code: 'ECONNREFUSED', error: 'refused', ms: 1 },
        { host: 'b.peer.test', address: '192.0.2.2', port: 5269, tls: 'starttls', source: 'srv', ok: false, code: 'ECONNREFUSED', error: 'refused', ms: 1 },
      ],
      targets: [
        { host: 'a.peer.test', address: '192.0.2.1', family: 4, port: 5269, tls: 'starttls', source: 'srv', ok: false, phase: 'tcp', code: 'ECONNREFUSED', ms: 1 },
        { host: 'b.peer.test', address: '192.0.2.2', family: 4, port: 5269, tls: 'starttls', source: 'srv', ok: false, phase: 'tcp', code: 'ECONNREFUSED', ms: 1 },
      ],
    };
    assert.deepEqual(ids(f), ['error:probe.tcp.refused']);
  });
});
