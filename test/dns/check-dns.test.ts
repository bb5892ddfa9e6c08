// @needs-servers: starts Debian servers (unbound, Prosody, ejabberd); `npm run test:unit` leaves this file out.
/**
 * check-dns end to end: the real bin/xfed against a real unbound serving fixtures/dns/example.zone.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasBinary } from '../helpers/servers.js';
import { json, xfed } from '../helpers/cli.js';
import { startExampleDns, type ExampleDns } from './dns-server.js';

let dns: ExampleDns;
const skip = hasBinary('unbound') ? false : 'unbound is not installed (scripts/setup.sh installs it)';

before(async () => {
  if (!skip) dns = await startExampleDns();
});

type Run = { targets: Array<{ target: string; display?: string; verdict: string; findings: Array<{ id: string; severity: string; evidence: unknown[]; fix: string }>; data: { dns: any } }>; schema: number; summary: any; exitCode: number };

async function check(domains: string[], extra: string[] = []) {
  const r = await xfed(['check-dns', '--json', '--resolver', dns.resolver, ...extra, ...domains]);
  return { r, doc: json<Run>(r) };
}

const problems = (t: Run['targets'][number]) => t.findings.filter((f) => f.severity !== 'info').map((f) => `${f.id}:${f.severity}`).sort();

// domain -> the exact warning/error findings it must produce, and the exit code alone.
const CASES: Array<[string, string[], number]> = [
  ['good.example', [], 0],
  ['nosrv.example', ['dns.srv.missing:warning'], 0],
  ['nothing.example', ['dns.srv.missing:error'], 1],
  ['decline.example', ['dns.srv.decline:error'], 1],
  ['mixdecline.example', ['dns.srv.decline:warning'], 0],
  ['cname.example', ['dns.srv.target-cname:warning'], 0],
  ['unres.example', ['dns.srv.target-unresolvable:error'], 1],
  ['halfres.example', ['dns.srv.target-unresolvable:warning'], 0],
  ['private.example', ['dns.srv.target-private:error'], 1],
  ['mixedpriv.example', ['dns.srv.target-private:warning'], 0],
  ['cgnat.example', ['dns.srv.target-private:error'], 1],
  ['loop.example', ['dns.srv.target-private:error'], 1],
  ['port.example', ['dns.srv.port-nonstandard:warning'], 0],
  ['xmpps.example', ['dns.xmpps.starttls-port:error'], 1],
  ['xmppsonly.example', ['dns.srv.missing:warning'], 0],
  ['iptarget.example', ['dns.srv.target-ip:error'], 1],
  ['nosuch.example', ['dns.domain.nxdomain:error'], 1],
  ['outside-the-zone.org', ['dns.resolver.failed:error'], 1],
  ['srvalias.example', [], 0],
  ['portzero.example', ['dns.srv.port-zero:error'], 1],
  ['mapped.example', ['dns.srv.target-private:error'], 1],
  ['nat64.example', ['dns.srv.target-private:error'], 1],
];

for (const [domain, expected, code] of CASES) {
  test(`check-dns ${domain} -> ${expected.join(', ') || 'clean'} (exit ${code})`, { skip }, async () => {
    const { r, doc } = await check([domain]);
    assert.equal(r.code, code, r.stderr);
    assert.equal(doc.exitCode, code);
    assert.equal(doc.schema, 1);
    assert.deepEqual(problems(doc.targets[0]!), expected);
    for (const f of doc.targets[0]!.findings) assert.ok(f.evidence.length > 0, `${f.id} has evidence`);
  });
}

test('a healthy domain: records, TTLs, addresses, order and the resolver are in the JSON', { skip }, async () => {
  const { doc } = await check(['good.example']);
  const t = doc.targets[0]!;
  assert.equal(t.verdict, 'ok');
  const dnsData = t.data.dns;
  const srv = dnsData.services.find((s: any) => s.service === 'xmpp-server').records[0];
  assert.equal(srv.target, 'xmpp.good.example');
  assert.equal(srv.port, 5269);
  assert.equal(srv.ttl, 300);
  assert.deepEqual(srv.addresses.map((a: any) => a.address).sort(), ['2001:db8::10', '203.0.113.10']);
  assert.ok(dnsData.queries.every((q: any) => q.resolver === dns.resolver));
  assert.ok(dnsData.queries.some((q: any) => q.type === 'AAAA' && q.records.some((x: any) => x.data === '2001:db8::10' && typeof x.ttl === 'number')));
  assert.deepEqual(t.findings.map((f) => `${f.severity}:${f.id}`).sort(), ['info:dns.dnssec.resolver-not-validating', 'info:dns.srv.ok']);
});

test('XEP-0368 merge: priority then weight, across _xmpp-server and _xmpps-server', { skip }, async () => {
  const { doc } = await check(['weights.example']);
  const recs = doc.targets[0]!.data.dns.services.flatMap((s: any) => s.records);
  const order = recs.sort((a: any, b: any) => a.rank - b.rank).map((e: any) => `${e.target}:${e.tls}`);
  assert.deepEqual(order, ['a.weights.example:starttls', 'b.weights.example:starttls', 'd.weights.example:direct', 'c.weights.example:starttls']);
});

test('IDN: a U-label is queried as its A-label and shown both ways', { skip }, async () => {
  const { r, doc } = await check(['bücher.example']);
  assert.equal(r.code, 0);
  assert.equal(doc.targets[0]!.target, 'xn--bcher-kva.example');
  assert.equal(doc.targets[0]!.display, 'bücher.example');
  const human = await xfed(['check-dns', '--resolver', dns.resolver, 'bücher.example']);
  assert.match(human.stdout, /bücher\.example \(xn--bcher-kva\.example\)/);
});

test('--allow-private turns private targets into info', { skip }, async () => {
  const { r, doc } = await check(['private.example'], ['--allow-private']);
  assert.equal(r.code, 0);
  assert.deepEqual(doc.targets[0]!.findings.map((f) => `${f.severity}:${f.id}`).sort(), ['info:dns.dnssec.resolver-not-validating', 'info:dns.srv.ok', 'info:dns.srv.target-private', 'info:dns.xmpps.absent']);
});

test('--strict makes warnings fail', { skip }, async () => {
  const { r } = await check(['nosrv.example'], ['--strict']);
  assert.equal(r.code, 1);
});

test('a truncated UDP answer is fetched again over TCP and flagged', { skip }, async () => {
  const { doc } = await check(['big.example']);
  const t = doc.targets[0]!;
  const q = t.data.dns.queries.find((x: any) => x.name === '_xmpp-server._tcp.big.example');
  assert.equal(q.truncated, true);
  assert.equal(q.transport, 'tcp');
  assert.equal(q.records.length, 40);
  assert.deepEqual(t.findings.map((f) => `${f.severity}:${f.id}`).sort(), ['info:dns.dnssec.resolver-not-validating', 'info:dns.response.truncated', 'info:dns.srv.ok', 'info:dns.xmpps.absent', 'warning:dns.srv.target-unresolvable']);
});

test('--tcp asks over TCP only', { skip }, async () => {
  const { doc } = await check(['good.example'], ['--tcp']);
  // Every question over TCP; the TLSA questions of the targets are NXDOMAIN (the example zone has none).
  assert.ok(doc.targets[0]!.data.dns.queries.every((q: any) => q.transport === 'tcp' && (q.rcode === 'NOERROR' || (q.type === 'TLSA' && q.rcode === 'NXDOMAIN'))));
});

test('--client checks the client records too', { skip }, async () => {
  const { doc } = await check(['noclient.example', 'good.example'], ['--client']);
  assert.deepEqual(problems(doc.targets[0]!), ['dns.client.missing:warning']);
  assert.deepEqual(problems(doc.targets[1]!), []);
  assert.ok(doc.targets[1]!.data.dns.services.some((s: any) => s.service === 'xmpp-client' && s.records.length === 1));
});

test('DNS-over-HTTPS (RFC 8484) against unbound, with TLS verification on', { skip }, async () => {
  const ok = await xfed(['check-dns', '--json', '--doh', dns.doh, 'good.example'], { env: { NODE_EXTRA_CA_CERTS: dns.ca } });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.ok(json<Run>(ok).targets[0]!.data.dns.queries.every((q: any) => q.transport === 'doh' && q.resolver === dns.doh));
  // Without trusting the test CA, the certificate is refused: a resolver failure, never "missing".
  const bad = await xfed(['check-dns', '--json', '--doh', dns.doh, 'good.example']);
  assert.equal(bad.code, 1);
  assert.deepEqual(problems(json<Run>(bad).targets[0]!), ['dns.resolver.failed:error']);
});

test('a resolver that never answers: dns.resolver.failed within the timeout, not a hang', { skip }, async () => {
  const sink = createSocket('udp4');
  sink.bind(0, '127.0.10.54');
  await once(sink, 'listening');
  try {
    const silent = `127.0.10.54:${sink.address().port}`;
    const one = await xfed(['check-dns', '--json', '--timeout', '400', '--resolver', silent, 'good.example']);
    assert.equal(one.code, 1);
    const t = json<Run>(one).targets[0]!;
    assert.deepEqual(problems(t), ['dns.resolver.failed:error']);
    assert.ok(t.data.dns.queries.every((q: any) => q.rcode === 'TIMEOUT'));
    // A long list does not wait out one timeout per question: the resolver is marked down.
    const many = Array.from({ length: 300 }, (_, i) => `d${i}.example`).join('\n');
    const r = await xfed(['check-dns', '--json', '--timeout', '400', '--resolver', silent, '--file', '-'], { input: many });
    assert.equal(r.code, 1);
    assert.ok(r.ms < 5000, `300 domains took ${r.ms} ms`);
    const doc = json<Run>(r);
    assert.equal(doc.targets.length, 300);
    assert.ok(doc.targets.every((x) => problems(x).join() === 'dns.resolver.failed:error'));
    assert.ok(doc.targets.some((x) => x.data.dns.queries.some((q: any) => /considered down/.test(q.error))));
  } finally {
    sink.close();
  }
});

test('a failing first resolver falls through to the next one', { skip }, async () => {
  const r = await xfed(['check-dns', '--json', '--timeout', '300', '--resolver', '127.0.10.55:53', '--resolver', dns.resolver, 'good.example']);
  assert.equal(r.code, 0);
  assert.ok(json<Run>(r).targets[0]!.data.dns.queries.every((q: any) => q.resolver === dns.resolver));
});

test('--file and stdin: many domains, one table, input order kept, duplicates merged', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xfed-'));
  const file = join(dir, 'domains.txt');
  writeFileSync(file, '# partners\ngood.example\nnosrv.example\n\nGOOD.example\nprivate.example\n');
  const r = await xfed(['check-dns', '--json', '--resolver', dns.resolver, '--file', file]);
  assert.deepEqual(json<Run>(r).targets.map((t) => t.target), ['good.example', 'nosrv.example', 'private.example']);
  assert.equal(r.code, 1);
  const s = await xfed(['check-dns', '--resolver', dns.resolver, '--file', '-', '--concurrency', '2'], { input: 'good.example\nnothing.example\n' });
  assert.match(s.stdout, /TARGET\s+VERDICT/);
  assert.match(s.stdout, /nothing\.example\s+FAIL/);
  assert.match(s.stdout, /2 targets, 1 error/);
});

test('bad input exits 2 with one line on stderr and nothing on stdout', async () => {
  const cases: string[][] = [
    ['check-dns', 'not a domain'],
    ['check-dns', 'localhost'],
    ['check-dns'],
    ['check-dns', '--resolver', 'dns.example', 'good.example'],
    ['check-dns', '--concurrency', '0', 'good.example'],
    ['check-dns', '--timeout', 'soon', 'good.example'],
    ['check-dns', '--file', '/nonexistent/domains.txt'],
    ['check-dns', '--doh', 'ftp://x/', 'good.example'],
    ['check-dns', '--doh', 'http://dns.example/dns-query', 'good.example'],
    ['check-dns', '--no-such-option', 'good.example'],
    ['no-such-command'],
  ];
  for (const args of cases) {
    const r = await xfed(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '', args.join(' '));
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')} -> ${r.stderr}`);
    assert.match(lines[0]!, /^xfed: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('--help and --version exit 0; NO_COLOR and --no-color give plain text', { skip }, async () => {
  const v = await xfed(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  const h = await xfed(['check-dns', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /--allow-private/);
  const colored = await xfed(['check-dns', '--resolver', dns.resolver, 'nothing.example'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
  assert.match(colored.stdout, /\u001b\[/);
  const plain = await xfed(['check-dns', '--no-color', '--resolver', dns.resolver, 'nothing.example'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
  assert.doesNotMatch(plain.stdout, /\u001b\[/);
});

test('the answer decoder agrees with dns2 on real answers from unbound', { skip }, async () => {
  const { default: dns2 } = await import('dns2');
  const { decodeMessage } = await import('../../src/dns/wire.js');
  const { encodeQuery } = await import('../../src/dns/client.js');
  const { toRecord } = await import('./dns2-records.js');
  const sock = createSocket('udp4');
  const questions: Array<[string, 'SRV' | 'A' | 'AAAA' | 'SOA' | 'TXT' | 'NS']> = [
    ['_xmpp-server._tcp.good.example', 'SRV'],
    ['xmpp.good.example', 'AAAA'],
    ['xmpp.mixedpriv.example', 'AAAA'],
    ['alias.cname.example', 'A'],
    ['_xmpp-server._tcp.decline.example', 'SRV'],
    ['nosuch.example', 'A'],
    ['nothing.example', 'TXT'],
    ['example', 'SOA'],
    ['example', 'NS'],
    ['_xmpp-server._tcp.weights.example', 'SRV'],
  ];
  try {
    for (const [name, type] of questions) {
      sock.send(encodeQuery(7, name, type), 53, '127.0.10.53');
      const [msg] = (await once(sock, 'message')) as [Buffer];
      const ours = decodeMessage(msg)!;
      const theirs = dns2.Packet.parse(msg) as unknown as { header: { rcode: number; aa: number }; answers: Record<string, unknown>[]; authorities: Record<string, unknown>[] };
      assert.equal(ours.rcode, theirs.header.rcode, name);
      assert.equal(ours.aa, Boolean(theirs.header.aa), name);
      assert.deepEqual(ours.answers, theirs.answers.map(toRecord), `${type} ${name}`);
      assert.deepEqual(ours.authority.map((r) => [r.name, r.type, r.ttl]), theirs.authorities.map(toRecord).map((r) => [r.name, r.type, r.ttl]), name);
    }
  } finally {
    sock.close();
  }
});
