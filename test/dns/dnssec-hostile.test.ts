/**
 * A hostile resolver, in this process on loopback (UDP and TCP, ephemeral port): it sets AD on
 * every answer, truncates TLSA answers over UDP and sends 1,200 TLSA records over TCP (most of
 * them with rdata too short to be TLSA), and answers one SRV question with SERVFAIL even with
 * CD=1. check-dns must end with findings, never a crash or a hang.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { after, before, test } from 'node:test';
import { decodeMessage } from '../../src/dns/wire.js';
import { json, xfed } from '../helpers/cli.js';

let udp: UdpSocket;
let tcp: Server;
let resolver = '';

function name(n: string): Buffer {
  return Buffer.concat([...n.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
}

function rr(type: number, rdata: Buffer): Buffer {
  const h = Buffer.from([0xc0, 12, 0, type, 0, 1, 0, 0, 1, 0x2c, 0, 0]);
  h.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([h, rdata]);
}

/** The answer to a query: AD always; TC for TLSA over UDP. */
function answer(query: Buffer, overTcp: boolean): Buffer | undefined {
  const q = decodeMessage(query);
  if (!q) return undefined;
  const qEnd = 12 + name(q.qname).length + 4;
  let rcode = 0;
  let tc = false;
  const answers: Buffer[] = [];
  if (q.qtype === 33 && q.qname === '_xmpp-server._tcp.hostile.example') {
    const target = name('t.hostile.example');
    answers.push(rr(33, Buffer.concat([Buffer.from([0, 0, 0, 0, 0x14, 0x95]), target])));
  } else if (q.qtype === 33 && q.qname === '_xmpps-server._tcp.hostile.example') {
    rcode = 2; // SERVFAIL, with and without CD: a broken resolver, not a bogus zone.
  } else if (q.qtype === 1 && q.qname === 't.hostile.example') {
    answers.push(rr(1, Buffer.from([203, 0, 113, 5])));
  } else if (q.qtype === 52) {
    if (!overTcp) tc = true;
    else for (let i = 0; i < 1200; i++) answers.push(rr(52, i % 3 === 0 ? Buffer.concat([Buffer.from([3, 1, 1]), Buffer.alloc(32, i & 0xff)]) : Buffer.from([3, 1])));
  } else if (q.qtype === 6 && q.qname === '') {
    answers.push(rr(6, Buffer.concat([name('a.root'), name('b.root'), Buffer.alloc(20)])));
  }
  const h = Buffer.alloc(12);
  h.writeUInt16BE(q.id, 0);
  h.writeUInt16BE(0x8000 | 0x0100 | 0x0080 | 0x0020 | (tc ? 0x0200 : 0) | rcode, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(answers.length, 6);
  return Buffer.concat([h, query.subarray(12, qEnd), ...answers]);
}

before(async () => {
  udp = createSocket('udp4');
  udp.on('message', (m, r) => {
    const a = answer(m, false);
    if (a) udp.send(a, r.port, r.address);
  });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const port = udp.address().port;
  tcp = createServer((s) => {
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const a = answer(buf.subarray(2, 2 + buf.readUInt16BE(0)), true);
      if (!a) return void s.destroy();
      const len = Buffer.alloc(2);
      len.writeUInt16BE(a.length);
      s.end(Buffer.concat([len, a]));
    });
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', resolve));
  resolver = `127.0.0.1:${port}`;
});

after(() => {
  udp.close();
  tcp.close();
});

test('a resolver that sets AD on everything and sends 1,200 TLSA records, most malformed: findings, capped facts, no crash', async () => {
  const r = await xfed(['check-dns', '--json', '--timeout', '3000', '--resolver', resolver, 'hostile.example'], { timeoutMs: 30_000 });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, '');
  const doc = json(r);
  const t = doc.targets[0];
  assert.deepEqual(t.findings.map((f: { id: string; severity: string }) => `${f.id}:${f.severity}`).sort(), [
    'dns.dnssec.signed:info',
    'dns.resolver.failed:error',
    'dns.response.truncated:info',
    'dns.srv.ok:info',
    'dns.tlsa.malformed:warning',
  ]);
  const tlsa = t.data.dns.tlsa[0];
  assert.equal(tlsa.name, '_5269._tcp.t.hostile.example');
  assert.equal(tlsa.records.length, 32);
  assert.ok(tlsa.malformed.length <= 33, String(tlsa.malformed.length));
  assert.match(tlsa.malformed.at(-1), /more unusable records|more TLSA records not read/);
  // SERVFAIL with and without CD: a resolver failure, not bogus.
  assert.deepEqual(t.data.dns.dnssec.bogus, []);
  // The human report stays short: at most a few TLSA lines without --verbose.
  const h = await xfed(['check-dns', '--timeout', '3000', '--resolver', resolver, 'hostile.example'], { timeoutMs: 30_000 });
  assert.ok(h.stdout.split('\n').length < 120, `${h.stdout.split('\n').length} lines`);
});
