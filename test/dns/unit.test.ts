import { test } from 'node:test';
import { BlockList, isIP, SocketAddress } from 'node:net';
import assert from 'node:assert/strict';
import { orderSrv, rankSrv } from '../../src/dns/srv.js';
import { classifyAddress, embeddedIpv4 } from '../../src/dns/address.js';
import { domainProblem, parseDomain, parseDomainList } from '../../src/dns/names.js';
import { parseResolver } from '../../src/dns/client.js';
import { evaluateDns, type DnsSection, type SrvEntry } from '../../src/dns/check.js';
import { UsageError } from '../../src/core/errors.js';

test('orderSrv: lower priority first, whatever the weights', () => {
  const recs = [
    { id: 'c', priority: 20, weight: 100 },
    { id: 'a', priority: 10, weight: 0 },
    { id: 'b', priority: 10, weight: 0 },
  ];
  const order = orderSrv(recs, () => 0.5).map((r) => r.id);
  assert.deepEqual(order.slice(2), ['c']);
  assert.deepEqual(new Set(order.slice(0, 2)), new Set(['a', 'b']));
});

test('orderSrv: weighted draw follows RFC 2782 (running sum >= random in [0, total])', () => {
  const recs = [
    { id: 'light', priority: 0, weight: 10 },
    { id: 'heavy', priority: 0, weight: 90 },
  ];
  // random() * 101 -> 0..10 picks "light" (running sum 10), above picks "heavy".
  assert.equal(orderSrv(recs, () => 0.05)[0]!.id, 'light');
  assert.equal(orderSrv(recs, () => 0.5)[0]!.id, 'heavy');
  // Statistically, heavy comes first about 90% of the time.
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let heavyFirst = 0;
  for (let i = 0; i < 2000; i++) if (orderSrv(recs, rnd)[0]!.id === 'heavy') heavyFirst++;
  assert.ok(heavyFirst > 1700 && heavyFirst < 1900, `heavy first ${heavyFirst}/2000`);
});

test('orderSrv: weight-0 records come first in the draw (chosen when random is 0)', () => {
  const recs = [
    { id: 'w5', priority: 0, weight: 5 },
    { id: 'w0', priority: 0, weight: 0 },
  ];
  assert.equal(orderSrv(recs, () => 0)[0]!.id, 'w0');
});

test('rankSrv: deterministic report order with shares per priority', () => {
  const ranked = rankSrv([
    { id: 'b', priority: 10, weight: 30 },
    { id: 'a', priority: 10, weight: 70 },
    { id: 'd', priority: 15, weight: 0 },
    { id: 'c', priority: 20, weight: 0 },
  ]);
  assert.deepEqual(
    ranked.map((r) => [r.record.id, r.rank, r.share]),
    [
      ['a', 1, 0.7],
      ['b', 2, 0.3],
      ['d', 3, 1],
      ['c', 4, 1],
    ],
  );
});

test('classifyAddress: every non-public class the issue names', () => {
  const cases: Array<[string, string]> = [
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.10', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.10.1', 'link-local'],
    ['100.64.1.1', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['203.0.113.10', 'public'],
    ['8.8.8.8', 'public'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fd00::40', 'ula'],
    ['fc12::1', 'ula'],
    ['2001:db8::10', 'public'],
    ['::ffff:192.168.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    // Embedded IPv4, in the hex form the wire decoder writes too: classified by the embedded address.
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:a01:203', 'private'],
    ['::FFFF:7F00:1', 'loopback'],
    ['::ffff:0:10.1.2.3', 'private'],
    ['::10.1.2.3', 'private'],
    ['64:ff9b::192.168.1.1', 'private'],
    ['64:ff9b::c0a8:101', 'private'],
    ['64:ff9b::808:808', 'public'],
    ['2002:a01:203::1', 'private'],
    ['2002:6440:101::', 'cgnat'],
    ['2002:cb00:710a::1', 'public'],
    ['::', 'unspecified'],
    ['2001:db8::a01:203', 'public'],
  ];
  for (const [addr, cls] of cases) assert.equal(classifyAddress(addr), cls, addr);
});

test('classifyAddress: the same class as net.BlockList over the ranges and their edges (arithmetic vs the oracle)', () => {
  const ranges: Array<[string, string, number, 'ipv4' | 'ipv6']> = [
    ['private', '10.0.0.0', 8, 'ipv4'], ['private', '172.16.0.0', 12, 'ipv4'], ['private', '192.168.0.0', 16, 'ipv4'],
    ['loopback', '127.0.0.0', 8, 'ipv4'], ['link-local', '169.254.0.0', 16, 'ipv4'], ['cgnat', '100.64.0.0', 10, 'ipv4'],
    ['unspecified', '0.0.0.0', 8, 'ipv4'], ['multicast', '224.0.0.0', 4, 'ipv4'], ['loopback', '::1', 128, 'ipv6'],
    ['unspecified', '::', 128, 'ipv6'], ['link-local', 'fe80::', 10, 'ipv6'], ['ula', 'fc00::', 7, 'ipv6'], ['multicast', 'ff00::', 8, 'ipv6'],
  ];
  const lists = ranges.map(([cls, net, prefix, type]) => {
    const bl = new BlockList();
    bl.addSubnet(net, prefix, type);
    return [cls, bl, type] as const;
  });
  const oracle = (address: string): string => {
    const a = embeddedIpv4(address) ?? address.toLowerCase();
    const fam = isIP(a);
    if (fam === 0) return 'public';
    const sa = new SocketAddress({ address: a, family: fam === 4 ? 'ipv4' : 'ipv6' });
    for (const [cls, bl, type] of lists) if ((type === 'ipv4') === (fam === 4) && bl.check(sa)) return cls;
    return 'public';
  };
  const v4: string[] = [];
  for (const a of [0, 1, 9, 10, 11, 99, 100, 126, 127, 128, 168, 169, 170, 171, 172, 191, 192, 193, 223, 224, 239, 240, 255])
    for (const b of [0, 1, 15, 16, 31, 32, 63, 64, 127, 128, 167, 168, 169, 253, 254, 255]) v4.push(`${a}.${b}.0.1`, `${a}.${b}.255.255`);
  const v6 = ['::2', '::1:0', '1::', 'fe7f::1', 'fe80::', 'febf:ffff::1', 'fec0::1', 'fbff::1', 'fc00::', 'fdff::1', 'fe00::1', 'feff::1', 'ff00::', 'ffff::1', '2001:db8::1', '8000::1', '0:0:0:0:0:0:0:1'];
  // Not addresses for net.isIP (leading zeros, out of range, wrong shape): public, as before.
  const bad = ['01.2.3.4', '1.2.3.04', '256.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.4.', '', '.1.2.3', '1.2.3.a', '1.2.3.2555', 'fe80::1::2', 'example.com'];
  for (const a of [...v4, ...v6, ...bad]) assert.equal(classifyAddress(a), oracle(a), a);
});

test('parseDomain: IDN to A-label, both forms kept; trailing dot and case normalised', () => {
  assert.deepEqual(parseDomain('Bücher.Example.'), { ascii: 'xn--bcher-kva.example', unicode: 'bücher.example' });
  assert.deepEqual(parseDomain('xn--bcher-kva.example'), { ascii: 'xn--bcher-kva.example', unicode: 'bücher.example' });
  assert.deepEqual(parseDomain('EXAMPLE.com'), { ascii: 'example.com', unicode: 'example.com' });
});

test('domainProblem: invalid domains are refused with a reason', () => {
  for (const bad of ['', 'localhost', '192.0.2.1', '[::1]', 'user@example.com', 'example.com:5269', 'a b.com', '-bad.example', 'bad-.example', 'a..b', `${'x'.repeat(64)}.com`, 'under_score.example', 'example.123']) {
    assert.ok(domainProblem(bad), `should refuse "${bad}"`);
  }
  for (const ok of ['example.com', 'a.b.c.example', 'xn--bcher-kva.example', 'bücher.example', '1and1.example']) {
    assert.equal(domainProblem(ok), undefined, ok);
  }
  assert.throws(() => parseDomain('not a domain'), UsageError);
});

test('parseDomainList: comments and blank lines ignored', () => {
  assert.deepEqual(parseDomainList('a.example\n# comment\n\n  b.example  # trailing\r\nc.example'), ['a.example', 'b.example', 'c.example']);
});

test('parseResolver: ip, ip:port, [v6]:port, bare v6; bad ones refused', () => {
  assert.deepEqual(parseResolver('127.0.0.1'), { address: '127.0.0.1', port: 53 });
  assert.deepEqual(parseResolver('127.0.0.1:5353'), { address: '127.0.0.1', port: 5353 });
  assert.deepEqual(parseResolver('[::1]:5353'), { address: '::1', port: 5353 });
  assert.deepEqual(parseResolver('::1'), { address: '::1', port: 53 });
  for (const bad of ['dns.example', '1.2.3', '127.0.0.1:0', '127.0.0.1:70000', '[::1]:x']) assert.throws(() => parseResolver(bad), UsageError, bad);
});

function entry(p: Partial<SrvEntry>): SrvEntry {
  return {
    service: 'xmpp-server',
    target: 'xmpp.d.example',
    port: 5269,
    priority: 0,
    weight: 0,
    ttl: 300,
    tls: 'starttls',
    rank: 1,
    share: 1,
    addresses: [{ address: '203.0.113.1', family: 4, ttl: 300, class: 'public' }],
    resolvable: true,
    ...p,
  };
}

function section(server: SrvEntry[], xmpps: SrvEntry[] = [], extra: Partial<DnsSection> = {}): DnsSection {
  return {
    domain: 'd.example',
    unicode: 'd.example',
    resolver: '127.0.0.1:53',
    services: [
      { service: 'xmpp-server', name: '_xmpp-server._tcp.d.example', rcode: server.length ? 'NOERROR' : 'NXDOMAIN', records: server },
      { service: 'xmpps-server', name: '_xmpps-server._tcp.d.example', rcode: xmpps.length ? 'NOERROR' : 'NXDOMAIN', records: xmpps },
    ],
    domainAddresses: [],
    domainRcode: 'NOERROR',
    queries: [],
    ...extra,
  };
}

const ids = (fs: Array<{ id: string; severity: string }>) => fs.map((f) => `${f.id}:${f.severity}`).sort();

test('evaluateDns: a healthy domain gives only info', () => {
  assert.deepEqual(ids(evaluateDns(section([entry({})]))), ['dns.srv.ok:info', 'dns.xmpps.absent:info']);
});

test('evaluateDns: missing SRV is a warning with a fallback address, an error without', () => {
  const withAddr = section([], [], { domainAddresses: [{ address: '203.0.113.9', family: 4, ttl: 60, class: 'public' }] });
  assert.deepEqual(ids(evaluateDns(withAddr)), ['dns.srv.missing:warning']);
  assert.deepEqual(ids(evaluateDns(section([]))), ['dns.srv.missing:error']);
});

test('evaluateDns: a resolver failure is never reported as missing', () => {
  const s = section([]);
  s.services[0]!.rcode = 'SERVFAIL';
  s.queries = [{ name: '_xmpp-server._tcp.d.example', type: 'SRV', rcode: 'SERVFAIL', resolver: 'r', transport: 'udp', truncated: false, authoritative: false, ms: 1, records: [] }];
  assert.deepEqual(ids(evaluateDns(s)), ['dns.resolver.failed:error']);
});

test('evaluateDns: private targets are errors, or info with allowPrivate; mixed is a warning', () => {
  const priv = entry({ addresses: [{ address: '10.0.0.1', family: 4, ttl: 1, class: 'private' }] });
  assert.deepEqual(ids(evaluateDns(section([priv]))), ['dns.srv.ok:info', 'dns.srv.target-private:error', 'dns.xmpps.absent:info']);
  assert.deepEqual(ids(evaluateDns(section([priv]), { allowPrivate: true })), ['dns.srv.ok:info', 'dns.srv.target-private:info', 'dns.xmpps.absent:info']);
  const mixed = entry({ addresses: [{ address: '203.0.113.1', family: 4, ttl: 1, class: 'public' }, { address: 'fd00::1', family: 6, ttl: 1, class: 'ula' }] });
  assert.deepEqual(ids(evaluateDns(section([mixed]))), ['dns.srv.ok:info', 'dns.srv.target-private:warning', 'dns.xmpps.absent:info']);
});

test('evaluateDns: unresolvable target is an error only when no target is usable', () => {
  const dead = entry({ target: 'dead.d.example', addresses: [], resolvable: false });
  assert.deepEqual(ids(evaluateDns(section([dead]))), ['dns.srv.target-unresolvable:error', 'dns.xmpps.absent:info']);
  assert.deepEqual(ids(evaluateDns(section([dead, entry({ rank: 2 })]))), ['dns.srv.ok:info', 'dns.srv.target-unresolvable:warning', 'dns.xmpps.absent:info']);
  // Could not tell (resolver failure): no unresolvable finding.
  assert.deepEqual(ids(evaluateDns(section([entry({ addresses: [], resolvable: null })]))), ['dns.xmpps.absent:info']);
});

test('evaluateDns: port, direct-TLS port, CNAME, IP target and decline rules', () => {
  assert.deepEqual(ids(evaluateDns(section([entry({ port: 5280 })]))), ['dns.srv.ok:info', 'dns.srv.port-nonstandard:warning', 'dns.xmpps.absent:info']);
  const xs = entry({ service: 'xmpps-server', tls: 'direct', port: 5269 });
  assert.deepEqual(ids(evaluateDns(section([entry({})], [xs]))), ['dns.srv.ok:info', 'dns.xmpps.starttls-port:error']);
  assert.deepEqual(ids(evaluateDns(section([entry({ cname: 'a -> b' })]))), ['dns.srv.ok:info', 'dns.srv.target-cname:warning', 'dns.xmpps.absent:info']);
  assert.deepEqual(ids(evaluateDns(section([entry({ target: '192.0.2.1', addresses: [], resolvable: null })]))), ['dns.srv.target-ip:error', 'dns.xmpps.absent:info']);
  assert.deepEqual(ids(evaluateDns(section([entry({ target: '.', port: 0, rank: 0 })]))), ['dns.srv.decline:error']);
  assert.deepEqual(ids(evaluateDns(section([entry({ target: '.', port: 0 }), entry({})]))), ['dns.srv.decline:warning', 'dns.srv.ok:info', 'dns.xmpps.absent:info']);
});

test('evaluateDns: NXDOMAIN domain reports only the root cause', () => {
  assert.deepEqual(ids(evaluateDns(section([], [], { domainRcode: 'NXDOMAIN' }))), ['dns.domain.nxdomain:error']);
});

test('encodeQuery: byte-identical to dns2\'s encoder (header, question, EDNS OPT 1232 with DO; CD on request)', async () => {
  const { default: dns2 } = await import('dns2');
  const { encodeQuery } = await import('../../src/dns/client.js');
  const { Packet } = dns2;
  const cases = [['_xmpp-server._tcp.xn--bcher-kva.example', 'SRV', false], ['a.example.', 'AAAA', false], ['example', 'A', true], ['_5269._tcp.xmpp.example', 'TLSA', false], ['.', 'SOA', false]] as const;
  for (const [name, type, cd] of cases) {
    const q = new Packet();
    q.header.id = 4660;
    q.header.rd = 1;
    if (cd) (q.header as unknown as { cd: number }).cd = 1;
    const typeCode = type === 'TLSA' ? 52 : Packet.TYPE[type];
    q.questions.push({ name: name.replace(/\.$/, ''), type: typeCode, class: Packet.CLASS.IN } as never);
    q.additionals.push((Packet.Resource.EDNS as unknown as (r: object[], o: object) => never)([], { udpPayloadSize: 1232, doFlag: true }));
    assert.equal(encodeQuery(4660, name, type, { cd }).toString('hex'), q.toBuffer().toString('hex'), name);
  }
});

test('decodeMessage: malformed answers are refused, never thrown or looped', async () => {
  const { decodeMessage } = await import('../../src/dns/wire.js');
  const header = (an: number) => Buffer.from([0, 7, 0x81, 0x80, 0, 0, 0, an, 0, 0, 0, 0]);
  // A compression pointer to itself.
  assert.equal(decodeMessage(Buffer.concat([header(1), Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4])])), undefined);
  // An answer cut short.
  assert.equal(decodeMessage(Buffer.concat([header(1), Buffer.from([1, 0x61, 0, 0, 1, 0, 1, 0, 0])])), undefined);
  // An A record with 3 bytes of rdata.
  assert.equal(decodeMessage(Buffer.concat([header(1), Buffer.from([0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 3, 1, 2, 3])])), undefined);
  assert.equal(decodeMessage(Buffer.from([1, 2, 3])), undefined);
  // A well-formed one, with a pointer to the question name.
  const ok = Buffer.concat([
    Buffer.from([0, 7, 0x85, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]),
    Buffer.from([1, 0x61, 7, ...Buffer.from('example'), 0, 0, 28, 0, 1]),
    Buffer.from([0xc0, 12, 0, 28, 0, 1, 0, 0, 1, 0x2c, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10]),
  ]);
  const m = decodeMessage(ok)!;
  assert.equal(m.aa, true);
  assert.deepEqual(m.answers, [{ name: 'a.example', type: 'AAAA', ttl: 300, data: '2001:db8::10', address: '2001:db8::10' }]);
});

test('evaluateDns: a lone "." _xmpps-server record does not hide a missing _xmpp-server', () => {
  const declined = entry({ service: 'xmpps-server', tls: 'direct', target: '.', port: 0, rank: 0 });
  assert.deepEqual(ids(evaluateDns(section([], [declined]))), ['dns.srv.decline:info', 'dns.srv.missing:error']);
});

test('evaluateDns: no SRV and a failed A/AAAA lookup is "could not tell", not missing', () => {
  const s = section([], [], { domainRcode: 'SERVFAIL' });
  s.queries = [{ name: 'd.example', type: 'A', rcode: 'SERVFAIL', resolver: 'r', transport: 'udp', truncated: false, authoritative: false, ms: 1, records: [] }];
  assert.deepEqual(ids(evaluateDns(s)), ['dns.resolver.failed:error']);
});

test('evaluateDns: "." on _xmpp-server is a warning when direct-TLS targets work', () => {
  const decl = entry({ target: '.', port: 0, rank: 0 });
  const xs = entry({ service: 'xmpps-server', tls: 'direct', port: 5270 });
  assert.deepEqual(ids(evaluateDns(section([decl], [xs]))), ['dns.srv.decline:warning', 'dns.srv.ok:info']);
});

test('answerRecords follows the CNAME chain from the name asked, and only it', async () => {
  const { answerRecords } = await import('../../src/dns/client.js');
  const r = {
    name: '_xmpp-server._tcp.cn.example',
    records: [
      { name: '_xmpp-server._tcp.cn.example', type: 'CNAME', ttl: 60, data: '', target: '_xmpp-server._tcp.provider.example' },
      { name: '_xmpp-server._tcp.provider.example', type: 'SRV', ttl: 60, data: '0 0 5269 xmpp.provider.example', target: 'xmpp.provider.example', port: 5269, priority: 0, weight: 0 },
      { name: '_xmpp-server._tcp.other.example', type: 'SRV', ttl: 60, data: 'x', target: 'evil.example', port: 5269, priority: 0, weight: 0 },
    ],
  };
  const out = answerRecords(r, 'SRV');
  assert.deepEqual(out.records.map((x) => x.target), ['xmpp.provider.example']);
  assert.deepEqual(out.aliases, ['_xmpp-server._tcp.cn.example -> _xmpp-server._tcp.provider.example']);
  // A CNAME loop ends, it does not spin.
  const loop = { name: 'a.example', records: [{ name: 'a.example', type: 'CNAME', ttl: 1, data: '', target: 'b.example' }, { name: 'b.example', type: 'CNAME', ttl: 1, data: '', target: 'a.example' }] };
  assert.deepEqual(answerRecords(loop, 'A').records, []);
});
