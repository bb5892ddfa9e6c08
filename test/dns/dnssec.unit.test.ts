/**
 * DNSSEC and TLSA without sockets: the codec (AD/CD flags, TLSA rdata, malformed and huge
 * answers), check-dns evaluation from recorded facts, and the probe's DANE matching against
 * certificates made with openssl (test/lab/certs.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { decodeMessage } from '../../src/dns/wire.js';
import { readTlsaRecords, tlsaName, tlsaProblem, MAX_TLSA_RECORDS } from '../../src/dns/tlsa.js';
import { evaluateDns, type DnsFacts } from '../../src/dns/check.js';
import type { QueryLog, TlsaInfo } from '../../src/dns/facts.js';
import { daneFacts, evaluateDane, matchChain, srvAuthenticated } from '../../src/probe/dane.js';
import type { ProbeFacts } from '../../src/probe/types.js';
import { der, makeCa, makeLeaf } from '../lab/certs.js';

const ids = (fs: Array<{ id: string; severity: string }>) => fs.map((f) => `${f.id}:${f.severity}`).sort();

/** A response header: id 7, QR, RD, RA (+ AD/CD), one question, `an` answers. */
function header(an: number, flags = 0): Buffer {
  const b = Buffer.from([0, 7, 0x81, 0x80, 0, 1, 0, an, 0, 0, 0, 0]);
  b.writeUInt16BE(0x8180 | flags, 2);
  return b;
}
const QNAME = Buffer.from([5, ...Buffer.from('_5269'), 4, ...Buffer.from('_tcp'), 1, 0x78, 7, ...Buffer.from('example'), 0]);
const question = (type: number) => Buffer.concat([QNAME, Buffer.from([0, type, 0, 1])]);
function rr(type: number, rdata: Buffer): Buffer {
  const h = Buffer.from([0xc0, 12, 0, type, 0, 1, 0, 0, 1, 0x2c, 0, 0]);
  h.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([h, rdata]);
}
const tlsaRdata = (u: number, s: number, m: number, data: Buffer) => Buffer.concat([Buffer.from([u, s, m]), data]);

test('decodeMessage: AD and CD flags, TLSA rdata parsed, RRSIG proofs left out', () => {
  const digest = createHash('sha256').update('x').digest();
  const msg = Buffer.concat([header(3, 0x0030), question(52), rr(52, tlsaRdata(3, 1, 1, digest)), rr(46, Buffer.alloc(30, 1)), rr(52, tlsaRdata(2, 0, 2, Buffer.alloc(64, 0xab)))]);
  const m = decodeMessage(msg)!;
  assert.equal(m.ad, true);
  assert.equal(m.cd, true);
  assert.deepEqual(m.answers.map((r) => r.type), ['TLSA', 'TLSA']);
  assert.deepEqual(m.answers[0]!.tlsa, { usage: 3, selector: 1, matchingType: 1, data: digest.toString('hex') });
  assert.equal(m.answers[0]!.data, `3 1 1 ${digest.toString('hex')}`);
  assert.equal(m.answers[0]!.name, '_5269._tcp.x.example');
  const plain = decodeMessage(Buffer.concat([header(0), question(52)]))!;
  assert.equal(plain.ad, false);
  assert.equal(plain.cd, false);
});

test('decodeMessage: malformed TLSA rdata is named on the record, the rest of the answer kept', () => {
  const good = tlsaRdata(3, 1, 1, Buffer.alloc(32, 1));
  const m = decodeMessage(Buffer.concat([header(3, 0x0020), question(52), rr(52, Buffer.from([3, 1])), rr(52, Buffer.alloc(0)), rr(52, good)]))!;
  assert.equal(m.answers.length, 3);
  assert.match(m.answers[0]!.malformed!, /TLSA rdata of 2 bytes/);
  assert.match(m.answers[1]!.malformed!, /TLSA rdata of 0 bytes/);
  const read = readTlsaRecords(m.answers);
  assert.equal(read.records.length, 1);
  assert.equal(read.malformed.length, 2);
});

test('TLSA: unusable parameters and digest lengths are named; a huge RRset is capped, never thrown', () => {
  const rec = (usage: number, selector: number, matchingType: number, bytes: number) => ({ tlsa: { usage, selector, matchingType, data: 'ab'.repeat(bytes) } });
  assert.equal(tlsaProblem(rec(3, 1, 1, 32)), undefined);
  assert.equal(tlsaProblem(rec(2, 0, 2, 64)), undefined);
  assert.equal(tlsaProblem(rec(3, 0, 0, 500)), undefined);
  assert.match(tlsaProblem(rec(3, 1, 1, 31))!, /31 bytes of association data for SHA-256 \(32 expected\)/);
  assert.match(tlsaProblem(rec(3, 1, 2, 32))!, /SHA-512 \(64 expected\)/);
  assert.match(tlsaProblem(rec(4, 1, 1, 32))!, /unknown certificate usage 4/);
  assert.match(tlsaProblem(rec(3, 2, 1, 32))!, /unknown selector 2/);
  assert.match(tlsaProblem(rec(3, 1, 3, 32))!, /unknown matching type 3/);
  assert.match(tlsaProblem(rec(3, 1, 0, 0))!, /no association data/);
  // 1,000 records of 64 bytes, as a TCP answer could carry: decoded, and capped when read.
  const many = Array.from({ length: 1000 }, (_, i) => rr(52, tlsaRdata(3, 1, 2, Buffer.alloc(64, i & 0xff))));
  const m = decodeMessage(Buffer.concat([header(0), question(52), ...many].map((b, i) => (i === 0 ? (b.writeUInt16BE(1000, 6), b) : b))))!;
  assert.equal(m.answers.length, 1000);
  const read = readTlsaRecords(m.answers);
  assert.equal(read.records.length, MAX_TLSA_RECORDS);
  assert.deepEqual(read.malformed, [`${1000 - MAX_TLSA_RECORDS} more TLSA records not read (at most ${MAX_TLSA_RECORDS} are kept)`]);
  assert.equal(tlsaName('XMPP.Example.', 5269), '_5269._tcp.xmpp.example');
});

// ---- check-dns evaluation from recorded facts ----

function q(name: string, type: string, rcode: string, authenticated: boolean): QueryLog {
  return { name, type, rcode, resolver: '127.0.0.1:53', transport: 'udp', truncated: false, authoritative: false, authenticated, ms: 1, records: [] };
}

function facts(p: { validating?: boolean; ad?: boolean; tlsa?: TlsaInfo[]; bogus?: boolean; srvAd?: boolean }): DnsFacts {
  const ad = p.ad ?? true;
  const srv = { service: 'xmpp-server' as const, target: 'xmpp.d.example', port: 5269, priority: 0, weight: 0, ttl: 300, tls: 'starttls' as const, rank: 1, share: 1, addresses: [{ address: '203.0.113.1', family: 4 as const, ttl: 300, class: 'public' as const }], resolvable: true };
  return {
    domain: 'd.example',
    unicode: 'd.example',
    resolver: '127.0.0.1:53',
    services: [
      { service: 'xmpp-server', name: '_xmpp-server._tcp.d.example', rcode: p.bogus ? 'SERVFAIL' : 'NOERROR', records: p.bogus ? [] : [srv] },
      { service: 'xmpps-server', name: '_xmpps-server._tcp.d.example', rcode: 'NOERROR', records: [] },
    ],
    domainAddresses: [],
    domainRcode: 'NOERROR',
    queries: [
      q('_xmpp-server._tcp.d.example', 'SRV', p.bogus ? 'SERVFAIL' : 'NOERROR', !p.bogus && (p.srvAd ?? ad)),
      q('_xmpps-server._tcp.d.example', 'SRV', 'NOERROR', p.srvAd ?? ad),
      q('xmpp.d.example', 'A', 'NOERROR', ad),
      q('other.example', 'A', 'NOERROR', false),
    ],
    dnssec: {
      validating: p.validating ?? true,
      probe: { rcode: 'NOERROR', authenticated: p.validating ?? true, resolver: '127.0.0.1:53' },
      bogus: p.bogus ? [{ name: '_xmpp-server._tcp.d.example', type: 'SRV', rcode: 'SERVFAIL', cdRcode: 'NOERROR', resolver: '127.0.0.1:53' }] : [],
    },
    tlsa: p.tlsa ?? [],
  };
}

const tlsaSet = (p: Partial<TlsaInfo> = {}): TlsaInfo => ({
  name: '_5269._tcp.xmpp.d.example',
  target: 'xmpp.d.example',
  port: 5269,
  rcode: 'NOERROR',
  authenticated: true,
  srvAuthenticated: true,
  records: [{ usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32), ttl: 300 }],
  ...p,
});

test('evaluateDns: DNSSEC verdicts from a validating resolver (signed, unsigned, --dnssec, bogus)', () => {
  const base = ['dns.srv.ok:info', 'dns.xmpps.absent:info'];
  assert.deepEqual(ids(evaluateDns(facts({}))), [...base, 'dns.dnssec.signed:info'].sort());
  assert.deepEqual(ids(evaluateDns(facts({ ad: false }))), [...base, 'dns.dnssec.unsigned:info'].sort());
  assert.deepEqual(ids(evaluateDns(facts({ ad: false }), { dnssec: true })), [...base, 'dns.dnssec.unsigned:warning'].sort());
  // Partly unsigned (the SRV records are, the target's address is not): unsigned, naming the name.
  const partly = facts({});
  partly.queries[2]!.authenticated = false;
  const f = evaluateDns(partly).find((x) => x.id === 'dns.dnssec.unsigned')!;
  assert.match(f.title, /Part of d\.example is not DNSSEC-signed \(xmpp\.d\.example\)/);
  assert.deepEqual(f.evidence.map((e) => e.label), ['A xmpp.d.example']);
  // Bogus: the error names the question; the SERVFAIL is not also a resolver failure; nothing is called missing.
  const bogus = evaluateDns(facts({ bogus: true }));
  assert.deepEqual(ids(bogus), ['dns.dnssec.bogus:error']);
  assert.match(bogus[0]!.title, /DNSSEC validation fails for _xmpp-server\._tcp\.d\.example \(SRV\)/);
  assert.match(bogus[0]!.evidence[0]!.value, /SERVFAIL; with CD=1: NOERROR/);
});

test('evaluateDns: a resolver that does not validate gives no DNSSEC verdict, and says so', () => {
  const r = evaluateDns(facts({ validating: false, ad: true, tlsa: [tlsaSet({ authenticated: false })] }));
  assert.deepEqual(ids(r), ['dns.dnssec.resolver-not-validating:info', 'dns.srv.ok:info', 'dns.xmpps.absent:info']);
  // Facts recorded before DNSSEC was observed: nothing about it.
  const old = facts({});
  delete old.dnssec;
  assert.deepEqual(ids(evaluateDns(old)), ['dns.srv.ok:info', 'dns.xmpps.absent:info']);
});

test('evaluateDns: TLSA records peers ignore (TLSA or SRV not authenticated) and unusable ones', () => {
  const base = ['dns.dnssec.signed:info', 'dns.srv.ok:info', 'dns.xmpps.absent:info'];
  assert.deepEqual(ids(evaluateDns(facts({ tlsa: [tlsaSet()] }))), base);
  assert.deepEqual(ids(evaluateDns(facts({ tlsa: [tlsaSet({ records: [] })] }))), base);
  assert.deepEqual(ids(evaluateDns(facts({ tlsa: [tlsaSet({ authenticated: false })] }))), [...base, 'dns.tlsa.unsigned:warning'].sort());
  const srvUnsigned = evaluateDns(facts({ srvAd: false, tlsa: [tlsaSet({ srvAuthenticated: false })] }));
  assert.deepEqual(ids(srvUnsigned), ['dns.dnssec.unsigned:info', 'dns.srv.ok:info', 'dns.tlsa.unsigned:warning', 'dns.xmpps.absent:info']);
  assert.match(srvUnsigned.find((x) => x.id === 'dns.tlsa.unsigned')!.title, /the SRV RRset that leads to xmpp\.d\.example is not DNSSEC-authenticated/);
  const bad = evaluateDns(facts({ tlsa: [tlsaSet({ records: [], malformed: ['TLSA rdata of 2 bytes (at least 4 needed: usage, selector, matching type, data)'] })] }));
  assert.deepEqual(ids(bad), [...base, 'dns.tlsa.malformed:warning'].sort());
  // Malformed records are named even through a resolver that does not validate.
  const nv = evaluateDns(facts({ validating: false, tlsa: [tlsaSet({ authenticated: false, malformed: ['x'] })] }));
  assert.deepEqual(ids(nv), ['dns.dnssec.resolver-not-validating:info', 'dns.srv.ok:info', 'dns.tlsa.malformed:warning', 'dns.xmpps.absent:info']);
});

// ---- the probe's DANE matching ----

const ca = makeCa();
const leaf = makeLeaf({ cn: 'xmpp.d.example', dns: ['xmpp.d.example'] }, ca);
const other = makeLeaf({ cn: 'xmpp.d.example', dns: ['xmpp.d.example'] }, ca);
const chain = [Buffer.from(der(leaf.cert)), Buffer.from(der(ca.cert))];
const spki = (pem: string) => new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
const hex = (alg: string, b: Buffer) => createHash(alg).update(b).digest('hex');

test('matchChain: selectors 0/1 and matching types 0/1/2 against the presented chain', () => {
  assert.deepEqual(matchChain(chain, { selector: 1, matchingType: 1, data: hex('sha256', spki(leaf.cert)) }), [0]);
  assert.deepEqual(matchChain(chain, { selector: 1, matchingType: 2, data: hex('sha512', spki(leaf.cert)) }), [0]);
  assert.deepEqual(matchChain(chain, { selector: 0, matchingType: 1, data: hex('sha256', chain[1]!) }), [1]);
  assert.deepEqual(matchChain(chain, { selector: 0, matchingType: 0, data: chain[0]!.toString('hex').toUpperCase() }), [0]);
  assert.deepEqual(matchChain(chain, { selector: 1, matchingType: 0, data: spki(leaf.cert).toString('hex') }), [0]);
  assert.deepEqual(matchChain(chain, { selector: 1, matchingType: 1, data: hex('sha256', spki(other.cert)) }), []);
});

function probeFacts(dane: ProbeFacts['dane']): ProbeFacts {
  return { peer: 'd.example', from: 'xfed-probe.invalid', attempts: [], connected: { host: 'xmpp.d.example', address: '127.0.0.2', port: 5269, tls: 'starttls' }, tls: { mode: 'starttls', required: true, chain: [], authorized: true }, ...(dane ? { dane } : {}) };
}

test('daneFacts + evaluateDane: match, mismatch, and nothing unless DANE applies', () => {
  const rec = (usage: number, selector: number, matchingType: number, data: string) => ({ usage, selector, matchingType, data, ttl: 300 });
  const good = rec(3, 1, 1, hex('sha256', spki(leaf.cert)));
  const ta = rec(2, 0, 1, hex('sha256', chain[1]!));
  const wrong = rec(3, 1, 1, hex('sha256', spki(other.cert)));
  const eeOnCa = rec(3, 0, 1, hex('sha256', chain[1]!));
  const name = '_5269._tcp.xmpp.d.example';
  const m = daneFacts(name, 'NOERROR', true, true, { records: [wrong, good], malformed: [] }, chain);
  assert.equal(m.usable, true);
  assert.deepEqual(m.matched, { usage: 3, selector: 1, matchingType: 1, certIndex: 0 });
  assert.deepEqual(m.records.map((r) => r.matches), [[], [0]]);
  assert.deepEqual(ids(evaluateDane(probeFacts(m)).map((d) => ({ id: d.id, severity: d.severity }))), ['probe.dane.match:info']);
  assert.deepEqual(daneFacts(name, 'NOERROR', true, undefined, { records: [ta], malformed: [] }, chain).matched, { usage: 2, selector: 0, matchingType: 1, certIndex: 1 });
  // DANE-EE binds the leaf only: a "3" record for the CA certificate is a mismatch.
  const mm = daneFacts(name, 'NOERROR', true, true, { records: [wrong, eeOnCa], malformed: [] }, chain);
  assert.equal(mm.matched, undefined);
  assert.deepEqual(mm.records.map((r) => r.matches), [[], [1]]);
  const drafts = evaluateDane(probeFacts(mm));
  assert.deepEqual(drafts.map((d) => `${d.id}:${d.severity}`), ['probe.dane.mismatch:error']);
  assert.match(drafts[0]!.fix!, new RegExp(`TLSA 3 1 1 ${hex('sha256', spki(leaf.cert))}`));
  assert.equal(drafts[0]!.evidence!.filter((e) => e.label === 'TLSA').length, 2);
  // Not authenticated (TLSA or SRV), or only PKIX usages: DANE does not apply, no finding.
  for (const d of [
    daneFacts(name, 'NOERROR', false, true, { records: [wrong], malformed: [] }, chain),
    daneFacts(name, 'NOERROR', true, false, { records: [wrong], malformed: [] }, chain),
    daneFacts(name, 'NOERROR', true, true, { records: [rec(1, 1, 1, hex('sha256', spki(other.cert)))], malformed: [] }, chain),
    daneFacts(name, 'NXDOMAIN', true, true, { records: [], malformed: [] }, chain),
  ]) {
    assert.equal(d.usable, false);
    assert.deepEqual(evaluateDane(probeFacts(d)), []);
  }
  assert.deepEqual(evaluateDane(probeFacts(undefined)), []);
});

test('DANE-TA: a digest must match a certificate the server sent (RFC 7671 §5.2.2); "2 0 0" carries its anchor in DNS', () => {
  const rec = (usage: number, selector: number, matchingType: number, data: string) => ({ usage, selector, matchingType, data, ttl: 300 });
  const name = '_5269._tcp.xmpp.d.example';
  const digest = rec(2, 0, 1, hex('sha256', chain[1]!));
  const full = rec(2, 0, 0, Buffer.from(chain[1]!).toString('hex'));
  // The server sent the leaf alone; node added the CA from the trust store.
  const leafOnly = daneFacts(name, 'NOERROR', true, true, { records: [digest], malformed: [] }, chain, 1);
  assert.equal(leafOnly.sent, 1);
  assert.deepEqual(leafOnly.records[0]!.matches, [1]);
  assert.equal(leafOnly.matched, undefined);
  const drafts = evaluateDane(probeFacts(leafOnly));
  assert.deepEqual(drafts.map((d) => `${d.id}:${d.severity}`), ['probe.dane.mismatch:error']);
  assert.match(drafts[0]!.evidence!.find((e) => e.label === 'TLSA')!.value, /which the server does not send: a DANE-TA digest needs the trust anchor in the server's chain \(RFC 7671 §5\.2\.2\)$/);
  // The whole trust anchor in DNS ("2 0 0") may match a certificate the server left out.
  assert.deepEqual(daneFacts(name, 'NOERROR', true, true, { records: [full], malformed: [] }, chain, 1).matched, { usage: 2, selector: 0, matchingType: 0, certIndex: 1 });
  // Sent in full: the digest matches, and `sent` is not recorded.
  const both = daneFacts(name, 'NOERROR', true, true, { records: [digest], malformed: [] }, chain, 2);
  assert.deepEqual([both.sent, both.matched?.certIndex], [undefined, 1]);
});

test('srvAuthenticated: only the SRV answers that named the connected host count; no SRV (pinned, fallback): undefined', () => {
  const f = (source: 'srv' | 'fallback' | 'pinned', adPlain: boolean, adDirect: boolean): ProbeFacts => ({
    ...probeFacts(undefined),
    attempts: [{ host: 'xmpp.d.example', address: '127.0.0.2', port: 5269, tls: 'starttls', source, ok: true, ms: 1 }],
    resolve: {
      found: 1,
      kept: 1,
      failed: false,
      responses: [
        { name: '_xmpp-server._tcp.d.example', type: 'SRV', rcode: 'NOERROR', records: ['0 0 5269 XMPP.d.example'], ...(adPlain ? { authenticated: true } : {}) },
        { name: '_xmpps-server._tcp.d.example', type: 'SRV', rcode: 'NOERROR', records: ['0 0 5270 other.d.example'], ...(adDirect ? { authenticated: true } : {}) },
      ],
    },
  });
  assert.equal(srvAuthenticated(f('srv', true, false), 'xmpp.d.example'), true);
  assert.equal(srvAuthenticated(f('srv', false, true), 'xmpp.d.example'), false);
  assert.equal(srvAuthenticated(f('pinned', true, true), 'xmpp.d.example'), undefined);
  assert.equal(srvAuthenticated(f('fallback', false, false), 'xmpp.d.example'), undefined);
});
