/**
 * check-dns against hostile DNS servers run in this process on loopback (UDP and TCP on one
 * port; DoH over http to loopback, which the client allows for a local proxy). Each case
 * asserts the exit code, the exact set of findings, and a bound on time (issue 10, items 8, 9).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { json, xfed, type CliResult } from '../helpers/cli.js';
import { fromZone, rdata, response, startHostileDns, T, type Handler, type Rr } from './dns-server.js';

const D = 'h.test';
const SRV = `_xmpp-server._tcp.${D}`;
const TIMEOUT = 1000;

/** A healthy zone for D: one SRV target with a public address. */
const GOOD: Record<string, Rr[]> = {
  [`${SRV}|SRV`]: [{ name: SRV, type: T.SRV, rdata: rdata.srv(0, 0, 5269, `xmpp.${D}`) }],
  [`xmpp.${D}|A`]: [{ name: `xmpp.${D}`, type: T.A, rdata: rdata.a('203.0.113.7') }],
  [`${D}|A`]: [{ name: D, type: T.A, rdata: rdata.a('203.0.113.8') }],
};

type Doc = { exitCode: number; targets: Array<{ findings: Array<{ id: string; severity: string; evidence: Array<{ value: string }> }>; data: { dns: { queries: Array<{ name: string; type: string; rcode: string; error?: string }> } } }> };

async function checkDns(handler: Handler, extra: string[] = []): Promise<{ r: CliResult; doc: Doc; findings: string[] }> {
  const dns = await startHostileDns(handler);
  try {
    const r = await xfed(['check-dns', '--json', '--timeout', String(TIMEOUT), '--resolver', dns.resolver, ...extra, D], { timeoutMs: 60_000 });
    const doc = json<Doc>(r);
    return { r, doc, findings: doc.targets[0]!.findings.map((f) => `${f.id}:${f.severity}`).sort() };
  } finally {
    await dns.close();
  }
}

function srvQuery(doc: Doc) {
  return doc.targets[0]!.data.dns.queries.find((q) => q.name === SRV && q.type === 'SRV')!;
}

for (const transport of ['udp', 'tcp'] as const) {
  const flags = transport === 'tcp' ? ['--tcp'] : [];
  describe(`hostile answers over ${transport}`, { concurrency: true }, () => {
    test('an answer for another name is ignored, never read as NXDOMAIN', async () => {
      const { r, doc, findings } = await checkDns((q) => [response({ id: q.id, qname: `evil.example`, qtype: q.qtype, rcode: 3 })], flags);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(findings, ['dns.dnssec.resolver-not-validating:info', 'dns.resolver.failed:error']);
      assert.equal(srvQuery(doc).rcode, 'BADANSWER');
      assert.match(srvQuery(doc).error!, /another question \(evil\.example SRV\)/);
      assert.ok(r.ms < 8000, `${r.ms} ms`);
    });

    test('a wrong answer followed by the right one: the right one is used', async () => {
      const { r, findings } = await checkDns((q) => [response({ id: q.id, qname: `other.${D}`, qtype: q.qtype, rcode: 3 }), fromZone(GOOD, q)], flags);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(findings, ['dns.dnssec.resolver-not-validating:info', 'dns.srv.ok:info', 'dns.xmpps.absent:info']);
      assert.ok(r.ms < 8000, `${r.ms} ms`);
    });

    test('the question name is compared case-insensitively (an upper-case echo is accepted)', async () => {
      const { r, findings } = await checkDns((q) => {
        const type = Object.entries(T).find(([, v]) => v === q.qtype)![0];
        return [response({ id: q.id, qname: q.qname.toUpperCase(), qtype: q.qtype, answers: GOOD[`${q.qname}|${type}`] ?? [] })];
      }, flags);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(findings, ['dns.dnssec.resolver-not-validating:info', 'dns.srv.ok:info', 'dns.xmpps.absent:info']);
    });

    test('an answer with the wrong ID is ignored and named', async () => {
      const { r, doc, findings } = await checkDns((q) => [response({ id: (q.id + 1) & 0xffff, qname: q.qname, qtype: q.qtype, rcode: 3 })], flags);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(findings, ['dns.dnssec.resolver-not-validating:info', 'dns.resolver.failed:error']);
      assert.equal(srvQuery(doc).rcode, 'BADANSWER');
      assert.match(srvQuery(doc).error!, /wrong message ID/);
      assert.ok(r.ms < 8000, `${r.ms} ms`);
    });

    test('garbage bytes are an undecodable answer, not a timeout', async () => {
      const { r, doc, findings } = await checkDns(() => [randomBytes(40)], flags);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(findings, ['dns.dnssec.resolver-not-validating:info', 'dns.resolver.failed:error']);
      assert.equal(srvQuery(doc).rcode, 'BADANSWER');
      assert.match(srvQuery(doc).error!, /undecodable message \(40 bytes\)/);
      assert.ok(doc.targets[0]!.data.dns.queries.every((q) => q.rcode !== 'TIMEOUT'));
      assert.ok(r.ms < 8000, `${r.ms} ms`);
    });

    test('an answer cut short is undecodable, not a timeout', async () => {
      const { r, doc, findings } = await checkDns((q) => [fromZone(GOOD, q).subarray(0, 20)], flags);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(findings, ['dns.dnssec.resolver-not-validating:info', 'dns.resolver.failed:error']);
      assert.equal(srvQuery(doc).rcode, 'BADANSWER');
      assert.ok(r.ms < 8000, `${r.ms} ms`);
    });

    test('an SRV set whose only port is 0 is an error (exit 1)', async () => {
      const zone = { ...GOOD, [`${SRV}|SRV`]: [{ name: SRV, type: T.SRV, rdata: rdata.srv(0, 0, 0, `xmpp.${D}`) }] };
      const { r, findings } = await checkDns((q) => [fromZone(zone, q)], flags);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(findings, ['dns.dnssec.resolver-not-validating:info', 'dns.srv.port-zero:error', 'dns.xmpps.absent:info']);
      assert.ok(r.ms < 8000, `${r.ms} ms`);
    });

    test('a private address in an IPv4-mapped AAAA (::ffff:10.1.2.3) is private', async () => {
      const zone = { ...GOOD, [`xmpp.${D}|A`]: [], [`xmpp.${D}|AAAA`]: [{ name: `xmpp.${D}`, type: T.AAAA, rdata: rdata.aaaa('::ffff:10.1.2.3') }] };
      const { r, doc, findings } = await checkDns((q) => [fromZone(zone, q)], flags);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(findings, ['dns.dnssec.resolver-not-validating:info', 'dns.srv.ok:info', 'dns.srv.target-private:error', 'dns.xmpps.absent:info']);
      const f = doc.targets[0]!.findings.find((x) => x.id === 'dns.srv.target-private')!;
      assert.ok(f.evidence.some((e) => /::ffff:a01:203 \(private, IPv6/.test(e.value)), JSON.stringify(f.evidence));
      assert.ok(r.ms < 8000, `${r.ms} ms`);
    });
  });
}

test('a few thousand SRV records (over TCP after TC=1): all judged, in bounded time', async () => {
  const N = 2500;
  const zone: Record<string, Rr[]> = { [`${D}|A`]: GOOD[`${D}|A`]! };
  // Targets `t<i>.` + a pointer to D inside the question name (12 + "_xmpp-server" + "_tcp" labels).
  const dAt = 12 + 1 + '_xmpp-server'.length + 1 + '_tcp'.length;
  zone[`${SRV}|SRV`] = Array.from({ length: N }, (_, i) => ({ name: SRV, type: T.SRV, rdata: rdata.srvPointer(i % 7, i % 11, 5269, `t${i}`, dAt) }));
  for (let i = 0; i < N; i++) zone[`t${i}.${D}|A`] = [{ name: `t${i}.${D}`, type: T.A, rdata: rdata.a(`203.0.113.${i % 250}`) }];
  const srv = zone[`${SRV}|SRV`]!;
  assert.ok(response({ id: 0, qname: SRV, qtype: T.SRV, answers: srv }).length <= 65_535, 'the set fits in one DNS message');
  const { r, doc, findings } = await checkDns((q) => (q.transport === 'udp' && q.qtype === T.SRV ? [fromZone({}, q, { tc: true })] : [fromZone(zone, q)]));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(findings, ['dns.dnssec.resolver-not-validating:info', 'dns.response.truncated:info', 'dns.srv.ok:info', 'dns.xmpps.absent:info']);
  assert.equal(doc.targets[0]!.data.dns.queries.find((q) => q.type === 'SRV' && q.name === SRV)!.rcode, 'NOERROR');
  assert.ok(doc.targets[0]!.data.dns.queries.length > 2 * srv.length, 'every target was resolved');
  // TLSA is asked for the first 16 endpoints in SRV order only (as many as a probe tries).
  assert.equal((doc.targets[0]!.data.dns as unknown as { tlsa: unknown[] }).tlsa.length, 16);
  assert.ok(r.ms < 30_000, `${r.ms} ms`);
});

describe('hostile DoH endpoints', { concurrency: true }, () => {
  async function doh(handler: (req: IncomingMessage, res: ServerResponse) => void) {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    return { url: `http://127.0.0.1:${port}/dns-query`, close: () => (server.closeAllConnections(), server.close()) };
  }
  async function run(url: string) {
    const r = await xfed(['check-dns', '--json', '--timeout', String(TIMEOUT), '--doh', url, D], { timeoutMs: 60_000 });
    const doc = json<Doc>(r);
    return { r, doc, findings: doc.targets[0]!.findings.map((f) => `${f.id}:${f.severity}`).sort() };
  }

  test('an endless body is cut at 65535 bytes: a resolver failure that says so, and the stream is cancelled', async () => {
    let sent = 0;
    let closed = 0;
    const s = await doh((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/dns-message' });
      const chunk = Buffer.alloc(16_384, 0x41);
      const pump = () => {
        while (!res.destroyed && sent < 64 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
      };
      res.on('drain', pump);
      res.on('close', () => closed++);
      pump();
    });
    try {
      const { r, doc, findings } = await run(s.url);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(findings, ['dns.dnssec.resolver-not-validating:info', 'dns.resolver.failed:error']);
      assert.equal(srvQuery(doc).rcode, 'BADANSWER');
      assert.match(srvQuery(doc).error!, /larger than the largest DNS message \(65535 bytes\); the stream was cancelled/);
      assert.ok(r.ms < 8000, `${r.ms} ms`);
      assert.ok(sent < 16 * 1024 * 1024, `the client stopped reading early (${sent} bytes sent)`);
      assert.ok(closed > 0, 'the client closed the streams');
    } finally {
      s.close();
    }
  });

  test('a declared Content-Length above 65535 is refused without reading', async () => {
    const s = await doh((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/dns-message', 'content-length': String(10_000_000) });
      res.write(Buffer.alloc(1000));
    });
    try {
      const { r, doc, findings } = await run(s.url);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(findings, ['dns.dnssec.resolver-not-validating:info', 'dns.resolver.failed:error']);
      assert.match(srvQuery(doc).error!, /10000000 bytes \(Content-Length\)/);
      assert.ok(r.ms < 8000, `${r.ms} ms`);
    } finally {
      s.close();
    }
  });

  test('a body that drips forever ends at the timeout (total time bounded)', async () => {
    const timers = new Set<NodeJS.Timeout>();
    const s = await doh((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/dns-message' });
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(Buffer.from([0]))), 100);
      timers.add(t);
    });
    try {
      const { r, doc, findings } = await run(s.url);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(findings, ['dns.dnssec.resolver-not-validating:info', 'dns.resolver.failed:error']);
      assert.equal(srvQuery(doc).rcode, 'TIMEOUT');
      assert.ok(r.ms < 8000, `${r.ms} ms`);
    } finally {
      for (const t of timers) clearInterval(t);
      s.close();
    }
  });

  test('an answer for another question over DoH is refused', async () => {
    const s = await doh(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const qtype = body.readUInt16BE(body.length - 11 - 4);
      res.writeHead(200, { 'content-type': 'application/dns-message' });
      res.end(response({ id: 0, qname: 'evil.example', qtype, rcode: 3 }));
    });
    try {
      const { r, doc, findings } = await run(s.url);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(findings, ['dns.dnssec.resolver-not-validating:info', 'dns.resolver.failed:error']);
      assert.equal(srvQuery(doc).rcode, 'BADANSWER');
      assert.match(srvQuery(doc).error!, /another question \(evil\.example SRV\)/);
    } finally {
      s.close();
    }
  });
});

test('EMFILE (no file descriptor left) is reported as this machine\'s problem, not the resolver\'s', async () => {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { XFED_BIN } = await import('../helpers/servers.js');
  const zone: Record<string, Rr[]> = {};
  const domains: string[] = [];
  for (let i = 0; i < 200; i++) {
    const d = `d${i}.${D}`;
    domains.push(d);
    zone[`_xmpp-server._tcp.${d}|SRV`] = [{ name: `_xmpp-server._tcp.${d}`, type: T.SRV, rdata: rdata.srv(0, 0, 5269, `x.${d}`) }];
    zone[`x.${d}|A`] = [{ name: `x.${d}`, type: T.A, rdata: rdata.a('203.0.113.5') }];
  }
  const file = join(mkdtempSync(join(tmpdir(), 'xfed-emfile-')), 'domains.txt');
  writeFileSync(file, domains.join('\n'));
  const dns = await startHostileDns((q) => [fromZone(zone, q)]);
  try {
    // 40 descriptors: enough for node, not for 64 domains x 4 TCP questions at once.
    const t0 = Date.now();
    const child = spawn('sh', ['-c', `ulimit -n 40 && exec "$0" "$@"`, process.execPath, XFED_BIN, 'check-dns', '--json', '--tcp', '--timeout', '2000', '--resolver', dns.resolver, '--file', file]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const [code] = (await once(child, 'close')) as [number];
    const ms = Date.now() - t0;
    assert.equal(code, 1, err);
    const doc = JSON.parse(out) as Doc;
    // No resolver here validates DNSSEC: every domain says so once (an info), whatever else happened.
    const NV = 'dns.dnssec.resolver-not-validating:info';
    assert.ok(doc.targets.every((t) => t.findings.some((f) => `${f.id}:${f.severity}` === NV)));
    const sets = doc.targets.map((t) => t.findings.map((f) => `${f.id}:${f.severity}`).filter((id) => id !== NV).sort().join(' '));
    const local = sets.filter((s) => s === 'dns.local.failed:error').length;
    assert.ok(local > 0, 'some questions hit EMFILE');
    // A domain is judged on what was asked (ok) or says what could not be (local), never "missing" or "resolver failed".
    const allowed = new Set(['dns.local.failed:error', 'dns.srv.ok:info', 'dns.xmpps.absent:info']);
    for (const s of sets) assert.ok(s.split(' ').every((id) => allowed.has(id)) && (s.includes('dns.local.failed') || s === 'dns.srv.ok:info dns.xmpps.absent:info'), s);
    const queries = doc.targets.flatMap((t) => t.data.dns.queries);
    assert.ok(queries.every((q) => q.rcode === 'NOERROR' || (q.rcode === 'LOCALERR' && /^EMFILE on this machine/.test(q.error!))));
    assert.ok(ms < 20_000, `${ms} ms`);
  } finally {
    await dns.close();
  }
});
