// @needs-servers: unbound (a zone for the POSH domains on 127.0.0.40:53)
/**
 * POSH (RFC 7711) against real components: HTTPS servers on loopback port 443 (node:https,
 * certificates from a test CA) serving good, wrong, malformed, over-size, slow, redirecting and
 * looping files and a `url` reference to a second host; every name resolved through a real DNS
 * server (unbound, never the system resolver); and the delegation end to end with an in-process
 * XMPP server whose certificate names only the SRV target.
 */
import { strict as assert } from 'node:assert';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DnsClient } from '../../src/dns/client.js';
import { probePeer } from '../../src/probe/probe.js';
import { fetchPosh } from '../../src/probe/posh.js';
import type { PoshFetchEnv } from '../../src/probe/posh-fetch.js';
import { startS2sServer, type S2sServer } from '../../src/xmpp/server.js';
import { makeCa, makeLeaf, type Ca, type Pem } from '../lab/certs.js';
import { schemaErrors } from '../doctor/schema.js';
import { json, xfed } from '../helpers/cli.js';
import { labDir, startUnbound } from '../helpers/servers.js';

const DNS = '127.0.0.40';
const WEB = '127.0.0.41';
const REF_WEB = '127.0.0.42';
const XMPP = '127.0.0.43';
const CLOSED = '127.0.0.44';
const WK = '/.well-known/posh/xmpp-server.json';
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const ZONE = `$ORIGIN posh.test.
$TTL 60
@        SOA ns.posh.test. hostmaster.posh.test. 1 3600 600 86400 60
@        NS  ns.posh.test.
ns       A   ${DNS}
*        A   ${WEB}
cdn      A   ${REF_WEB}
hosted   A   ${WEB}
stale    A   ${WEB}
xmpp     A   ${XMPP}
closed   A   ${CLOSED}
noaddr   TXT "no address"
_xmpp-server._tcp.hosted SRV 0 5 5269 xmpp.posh.test.
_xmpp-server._tcp.stale  SRV 0 5 5269 xmpp.posh.test.
`;

let ca: Ca;
let xmppCert: Pem;
let web: Server;
let refWeb: Server;
let s2s: S2sServer;
let resolver: string;
let caFile: string;
/** Every request the HTTPS servers saw: no credentials may ever be among them. */
const seen: Array<{ host: string | undefined; url: string | undefined; headers: IncomingHttpHeaders }> = [];

function b64sha256(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64');
}

function listen(server: Server, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(443, host, () => resolve());
  });
}

/** The answers of the HTTPS server of the POSH domains (by Host, then path). */
function poshSite(good: string, wrong: string): Handler {
  return (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/\.posh\.test$/, '');
    seen.push({ host: req.headers.host, url: req.url, headers: req.headers });
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    const to = (location: string) => send(302, '', { location });
    const file = JSON.stringify({ fingerprints: [{ 'sha-256': good }], expires: 3600 });
    if (req.url?.startsWith('/r')) {
      const n = Number(req.url.slice(2));
      return host === 'loop' ? to(n === 1 ? WK : `/r${n + 1}`) : to(`/r${n + 1}`);
    }
    if (req.url !== WK) return send(404, '');
    switch (host) {
      case 'good':
      case 'hosted':
        return send(200, file);
      case 'wrong':
      case 'stale':
        return send(200, JSON.stringify({ fingerprints: [{ 'sha-256': wrong }], expires: 60 }));
      case 'notjson':
        return send(200, '<html>welcome</html>', { 'content-type': 'text/html' });
      case 'fields':
        return send(200, JSON.stringify({ fingerprints: 'sha-256' }));
      case 'big': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(16 * 1024, 0x20);
        let n = 0;
        const more = () => {
          while (n++ < 64) if (!res.write(chunk)) return void res.once('drain', more);
          res.end();
        };
        return more();
      }
      case 'slow':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"fingerprints": ');
        return; // never ends
      case 'redirect':
        return to(`https://good.posh.test${WK}`);
      case 'many':
      case 'loop':
        return to('/r1');
      case 'credredirect':
        return to(`https://user:secret@good.posh.test${WK}`);
      case 'plain':
        return to(`http://good.posh.test${WK}`);
      case 'ref':
        return send(200, JSON.stringify({ url: 'https://cdn.posh.test/posh/good.json', expires: 60 }));
      case 'ref2':
        return send(200, JSON.stringify({ url: 'https://cdn.posh.test/posh/again.json', expires: 60 }));
      case 'refhttp':
        return send(200, JSON.stringify({ url: 'http://cdn.posh.test/posh/good.json', expires: 60 }));
      case 'refgone':
        return send(200, JSON.stringify({ url: 'https://noaddr.posh.test/posh/good.json', expires: 60 }));
      case 'ref404':
        return send(200, JSON.stringify({ url: 'https://cdn.posh.test/posh/missing.json', expires: 60 }));
      case 'cred':
        return send(200, JSON.stringify({ url: 'https://user:secret@cdn.posh.test/posh/good.json' }));
      case 'err':
        return send(500, 'oops');
      default:
        return send(404, '');
    }
  };
}

function refSite(good: string): Handler {
  return (req, res) => {
    seen.push({ host: req.headers.host, url: req.url, headers: req.headers });
    res.setHeader('content-type', 'application/json');
    if (req.url === '/posh/good.json') return void res.end(JSON.stringify({ fingerprints: [{ 'sha-256': good }], expires: 3600 }));
    if (req.url === '/posh/again.json') return void res.end(JSON.stringify({ url: 'https://cdn.posh.test/posh/good.json' }));
    res.statusCode = 404;
    res.end();
  };
}

before(async () => {
  const dir = labDir('posh');
  const zone = join(dir, 'posh.test.zone');
  if (!existsSync(zone) || readFileSync(zone, 'utf8') !== ZONE) writeFileSync(zone, ZONE);
  resolver = (await startUnbound('posh', DNS, 53, [{ name: 'posh.test.', file: zone }])).resolver;
  ca = makeCa();
  caFile = join(ca.dir, 'ca.pem');
  xmppCert = makeLeaf({ cn: 'xmpp.posh.test', dns: ['xmpp.posh.test'] }, ca);
  const other = makeLeaf({ cn: 'old.posh.test', dns: ['old.posh.test'] }, ca);
  const webCert = makeLeaf({ cn: 'posh web', dns: ['*.posh.test'] }, ca);
  const good = b64sha256(xmppCert.cert);
  web = createServer({ key: webCert.key, cert: webCert.cert }, poshSite(good, b64sha256(other.cert)));
  refWeb = createServer({ key: webCert.key, cert: webCert.cert }, refSite(good));
  await Promise.all([listen(web, WEB), listen(refWeb, REF_WEB)]);
  s2s = await startS2sServer({ host: XMPP, port: 5269, domains: ['hosted.posh.test', 'stale.posh.test'], tls: { key: xmppCert.key, cert: xmppCert.cert }, tlsMode: 'required' });
});

after(async () => {
  web?.closeAllConnections();
  refWeb?.closeAllConnections();
  await Promise.all([new Promise((r) => web?.close(r)), new Promise((r) => refWeb?.close(r)), s2s?.close()]);
});

async function fetchOf(domain: string, ms = 3000) {
  const dns = new DnsClient({ resolvers: [resolver], timeout: 2000 });
  try {
    const env: PoshFetchEnv = { dns, ca: [ca.cert], connectMs: 1000, until: performance.now() + ms };
    return await fetchPosh(domain, env);
  } finally {
    dns.close();
  }
}

describe('POSH fetch: real HTTPS servers, names through unbound', () => {
  it('a good file: found, its fingerprints and expires, the address from our DNS', async () => {
    const f = await fetchOf('good.posh.test');
    assert.equal(f.outcome, 'found');
    assert.deepEqual(f.fingerprints, [{ alg: 'sha-256', value: b64sha256(xmppCert.cert) }]);
    assert.equal(f.expires, 3600);
    assert.deepEqual(f.requests.map((r) => [r.url, r.address, r.status]), [[`https://good.posh.test${WK}`, WEB, 200]]);
  });
  it('a redirect (followed explicitly, https only)', async () => {
    const f = await fetchOf('redirect.posh.test');
    assert.equal(f.outcome, 'found');
    assert.deepEqual(f.requests.map((r) => r.status), [302, 200]);
  });
  it('a url reference to a second host: followed once, that host resolved through our DNS', async () => {
    const f = await fetchOf('ref.posh.test');
    assert.equal(f.outcome, 'found');
    assert.equal(f.reference, 'https://cdn.posh.test/posh/good.json');
    assert.deepEqual(f.requests.map((r) => [r.address, r.status]), [[WEB, 200], [REF_WEB, 200]]);
  });
  it('no POSH: HTTP 404, no address, port 443 closed: absent, no HTTPS attempt beyond one', async () => {
    for (const [d, code] of [['none.posh.test', undefined], ['noaddr.posh.test', 'NOADDRESS'], ['closed.posh.test', 'ECONNREFUSED']] as const) {
      const f = await fetchOf(d);
      assert.equal(f.outcome, 'absent', d);
      assert.equal(f.requests.length, 1, d);
      assert.equal(f.requests[0]!.code, code, d);
      assert.ok(f.ms < 1000, `${d}: ${f.ms} ms`);
    }
  });
  it('bad files and answers: invalid, each with its problem', async () => {
    const cases: Array<[string, string, number]> = [
      ['notjson', 'not-json', 1],
      ['fields', 'fields', 1],
      ['big', 'too-large', 1],
      ['err', 'http-status', 1],
      ['loop', 'redirect-loop', 2],
      ['many', 'redirects', 4],
      ['plain', 'not-https', 1],
      ['ref2', 'second-reference', 2],
      ['cred', 'credentials', 1],
      ['credredirect', 'credentials', 1],
      ['refhttp', 'not-https', 1],
      ['refgone', 'unreachable', 2],
      ['ref404', 'http-status', 2],
    ];
    const got = await Promise.all(cases.map(([d]) => fetchOf(`${d}.posh.test`)));
    assert.deepEqual(
      got.map((f) => [f.outcome, f.problem, f.requests.length]),
      cases.map(([, p, n]) => ['invalid', p, n]),
    );
    assert.deepEqual(got[2]!.requests[0]!.bytes, 64 * 1024);
    assert.ok(!JSON.stringify(got).includes('secret'), 'credentials in a Location or a url are never recorded');
  });
  it('a file that never ends: invalid (timeout) within the time limit, no hang', async () => {
    const t0 = performance.now();
    const f = await fetchOf('slow.posh.test', 800);
    assert.deepEqual([f.outcome, f.problem, f.requests[0]!.code], ['invalid', 'timeout', 'TIMEOUT']);
    assert.ok(performance.now() - t0 < 2000, `${performance.now() - t0} ms`);
  });
  it('an HTTPS certificate we do not trust: absent (POSH peers could not fetch it either)', async () => {
    const dns = new DnsClient({ resolvers: [resolver], timeout: 2000 });
    try {
      const f = await fetchPosh('good.posh.test', { dns, connectMs: 1000, until: performance.now() + 3000 });
      assert.deepEqual([f.outcome, f.requests[0]!.code], ['absent', 'TLS']);
    } finally {
      dns.close();
    }
  });
  it('never sends credentials: no authorization, no cookie, no userinfo reach a server; a URL with credentials is not asked', async () => {
    const from = seen.length;
    const got = await Promise.all(['cred', 'ref', 'redirect', 'good'].map((d) => fetchOf(`${d}.posh.test`)));
    assert.deepEqual(got.map((f) => f.outcome), ['invalid', 'found', 'found', 'found']);
    const mine = seen.slice(from);
    assert.equal(mine.length, 1 + 2 + 2 + 1);
    assert.equal(got[0]!.requests.length, 1, 'the reference with credentials is never asked');
    for (const s of mine) {
      assert.equal(s.headers.authorization, undefined);
      assert.equal(s.headers.cookie, undefined);
      assert.ok(!/secret|user/.test(`${s.host}${s.url}`), JSON.stringify(s));
    }
  });
});

describe('delegation end to end: an XMPP server whose certificate names only the SRV target', () => {
  const ids = (r: Awaited<ReturnType<typeof probePeer>>) => r.findings.map((f) => `${f.severity}:${f.id}`).sort();
  it('a POSH file that lists it: probe.cert.delegated and probe.posh.match, not name-mismatch', async () => {
    const r = await probePeer({ peer: 'hosted.posh.test', resolvers: [resolver], ca: [ca.cert], dialback: false, handshakes: false });
    assert.deepEqual(ids(r), ['info:probe.cert.delegated', 'info:probe.posh.match']);
    const p = r.data.probe.posh!;
    assert.equal(p.outcome, 'found');
    assert.equal(p.presented?.sha256, b64sha256(xmppCert.cert));
  });
  it('a POSH file with an old fingerprint: name-mismatch and posh.mismatch', async () => {
    const r = await probePeer({ peer: 'stale.posh.test', resolvers: [resolver], ca: [ca.cert], dialback: false, handshakes: false });
    assert.deepEqual(ids(r), ['error:probe.cert.name-mismatch', 'error:probe.posh.mismatch']);
  });
  it('the CLI: --json carries data.probe.posh; --no-posh turns it off (and the certificate is a mismatch again)', async () => {
    const on = json(await xfed(['probe', 'hosted.posh.test', '--resolver', resolver, '--ca', caFile, '--no-dialback', '--json']));
    assert.equal(on.targets[0].data.probe.posh.outcome, 'found');
    assert.deepEqual(on.targets[0].findings.map((f: { id: string }) => f.id).filter((i: string) => /cert\.|posh/.test(i)).sort(), ['probe.cert.delegated', 'probe.posh.match']);
    assert.deepEqual(schemaErrors(on), []);
    const off = await xfed(['probe', 'hosted.posh.test', '--resolver', resolver, '--ca', caFile, '--no-dialback', '--no-posh', '--json']);
    assert.equal(off.code, 1);
    const doc = json(off);
    assert.equal(doc.targets[0].data.probe.posh, undefined);
    assert.ok(doc.targets[0].findings.some((f: { id: string }) => f.id === 'probe.cert.name-mismatch'));
  });
  it('the CLI: an invalid POSH file of a peer without an XMPP server: the finding, and facts that validate against the schema', async () => {
    const r = await xfed(['probe', 'loop.posh.test', '--resolver', resolver, '--ca', caFile, '--timeout', '1000', '--json']);
    const doc = json(r);
    assert.deepEqual(schemaErrors(doc), []);
    assert.deepEqual([doc.targets[0].data.probe.posh.outcome, doc.targets[0].data.probe.posh.problem], ['invalid', 'redirect-loop']);
    assert.deepEqual(doc.targets[0].findings.map((f: { severity: string; id: string }) => `${f.severity}:${f.id}`).sort(), ['error:probe.posh.invalid', 'error:probe.tcp.refused']);
  });
});
