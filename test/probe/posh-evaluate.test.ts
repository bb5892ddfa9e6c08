/**
 * POSH (RFC 7711) and identity with delegation (POSH, DANE RFC 7673), evaluated from recorded
 * facts: no socket. The base is the recorded good session (test/probe/evaluate.test.ts); each
 * case changes the facts the way a real peer would.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evaluateProbe } from '../../src/probe/evaluate.js';
import { readPoshFile } from '../../src/probe/posh.js';
import type { PoshFacts } from '../../src/probe/posh-types.js';
import { PROBE_CONFIG_NAMES, type ProbeFacts } from '../../src/probe/types.js';
import type { DaneFacts } from '../../src/probe/dane-types.js';
import { FIXTURES } from '../helpers/servers.js';

const recorded: ProbeFacts = JSON.parse(readFileSync(join(FIXTURES, 'probe', 'starttls-dialback-valid.json'), 'utf8'));
const NOW = Date.parse('2026-12-01T00:00:00Z');
const URL0 = 'https://peer.test/.well-known/posh/xmpp-server.json';
/** The base64 SHA-256 of the recorded leaf (from its hex fingerprint). */
const LEAF256 = Buffer.from(recorded.tls!.chain[0]!.sha256.replace(/:/g, ''), 'hex').toString('base64');
const OTHER256 = createHash('sha256').update('another certificate').digest('base64');
const OTHER512 = createHash('sha512').update('another certificate').digest('base64');

function facts(change: (f: ProbeFacts) => void = () => {}): ProbeFacts {
  const f = structuredClone(recorded);
  change(f);
  return f;
}

function ids(f: ProbeFacts, o: Parameters<typeof evaluateProbe>[1] = {}): string[] {
  return evaluateProbe(f, { now: NOW, ...o }).map((x) => `${x.severity}:${x.id}`).sort();
}

function one(f: ProbeFacts, id: string, o: Parameters<typeof evaluateProbe>[1] = {}) {
  const x = evaluateProbe(f, { now: NOW, ...o }).find((y) => y.id === id);
  assert.ok(x, `${id} emitted`);
  return x;
}

function posh(p: Partial<PoshFacts> = {}): PoshFacts {
  return { url: URL0, outcome: 'found', requests: [{ url: URL0, address: '127.0.0.41', status: 200, bytes: 80, ms: 3 }], expires: 86400, fingerprints: [{ alg: 'sha-256', value: LEAF256 }], ms: 3, ...p };
}

/** The certificate names only the hosting provider's host, reached through SRV. */
function hosted(f: ProbeFacts): void {
  const leaf = f.tls!.chain[0]!;
  leaf.names = { dnsNames: ['xmpp.provider.test'], xmppAddrs: [], srvNames: [], ipAddresses: [], cns: ['xmpp.provider.test'] };
  leaf.subject = 'CN=xmpp.provider.test';
  f.tls!.identity = { matched: false, domain: 'peer.test' };
  f.connected = { host: 'xmpp.provider.test', address: '192.0.2.7', port: 5269, tls: 'starttls' };
  f.attempts = [{ host: 'xmpp.provider.test', address: '192.0.2.7', port: 5269, tls: 'starttls', source: 'srv', ok: true, ms: 2 }];
}

function dane(d: Partial<DaneFacts> & { matched?: DaneFacts['matched'] }): DaneFacts {
  const m = d.matched ?? { usage: 3, selector: 1, matchingType: 1, certIndex: 0 };
  const records = [{ usage: m.usage, selector: m.selector, matchingType: m.matchingType, data: 'ab'.repeat(32), matches: d.matched ? [m.certIndex] : [] }];
  return { name: '_5269._tcp.xmpp.provider.test', rcode: 'NOERROR', srvAuthenticated: true, tlsaAuthenticated: true, usable: true, records, ...d };
}

describe('POSH: a file that lists the presented certificate', () => {
  it('the certificate names the peer itself: probe.posh.match only', () => {
    assert.deepEqual(ids(facts((f) => (f.posh = posh()))), ['info:probe.dialback.valid', 'info:probe.posh.match']);
  });
  it('the certificate names only the provider: probe.cert.delegated (RFC 7711) instead of probe.cert.name-mismatch', () => {
    const f = facts((x) => {
      hosted(x);
      x.posh = posh();
    });
    assert.deepEqual(ids(f), ['info:probe.cert.delegated', 'info:probe.dialback.valid', 'info:probe.posh.match']);
    const d = one(f, 'probe.cert.delegated');
    assert.equal(d.title, 'the certificate does not name peer.test, but peer.test delegates to it by POSH (RFC 7711)');
    assert.deepEqual(d.references, ['https://www.rfc-editor.org/rfc/rfc7711']);
    assert.deepEqual(d.evidence.map((e) => e.value), [URL0, 'DNS xmpp.provider.test', 'CN xmpp.provider.test']);
  });
  it('delegated is info with --insecure too', () => {
    const f = facts((x) => {
      hosted(x);
      x.posh = posh();
    });
    assert.deepEqual(ids(f, { insecure: true }), ['info:probe.cert.delegated', 'info:probe.dialback.valid', 'info:probe.posh.match']);
  });
  it('through a url reference: the evidence and the detail name it', () => {
    const f = facts((x) => {
      hosted(x);
      x.posh = posh({ reference: 'https://provider.test/posh/peer.json' });
    });
    assert.match(one(f, 'probe.posh.match').detail, /through the reference https:\/\/provider\.test\/posh\/peer\.json/);
    assert.deepEqual(one(f, 'probe.cert.delegated').evidence[0], { label: 'posh', value: `${URL0} -> https://provider.test/posh/peer.json` });
  });
  it('a sha-512 fingerprint matches with the digests recorded at observation', () => {
    const f = facts((x) => {
      hosted(x);
      x.posh = posh({ fingerprints: [{ alg: 'sha-256', value: OTHER256 }, { alg: 'sha-512', value: OTHER512 }], presented: { sha256: LEAF256.replace(/^./, 'x'), sha512: OTHER512 } });
    });
    assert.deepEqual(ids(f), ['info:probe.cert.delegated', 'info:probe.dialback.valid', 'info:probe.posh.match']);
  });
});

describe('POSH: a file that does not list the presented certificate', () => {
  it('the certificate names only the provider: name-mismatch and posh.mismatch, both errors', () => {
    const f = facts((x) => {
      hosted(x);
      x.posh = posh({ fingerprints: [{ alg: 'sha-256', value: OTHER256 }] });
    });
    assert.deepEqual(ids(f), ['error:probe.cert.name-mismatch', 'error:probe.posh.mismatch', 'info:probe.dialback.valid']);
    const m = one(f, 'probe.posh.mismatch');
    assert.match(m.fix, /before the server switches to it/);
    assert.deepEqual(m.evidence.find((e) => e.label === 'published sha-256'), { label: 'published sha-256', value: OTHER256 });
  });
  it('the certificate names the peer itself: a warning (the session does not depend on it)', () => {
    assert.deepEqual(ids(facts((x) => (x.posh = posh({ fingerprints: [{ alg: 'sha-256', value: OTHER256 }] })))), ['info:probe.dialback.valid', 'warning:probe.posh.mismatch']);
  });
  it('no session certificate to compare: no POSH finding', () => {
    const f = facts((x) => {
      delete x.tls;
      x.posh = posh({ fingerprints: [{ alg: 'sha-256', value: OTHER256 }] });
    });
    assert.deepEqual(ids(f).filter((i) => i.includes('posh')), []);
  });
});

describe('POSH: a file that cannot be used, or none', () => {
  const bad = posh({ outcome: 'invalid', problem: 'not-json', reason: `${URL0} is not JSON` });
  delete bad.fingerprints;
  it('invalid, the certificate names only the provider: error, and name-mismatch says what POSH was', () => {
    const f = facts((x) => {
      hosted(x);
      x.posh = bad;
    });
    assert.deepEqual(ids(f), ['error:probe.cert.name-mismatch', 'error:probe.posh.invalid', 'info:probe.dialback.valid']);
    assert.equal(one(f, 'probe.posh.invalid').title, 'the POSH file of peer.test cannot be used (not-json)');
    assert.match(one(f, 'probe.cert.name-mismatch').detail, /POSH: invalid \(https:\/\/peer\.test\/\.well-known\/posh\/xmpp-server\.json is not JSON\)\.$/);
  });
  it('invalid, the certificate names the peer: warning; the fix names the option as the reader gave it', () => {
    const f = facts((x) => (x.posh = bad));
    assert.deepEqual(ids(f), ['info:probe.dialback.valid', 'warning:probe.posh.invalid']);
    assert.match(one(f, 'probe.posh.invalid').fix, /--no-posh\.$/);
    assert.match(one(f, 'probe.posh.invalid', { names: PROBE_CONFIG_NAMES }).fix, /probe\.posh: false\.$/);
  });
  it('absent (404) and skipped: no finding of their own; name-mismatch says POSH was absent', () => {
    const absent = posh({ outcome: 'absent', reason: `${URL0}: HTTP 404`, requests: [{ url: URL0, status: 404, ms: 1 }] });
    delete absent.fingerprints;
    assert.deepEqual(ids(facts((x) => (x.posh = absent))), ['info:probe.dialback.valid']);
    assert.deepEqual(ids(facts((x) => (x.posh = { url: URL0, outcome: 'skipped', reason: 'pinned', requests: [], ms: 0 }))), ['info:probe.dialback.valid']);
    const f = facts((x) => {
      hosted(x);
      x.posh = absent;
    });
    assert.deepEqual(ids(f), ['error:probe.cert.name-mismatch', 'info:probe.dialback.valid']);
    assert.match(one(f, 'probe.cert.name-mismatch').detail, /POSH: absent \(.*HTTP 404\)\.$/);
  });
});

describe('identity with delegation: DANE (RFC 7673) from recorded facts', () => {
  it('DANE-EE (3 1 1) matched and authenticated: delegated, no name check', () => {
    const f = facts((x) => {
      hosted(x);
      x.dane = dane({ matched: { usage: 3, selector: 1, matchingType: 1, certIndex: 0 } });
    });
    assert.deepEqual(ids(f), ['info:probe.cert.delegated', 'info:probe.dane.match', 'info:probe.dialback.valid']);
    const d = one(f, 'probe.cert.delegated');
    assert.equal(d.title, 'the certificate does not name peer.test, but peer.test delegates to it by DANE (RFC 7673)');
    assert.deepEqual(d.references, ['https://www.rfc-editor.org/rfc/rfc7673', 'https://www.rfc-editor.org/rfc/rfc7671#section-5.1']);
  });
  it('DANE-TA (2) matched, the certificate names the SRV target, SRV authenticated: delegated', () => {
    const f = facts((x) => {
      hosted(x);
      x.dane = dane({ matched: { usage: 2, selector: 0, matchingType: 1, certIndex: 1 } });
    });
    assert.deepEqual(ids(f), ['info:probe.cert.delegated', 'info:probe.dane.match', 'info:probe.dialback.valid']);
    assert.match(one(f, 'probe.cert.delegated').detail, /DANE-TA\) matches the chain and the certificate names the SRV target xmpp\.provider\.test/);
  });
  it('DANE-TA without an authenticated SRV, or with a certificate that does not name the target, or a pinned host: name-mismatch', () => {
    const ta = { usage: 2 as const, selector: 0, matchingType: 1, certIndex: 1 };
    const unsignedSrv = facts((x) => {
      hosted(x);
      x.dane = dane({ srvAuthenticated: false, usable: false, matched: ta });
    });
    const otherName = facts((x) => {
      hosted(x);
      x.tls!.chain[0]!.names!.dnsNames = ['other.provider.test'];
      x.dane = dane({ matched: ta });
    });
    const pinned = facts((x) => {
      hosted(x);
      x.attempts[0]!.source = 'pinned';
      x.dane = dane({ matched: ta });
    });
    // DANE does not apply without an authenticated SRV; otherwise the chain matches (probe.dane.match) but the names do not delegate.
    assert.deepEqual(ids(unsignedSrv), ['error:probe.cert.name-mismatch', 'info:probe.dialback.valid']);
    for (const f of [otherName, pinned]) assert.deepEqual(ids(f), ['error:probe.cert.name-mismatch', 'info:probe.dane.match', 'info:probe.dialback.valid']);
  });
  it('a TLSA record that is not usable (not authenticated) or did not match: name-mismatch', () => {
    const notUsable = facts((x) => {
      hosted(x);
      x.dane = dane({ usable: false, tlsaAuthenticated: false, matched: { usage: 3, selector: 1, matchingType: 1, certIndex: 0 } });
    });
    const noMatch = facts((x) => {
      hosted(x);
      x.dane = dane({});
    });
    assert.deepEqual(ids(notUsable), ['error:probe.cert.name-mismatch', 'info:probe.dialback.valid']);
    assert.deepEqual(ids(noMatch), ['error:probe.cert.name-mismatch', 'error:probe.dane.mismatch', 'info:probe.dialback.valid']);
  });
  it('POSH and DANE both: one delegated finding naming both', () => {
    const f = facts((x) => {
      hosted(x);
      x.posh = posh();
      x.dane = dane({ matched: { usage: 3, selector: 1, matchingType: 1, certIndex: 0 } });
    });
    assert.deepEqual(ids(f), ['info:probe.cert.delegated', 'info:probe.dane.match', 'info:probe.dialback.valid', 'info:probe.posh.match']);
    assert.equal(one(f, 'probe.cert.delegated').title, 'the certificate does not name peer.test, but peer.test delegates to it by POSH (RFC 7711) and DANE (RFC 7673)');
  });
});

describe('readPoshFile: the fields of RFC 7711', () => {
  const fp = { 'sha-256': OTHER256 };
  it('fingerprints and expires', () => {
    assert.deepEqual(readPoshFile({ fingerprints: [fp, { 'sha-512': OTHER512, other: 'x' }], expires: 3600 }), { fingerprints: [{ alg: 'sha-256', value: OTHER256 }, { alg: 'sha-512', value: OTHER512 }], expires: 3600 });
  });
  it('a url reference', () => {
    assert.deepEqual(readPoshFile({ url: 'https://h.test/p.json', expires: 0 }), { url: 'https://h.test/p.json', expires: 0 });
  });
  it('wrong fields, each said', () => {
    const cases: Array<[unknown, string]> = [
      [[fp], 'the file is not a JSON object'],
      ['x', 'the file is not a JSON object'],
      [{ expires: 1 }, 'no "fingerprints" (and no "url")'],
      [{ fingerprints: fp }, '"fingerprints" is not an array'],
      [{ fingerprints: ['x'] }, 'fingerprints[0] is not an object'],
      [{ fingerprints: [{ 'sha-256': 'not base64!' }] }, 'fingerprints[0]["sha-256"] is not the base64 of a 32-byte digest'],
      [{ fingerprints: [{ 'sha-256': OTHER512 }] }, 'fingerprints[0]["sha-256"] is not the base64 of a 32-byte digest'],
      [{ fingerprints: [{ md5: 'x' }] }, 'no "sha-256" or "sha-512" fingerprint'],
      [{ fingerprints: [fp], expires: '3600' }, '"expires" is not a number of seconds >= 0'],
      [{ fingerprints: [fp], expires: -1 }, '"expires" is not a number of seconds >= 0'],
      [{ url: 5 }, '"url" is not a string'],
    ];
    for (const [doc, problem] of cases) assert.deepEqual(readPoshFile(doc), { problem }, JSON.stringify(doc));
  });
});
