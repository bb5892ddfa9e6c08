/**
 * The probe's evaluation, from recorded facts: no socket, no DNS. The base fixture was
 * recorded from a real session with the in-process s2s server (STARTTLS required, a CA-signed
 * certificate, dialback valid); each case changes the facts the way a real peer would.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evaluateProbe } from '../../src/probe/evaluate.js';
import { PROBE_CONFIG_NAMES, type ProbeFacts } from '../../src/probe/types.js';
import { FIXTURES } from '../helpers/servers.js';

const recorded: ProbeFacts = JSON.parse(readFileSync(join(FIXTURES, 'probe', 'starttls-dialback-valid.json'), 'utf8'));
/** The certificate dates are judged at this time (the leaf is valid 2026-11-28 .. 2027-11-29). */
const NOW = Date.parse('2026-12-01T00:00:00Z');

function facts(change: (f: ProbeFacts) => void = () => {}): ProbeFacts {
  const f = structuredClone(recorded);
  change(f);
  return f;
}

function ids(f: ProbeFacts, o: Parameters<typeof evaluateProbe>[1] = {}): string[] {
  return evaluateProbe(f, { now: NOW, ...o }).map((x) => `${x.severity}:${x.id}`).sort();
}

const fail = (code: string, error = code) => ({ host: 'xmpp.peer.test', address: '192.0.2.1', port: 5269, tls: 'starttls' as const, source: 'srv' as const, ok: false, code, error, ms: 1 });

describe('evaluateProbe: the recorded good session', () => {
  it('is one info finding: federation works', () => {
    const out = evaluateProbe(facts(), { now: NOW });
    assert.deepEqual(out.map((x) => `${x.severity}:${x.id}`), ['info:probe.dialback.valid']);
    assert.equal(out[0]!.target, 'peer.test');
    assert.equal(out[0]!.title, 'peer.test verified our dialback key for us.test: federation works');
  });
  it('survives a JSON round trip unchanged (facts are plain data)', () => {
    assert.deepEqual(evaluateProbe(JSON.parse(JSON.stringify(facts())), { now: NOW }), evaluateProbe(facts(), { now: NOW }));
  });
});

describe('evaluateProbe: resolve and connect', () => {
  const unresolved = (change: (f: ProbeFacts) => void): ProbeFacts =>
    facts((f) => {
      for (const k of ['connected', 'stream', 'starttls', 'tls', 'secureStream', 'dialback'] as const) delete f[k];
      f.attempts = [];
      change(f);
    });
  it('no SRV target at all: probe.dns.no-target, with the DNS answers as evidence', () => {
    const f = unresolved((x) => (x.resolve = { found: 0, kept: 0, failed: false, responses: [{ name: '_xmpp-server._tcp.peer.test', type: 'SRV', rcode: 'NXDOMAIN', records: [], resolver: '127.0.0.10:53' }] }));
    const out = evaluateProbe(f, { now: NOW });
    assert.deepEqual(ids(f), ['error:probe.dns.no-target']);
    assert.equal(out[0]!.title, 'no server target for peer.test');
    assert.deepEqual(out[0]!.evidence, [{ label: '_xmpp-server._tcp.peer.test SRV', value: 'NXDOMAIN', source: '127.0.0.10:53' }]);
  });
  it('targets only of the other TLS mode: the title names the mode asked for', () => {
    const f = unresolved((x) => {
      x.tlsRequested = 'direct';
      x.resolve = { found: 2, kept: 0, failed: false, responses: [] };
    });
    assert.equal(evaluateProbe(f)[0]!.title, 'no _xmpps-server (direct TLS) target for peer.test');
  });
  it('no address for any target: probe.dns.no-target', () => {
    const f = unresolved((x) => (x.attempts = [{ ...fail('NOADDRESS', 'no A/AAAA record (A NXDOMAIN, AAAA NXDOMAIN)'), address: '-' }]));
    assert.deepEqual(ids(f), ['error:probe.dns.no-target']);
    assert.equal(evaluateProbe(f)[0]!.title, 'no address for any server target of peer.test');
  });
  it('a timeout among refusals: probe.tcp.timeout, counting the attempts', () => {
    const f = unresolved((x) => (x.attempts = [fail('ECONNREFUSED'), fail('TIMEOUT', 'no answer in 1000 ms')]));
    assert.deepEqual(ids(f), ['error:probe.tcp.timeout']);
    assert.equal(evaluateProbe(f)[0]!.title, 'no TCP answer from peer.test (1 of 2 attempts timed out)');
  });
  it('refused everywhere: probe.tcp.refused', () => {
    const f = unresolved((x) => (x.attempts = [fail('ECONNREFUSED'), fail('ECONNREFUSED')]));
    assert.deepEqual(ids(f), ['error:probe.tcp.refused']);
    assert.equal(evaluateProbe(f)[0]!.title, 'every server target of peer.test refused the connection');
  });
});

describe('evaluateProbe: TLS', () => {
  const directFailure = { mode: 'direct' as const, required: true, address: '192.0.2.1', port: 5269, message: 'wrong version number', code: 'ERR_SSL_WRONG_VERSION_NUMBER' };
  it('a direct-TLS target failed, a later one worked: a warning', () => {
    const f = facts((x) => {
      x.attempts.unshift({ ...fail('TLS', 'TLS handshake failed: wrong version number'), tls: 'direct' });
      x.tlsFailures = [directFailure];
    });
    assert.deepEqual(ids(f), ['info:probe.dialback.valid', 'warning:probe.tls.handshake-failed']);
    const w = evaluateProbe(f).find((x) => x.severity === 'warning')!;
    assert.equal(w.title, 'TLS handshake with 192.0.2.1:5269 failed (ERR_SSL_WRONG_VERSION_NUMBER) (a later target worked)');
    assert.match(w.fix, /Point _xmpps-server at the direct-TLS port/);
  });
  it('every direct-TLS target failed, another refused: the failure is an error next to the refusal', () => {
    const f = facts((x) => {
      for (const k of ['connected', 'stream', 'starttls', 'tls', 'secureStream', 'dialback'] as const) delete x[k];
      x.attempts = [{ ...fail('TLS', 'TLS handshake failed: wrong version number'), tls: 'direct' }, fail('ECONNREFUSED')];
      x.tlsFailures = [directFailure];
    });
    assert.deepEqual(ids(f), ['error:probe.tcp.refused', 'error:probe.tls.handshake-failed']);
    assert.equal(evaluateProbe(f).find((x) => x.id === 'probe.tcp.refused')!.title, '1 server target of peer.test refused the connection');
  });
  it('only direct-TLS failures: the handshake failure alone', () => {
    const f = facts((x) => {
      for (const k of ['connected', 'stream', 'starttls', 'tls', 'secureStream', 'dialback'] as const) delete x[k];
      x.attempts = [{ ...fail('TLS'), tls: 'direct' }];
      x.tlsFailures = [directFailure];
    });
    assert.deepEqual(ids(f), ['error:probe.tls.handshake-failed']);
  });
  const plainSession = (change: (f: ProbeFacts) => void) =>
    facts((x) => {
      delete x.tls;
      delete x.secureStream;
      change(x);
    });
  it('STARTTLS not offered: probe.tls.not-offered (dialback went on in plain text)', () => {
    const f = plainSession((x) => {
      x.stream!.features = ['dialback'];
      x.starttls = { offered: false, required: false };
    });
    assert.deepEqual(ids(f), ['error:probe.tls.not-offered', 'info:probe.dialback.valid']);
  });
  it('STARTTLS required and --no-tls: probe.tls.required-missing, dialback skipped', () => {
    const f = plainSession((x) => {
      x.tlsRequested = 'none';
      delete x.starttls!.answer;
      x.dialback = { key: 'xep-0220', outcome: 'skipped' };
    });
    assert.deepEqual(ids(f), ['error:probe.tls.required-missing']);
    assert.match(evaluateProbe(f)[0]!.title, /\(--no-tls\)$/);
  });
  it('<failure/> to STARTTLS: probe.tls.handshake-failed', () => {
    const f = plainSession((x) => {
      x.starttls!.answer = 'failure';
      delete x.dialback;
    });
    assert.deepEqual(ids(f), ['error:probe.tls.handshake-failed']);
    assert.equal(evaluateProbe(f)[0]!.title, 'peer.test answered STARTTLS with <failure/>');
  });
  it('a failed STARTTLS handshake with TLS required: handshake-failed and required-missing', () => {
    const f = plainSession((x) => {
      x.tlsFailures = [{ mode: 'starttls', required: true, address: '127.0.0.1', port: 5269, message: 'no TLS handshake in 1000 ms' }];
      delete x.dialback;
    });
    assert.deepEqual(ids(f), ['error:probe.tls.handshake-failed', 'error:probe.tls.required-missing']);
  });
  it('TLS 1.1: probe.tls.version-old', () => {
    assert.deepEqual(ids(facts((x) => (x.tls!.version = 'TLSv1.1'))), ['error:probe.tls.version-old', 'info:probe.dialback.valid']);
  });
});

describe('evaluateProbe: the certificate', () => {
  it('expired: probe.cert.expired (error; info with insecure)', () => {
    const later = Date.parse('2028-01-01T00:00:00Z');
    assert.deepEqual(ids(facts(), { now: later }), ['error:probe.cert.expired', 'info:probe.dialback.valid']);
    assert.deepEqual(ids(facts(), { now: later, insecure: true }), ['info:probe.cert.expired', 'info:probe.dialback.valid']);
  });
  it('findings name the options as the reader gave them: flags by default, config keys for doctor', () => {
    const later = Date.parse('2028-01-01T00:00:00Z');
    const title = (o: Parameters<typeof evaluateProbe>[1]) => evaluateProbe(facts(), o).find((f) => f.id === 'probe.cert.expired')!.title;
    assert.match(title({ now: later, insecure: true }), / \(--insecure: not counted as an error\)$/);
    assert.match(title({ now: later, insecure: true, names: PROBE_CONFIG_NAMES }), / \(probe\.insecure: not counted as an error\)$/);
  });
  it('not yet valid: probe.cert.not-yet-valid', () => {
    assert.deepEqual(ids(facts(), { now: Date.parse('2026-01-01T00:00:00Z') }), ['error:probe.cert.not-yet-valid', 'info:probe.dialback.valid']);
  });
  it('expiring within the warning window: probe.cert.expires-soon', () => {
    assert.deepEqual(ids(facts((x) => (x.tls!.chain[0]!.daysLeft = 5))), ['info:probe.dialback.valid', 'warning:probe.cert.expires-soon']);
    assert.deepEqual(ids(facts((x) => (x.tls!.chain[0]!.daysLeft = 5)), { expiresSoonDays: 3 }), ['info:probe.dialback.valid']);
  });
  it('self-signed: probe.cert.untrusted', () => {
    const f = facts((x) => {
      x.tls!.authorized = false;
      x.tls!.authorizationError = 'DEPTH_ZERO_SELF_SIGNED_CERT';
    });
    assert.deepEqual(ids(f), ['error:probe.cert.untrusted', 'info:probe.dialback.valid']);
  });
  it('an expired intermediate (the leaf is fine): probe.cert.untrusted naming it', () => {
    const f = facts((x) => {
      x.tls!.authorizationError = 'CERT_HAS_EXPIRED';
      x.tls!.chain[1]!.notAfter = '2026-11-30T00:00:00.000Z';
    });
    assert.deepEqual(ids(f), ['error:probe.cert.untrusted', 'info:probe.dialback.valid']);
    assert.match(evaluateProbe(f, { now: NOW }).find((x) => x.id === 'probe.cert.untrusted')!.title, /^a certificate in the chain of peer\.test is expired \(CN=xfed lab CA/);
  });
  it('an expired leaf: the date finding only, not also untrusted', () => {
    const f = facts((x) => (x.tls!.authorizationError = 'CERT_HAS_EXPIRED'));
    assert.deepEqual(ids(f, { now: Date.parse('2028-01-01T00:00:00Z') }), ['error:probe.cert.expired', 'info:probe.dialback.valid']);
  });
  it('no certificate readable: probe.cert.untrusted', () => {
    assert.deepEqual(ids(facts((x) => (x.tls!.chain = []))), ['error:probe.cert.untrusted', 'info:probe.dialback.valid']);
  });
  it('a name that is not the peer: probe.cert.name-mismatch, with the names presented', () => {
    const f = facts((x) => {
      x.tls!.identity = { matched: false, domain: 'peer.test' };
    });
    assert.deepEqual(ids(f), ['error:probe.cert.name-mismatch', 'info:probe.dialback.valid']);
    assert.deepEqual(evaluateProbe(f, { now: NOW }).find((x) => x.id === 'probe.cert.name-mismatch')!.evidence.map((e) => e.value), ['SRVName _xmpp-server.peer.test', 'DNS peer.test', 'CN peer.test']);
  });
  it('the peer named only in the CN: probe.cert.cn-only', () => {
    const f = facts((x) => (x.tls!.identity = { matched: true, method: 'cn', name: 'peer.test', domain: 'peer.test' }));
    assert.deepEqual(ids(f), ['info:probe.dialback.valid', 'warning:probe.cert.cn-only']);
  });
});

describe('evaluateProbe: the stream', () => {
  const cut = (phase: string, waitedFor: string, event: NonNullable<ProbeFacts['interrupted']>['event']) =>
    facts((x) => {
      for (const k of ['starttls', 'tls', 'secureStream', 'dialback'] as const) delete x[k];
      if (phase === 'stream' && waitedFor === 'a stream header') delete x.stream;
      x.interrupted = { phase, waitedFor, event };
    });
  it('silence: probe.stream.timeout', () => {
    assert.deepEqual(ids(cut('stream', 'a stream header', { kind: 'timeout' })), ['error:probe.stream.timeout']);
  });
  it('not XML: probe.peer.garbage', () => {
    const f = cut('stream', 'a stream header', { kind: 'parse-error', errorKind: 'not-xml', message: 'Unexpected character' });
    assert.deepEqual(ids(f), ['error:probe.peer.garbage']);
    assert.equal(evaluateProbe(f)[0]!.title, 'peer.test did not speak XMPP (not-xml)');
  });
  it('an element instead of the features: probe.peer.garbage', () => {
    assert.deepEqual(ids(cut('stream', 'stream features', { kind: 'element', name: 'message', ns: 'jabber:server' })), ['error:probe.peer.garbage']);
  });
  it('a stream error: probe.stream.error with its condition', () => {
    const f = cut('stream', 'stream features', { kind: 'stream-error', condition: 'host-unknown', text: 'no such host' });
    assert.deepEqual(ids(f), ['error:probe.stream.error']);
    assert.equal(evaluateProbe(f)[0]!.title, 'peer.test closed the stream with <host-unknown/>: no such host');
  });
  it('a close: probe.stream.closed', () => {
    assert.deepEqual(ids(cut('tls', '<proceed/>', { kind: 'closed', error: 'read ECONNRESET' })), ['error:probe.stream.closed']);
    assert.deepEqual(ids(cut('stream', 'stream features', { kind: 'end' })), ['error:probe.stream.closed']);
  });
  it('a client-stream header: probe.stream.bad-header (error), the session ends there', () => {
    const f = facts((x) => {
      for (const k of ['starttls', 'tls', 'secureStream', 'dialback'] as const) delete x[k];
      x.stream!.namespace = 'jabber:client';
      x.stream!.features = [];
    });
    assert.deepEqual(ids(f), ['error:probe.stream.bad-header']);
  });
  it('no version 1.0: probe.stream.bad-header (warning), no STARTTLS', () => {
    const f = facts((x) => {
      for (const k of ['tls', 'secureStream'] as const) delete x[k];
      delete x.stream!.version;
      x.stream!.features = [];
      x.starttls = { offered: false, required: false };
    });
    assert.deepEqual(ids(f), ['error:probe.tls.not-offered', 'info:probe.dialback.valid', 'warning:probe.stream.bad-header']);
  });
  it('the stream after STARTTLS is judged too (phase features)', () => {
    const f = facts((x) => delete x.secureStream!.id);
    const out = evaluateProbe(f, { now: NOW }).filter((x) => x.id === 'probe.stream.bad-header');
    assert.deepEqual(out.map((x) => `${x.severity}:${x.phase}`), ['error:features']);
  });
});

describe('evaluateProbe: dialback', () => {
  const db = (d: Partial<NonNullable<ProbeFacts['dialback']>>, change: (f: ProbeFacts) => void = () => {}) =>
    facts((x) => {
      x.dialback = { ...x.dialback!, ...d };
      change(x);
    });
  it('not offered: probe.dialback.not-offered', () => {
    const f = db({ outcome: 'not-offered' }, (x) => {
      x.secureStream!.features = ['sasl(EXTERNAL)'];
      x.secureStream!.dialbackNamespace = false;
      x.saslMechanisms = ['EXTERNAL'];
    });
    assert.deepEqual(ids(f), ['error:probe.dialback.not-offered']);
    assert.match(evaluateProbe(f)[0]!.detail, /SASL EXTERNAL/);
  });
  it('valid with a random key: a warning', () => {
    assert.deepEqual(ids(db({ key: 'random' })), ['warning:probe.dialback.valid']);
  });
  it('invalid: an error with the secret, info without', () => {
    assert.deepEqual(ids(db({ outcome: 'invalid' })), ['error:probe.dialback.invalid']);
    assert.deepEqual(ids(db({ outcome: 'invalid', key: 'random' })), ['info:probe.dialback.invalid']);
  });
  it('an error: with our from an error, with the default from expected (info)', () => {
    assert.deepEqual(ids(db({ outcome: 'error', condition: 'remote-server-not-found' })), ['error:probe.dialback.error']);
    assert.deepEqual(ids(db({ outcome: 'error', condition: 'remote-server-not-found', key: 'random' }, (x) => (x.from = 'xfed-probe.invalid'))), ['info:probe.dialback.error']);
  });
  it('a close instead of an answer: probe.dialback.error', () => {
    assert.deepEqual(ids(db({ outcome: 'closed' })), ['error:probe.dialback.error']);
  });
  it('no answer: probe.dialback.timeout, with the time waited and the callback targets', () => {
    const f = db({ outcome: 'timeout', timeoutMs: 30_000, callback: { source: '127.0.0.10:53', targets: [{ host: 'xmpp.us.test', port: 5269, via: '_xmpp-server' }] } });
    const out = evaluateProbe(f, { now: NOW });
    assert.deepEqual(ids(f), ['error:probe.dialback.timeout']);
    assert.equal(out[0]!.title, 'peer.test gave no dialback answer within 30 s');
    assert.deepEqual(out[0]!.evidence.at(-1), { label: 'callback', value: 'peer.test verifies via xmpp.us.test:5269 (_xmpp-server)', source: '127.0.0.10:53' });
  });
  it('db:verify replays: dialback.verify.valid / invalid / timeout / error', () => {
    const verify = (outcome: NonNullable<ProbeFacts['dialback']>['outcome']) => ids(db({ key: 'given', keyScheme: 'xep-0220', outcome }));
    assert.deepEqual(verify('valid'), ['info:dialback.verify.valid']);
    assert.deepEqual(verify('invalid'), ['error:dialback.verify.invalid']);
    assert.deepEqual(verify('timeout'), ['error:dialback.verify.timeout']);
    assert.deepEqual(verify('error'), ['error:dialback.verify.error']);
    assert.deepEqual(verify('closed'), ['error:dialback.verify.error']);
  });
  it('skipped: no finding', () => {
    assert.deepEqual(ids(db({ outcome: 'skipped' })), []);
  });
});

describe('evaluateProbe: limits and wrong verdicts (issue 10)', () => {
  const bare = (change: (f: ProbeFacts) => void) =>
    facts((x) => {
      for (const k of ['connected', 'stream', 'starttls', 'tls', 'secureStream', 'dialback'] as const) delete x[k];
      x.attempts = [];
      change(x);
    });
  it('the deadline cut the probe: probe.deadline.exceeded only (not tcp.timeout)', () => {
    const f = bare((x) => {
      x.deadlineMs = 2000;
      x.attempts = [fail('TIMEOUT', 'no answer in 500 ms'), fail('DEADLINE', 'stopped at the probe deadline')];
      x.cut = { deadline: { phase: 'tcp' }, targets: { found: 50, kept: 16 } };
    });
    assert.deepEqual(ids(f), ['error:probe.deadline.exceeded', 'warning:probe.targets.capped']);
    assert.equal(evaluateProbe(f).find((x) => x.id === 'probe.deadline.exceeded')!.title, 'the probe of peer.test did not finish within 2000 ms (stopped during tcp)');
  });
  it('the deadline during dialback: no dialback.timeout with the wrong duration', () => {
    const f = facts((x) => {
      x.dialback = { ...x.dialback!, outcome: 'timeout' };
      x.cut = { deadline: { phase: 'dialback' } };
    });
    assert.deepEqual(ids(f), ['error:probe.deadline.exceeded']);
  });
  it('too many addresses: probe.addresses.capped next to what the tried ones say', () => {
    const f = bare((x) => {
      x.attempts = [fail('ECONNREFUSED')];
      x.cut = { addresses: { found: 20, kept: 16 }, duplicates: 3 };
    });
    assert.deepEqual(ids(f), ['error:probe.tcp.refused', 'warning:probe.addresses.capped']);
  });
  it('EMFILE/ENFILE: probe.local.resources; refusals by the peer still counted apart', () => {
    assert.deepEqual(ids(bare((x) => (x.attempts = [fail('EMFILE', 'connect EMFILE'), fail('ENFILE')]))), ['error:probe.local.resources']);
    const mixed = bare((x) => (x.attempts = [fail('EMFILE'), fail('ECONNREFUSED')]));
    assert.deepEqual(ids(mixed), ['error:probe.local.resources', 'error:probe.tcp.refused']);
  });
  it("a valid answer for another domain pair: probe.dialback.mismatched-answer; matching case-insensitively is fine", () => {
    assert.deepEqual(ids(facts((x) => (x.dialback!.answer = { from: 'evil.example', to: 'us.test' }))), ['error:probe.dialback.mismatched-answer']);
    assert.deepEqual(ids(facts((x) => (x.dialback!.answer = { from: 'peer.test', to: 'them.test' }))), ['error:probe.dialback.mismatched-answer']);
    assert.deepEqual(ids(facts((x) => (x.dialback!.answer = { from: 'PEER.test', to: 'us.TEST' }))), ['info:probe.dialback.valid']);
  });
  it('a db:verify answer for another stream id: dialback.verify.mismatched-answer', () => {
    const f = facts((x) => (x.dialback = { key: 'given', keyScheme: 'xep-0220', streamId: 'abc', outcome: 'valid', answer: { from: 'peer.test', to: 'us.test', id: 'xyz' } }));
    assert.deepEqual(ids(f), ['error:dialback.verify.mismatched-answer']);
  });
});
