/**
 * The other severities of catalogued ids that no other test produced: each case asserts
 * the exact set of `severity:id` and that the catalogue allows that severity for the id.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../src/core/result.js';
import { evaluateDns, type DnsSection, type SrvEntry } from '../../src/dns/check.js';
import { allowedSeverities, findingEntry } from '../../src/findings/index.js';
import { probePeer } from '../../src/probe/probe.js';
import type { ProbeOptions } from '../../src/probe/types.js';
import { startS2sServer } from '../../src/xmpp/server.js';
import { makeCa, makeLeaf, type Ca } from '../lab/certs.js';
import { axlVerify } from '../../src/axl/verify.js';
import { FIXTURES } from '../helpers/servers.js';
import { GOOD_HEADER, scriptedPeer } from './scripted-peer.js';

function ids(findings: Finding[]): string[] {
  for (const f of findings) assert.ok(allowedSeverities(findingEntry(f.id)!).includes(f.severity), `${f.id} as ${f.severity} is not catalogued`);
  return findings.map((f) => `${f.severity}:${f.id}`).sort();
}

const closers: Array<() => unknown> = [];
after(async () => {
  for (const c of closers) await c();
});

describe('check-dns', () => {
  const srv = (service: SrvEntry['service'], port: number): SrvEntry => ({
    service,
    target: 'xmpp.d.example',
    port,
    priority: 0,
    weight: 0,
    ttl: 300,
    tls: service.startsWith('xmpps') ? 'direct' : 'starttls',
    rank: 1,
    share: 1,
    addresses: [{ address: '203.0.113.1', family: 4, ttl: 300, class: 'public' }],
    resolvable: true,
  });
  const section = (client: SrvEntry[]): DnsSection => ({
    domain: 'd.example',
    unicode: 'd.example',
    resolver: '127.0.0.1:53',
    services: [
      { service: 'xmpp-server', name: '_xmpp-server._tcp.d.example', rcode: 'NOERROR', records: [srv('xmpp-server', 5269)] },
      { service: 'xmpps-server', name: '_xmpps-server._tcp.d.example', rcode: 'NOERROR', records: [srv('xmpps-server', 5270)] },
      { service: 'xmpp-client', name: '_xmpp-client._tcp.d.example', rcode: 'NOERROR', records: client },
      { service: 'xmpps-client', name: '_xmpps-client._tcp.d.example', rcode: 'NXDOMAIN', records: [] },
    ],
    domainAddresses: [],
    domainRcode: 'NOERROR',
    queries: [],
  });

  it('a client record on another port than 5222: dns.srv.port-nonstandard as info (a warning for server records)', () => {
    assert.deepEqual(ids(evaluateDns(section([srv('xmpp-client', 5333)]), { includeClient: true })), ['info:dns.srv.ok', 'info:dns.srv.port-nonstandard']);
    assert.deepEqual(ids(evaluateDns(section([srv('xmpp-client', 5222)]), { includeClient: true })), ['info:dns.srv.ok']);
  });
});

describe('probe: certificate problems with --insecure are info', () => {
  let ca: Ca;
  before(() => {
    ca = makeCa();
  });
  const probe = async (cert: { key: string; cert: string }) => {
    const s = await startS2sServer({ domains: ['peer.test'], tls: cert, tlsMode: 'required' });
    closers.push(() => s.close());
    return probePeer({ peer: 'peer.test', host: '127.0.0.1', port: s.port, ca: [ca.cert], insecure: true, dialback: false, timeouts: { stream: 2000, tls: 2000 } });
  };

  it('expired, not yet valid, another name', async () => {
    const expired = makeLeaf({ cn: 'peer.test', dns: ['peer.test'], notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') }, ca);
    const future = makeLeaf({ cn: 'peer.test', dns: ['peer.test'], notBefore: new Date(Date.now() + 10 * 86_400_000), notAfter: new Date(Date.now() + 400 * 86_400_000) }, ca);
    const wrongName = makeLeaf({ cn: 'elsewhere.test', dns: ['elsewhere.test'] }, ca);
    assert.deepEqual(ids((await probe(expired)).findings), ['info:probe.cert.expired']);
    assert.deepEqual(ids((await probe(future)).findings), ['info:probe.cert.not-yet-valid']);
    assert.deepEqual(ids((await probe(wrongName)).findings), ['info:probe.cert.name-mismatch']);
  });
});

describe('probe against a scripted peer without TLS', () => {
  const base = (port: number): ProbeOptions => ({ peer: 'origin.test', host: '127.0.0.1', port, tls: 'none', timeouts: { stream: 2000, dialback: 2000 } });

  it('a header without version=\'1.0\': probe.stream.bad-header as a warning', async () => {
    const p = await scriptedPeer(() => {}, GOOD_HEADER.replace(" version='1.0'>", '>'));
    closers.push(() => p.server.close());
    const r = await probePeer({ ...base(p.port), dialback: false });
    assert.deepEqual(ids(r.findings), ['warning:probe.stream.bad-header']);
    assert.match(r.findings[0]!.title, /version missing/);
  });

  it('without a secret, a peer that accepts a random key: probe.dialback.valid as a warning', async () => {
    const p = await scriptedPeer((sock, kind) => kind === 'result' && sock.write("<db:result from='origin.test' to='us.test' type='valid'/>"));
    closers.push(() => p.server.close());
    const r = await probePeer({ ...base(p.port), from: 'us.test' });
    assert.deepEqual(ids(r.findings), ['warning:probe.dialback.valid']);
    assert.match(r.findings[0]!.title, /accepted a random dialback key/);
  });

  it('with the default --from, remote-server-not-found: probe.dialback.error as info', async () => {
    const p = await scriptedPeer(
      (sock, kind) =>
        kind === 'result' &&
        sock.write("<db:result from='origin.test' to='xfed-probe.invalid' type='error'><error type='cancel'><remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></db:result>"),
    );
    closers.push(() => p.server.close());
    const r = await probePeer(base(p.port));
    assert.deepEqual(ids(r.findings), ['info:probe.dialback.error']);
    assert.match(r.findings[0]!.title, /<remote-server-not-found\/> \(expected for the default --from xfed-probe\.invalid\)/);
  });

  it('with the default --from, no dialback answer: probe.dialback.timeout as info', async () => {
    const p = await scriptedPeer(() => {});
    closers.push(() => p.server.close());
    const r = await probePeer({ ...base(p.port), timeouts: { stream: 2000, dialback: 300 } });
    assert.deepEqual(ids(r.findings), ['info:probe.dialback.timeout']);
    assert.match(r.findings[0]!.title, /expected for the default --from/);
  });
});

describe('axl-verify --all', () => {
  it('AXL answers, but GET /axl/ is not the AXL Web Service page: axl.bad-response as a warning', async () => {
    const rows = readFileSync(join(FIXTURES, 'axl', 'xmpps2snodes-one-row.xml'));
    const leaf = makeLeaf({ cn: 'imp.test', dns: ['imp.test'] });
    const srv = createServer({ key: leaf.key, cert: leaf.cert }, (req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.method === 'POST') res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(rows);
        else res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>');
      });
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    closers.push(() => srv.close());
    const r = await axlVerify({ server: `127.0.0.1:${(srv.address() as AddressInfo).port}`, user: 'axl', password: 'pw-variants', insecure: true, all: true, timeoutMs: 3000 });
    assert.deepEqual(ids(r.findings), ['info:axl.federation.ok', 'info:axl.s2snode.ok', 'warning:axl.bad-response', 'warning:axl.tls.insecure']);
    assert.match(r.findings.find((f) => f.id === 'axl.bad-response')!.title, /did not return the AXL Web Service page \(HTTP 404\)/);
  });
});
