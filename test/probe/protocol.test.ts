/**
 * The pure protocol layer: dialback keys (XEP-0220 worked examples), dialback and stream-error
 * parsing, the stream parser's limits, and certificate identity (RFC 9525 / RFC 7590).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { dbResult, dbVerify, dialbackKey, ejabberdSecretFromCookie, keyScheme, parseDialback } from '../../src/xmpp/dialback.js';
import { certFacts, certNames, certNamesAsn1, matchIdentity, wildcardMatches, type CertNames } from '../../src/xmpp/identity.js';
import { parseStreamError } from '../../src/xmpp/stream-error.js';
import { StreamParser, type ParserLimits, type XmlElement, type XmlParseError } from '../../src/xmpp/xml.js';
import { der, makeLeaf } from '../lab/certs.js';

describe('dialback key (XEP-0185 / XEP-0220)', () => {
  const vectors: Array<[secret: string, receiving: string, originating: string, id: string, key: string]> = [
    // XEP-0220 §2.1.1 / §2.4 examples (key = HMAC-SHA256(hex(SHA256(secret)), "receiving originating id")).
    ['s3cr3tf0rd14lb4ck', 'montague.example', 'capulet.example', 'D60000229F', 'b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3'],
    ['d14lb4ck43v3r', 'capulet.example', 'montague.example', '417GAF25', '225cc5aa6a071133249d25fef42ae516fc7a86c523aa1c6980a7f73e784c972d'],
  ];
  for (const [secret, receiving, originating, id, key] of vectors) {
    it(`reproduces the XEP example for ${receiving} ${originating} ${id}`, () => {
      assert.equal(dialbackKey(secret, receiving, originating, id), key);
    });
  }
  it('is not the raw-digest variant, and depends on every field', () => {
    const k = dialbackKey('s3cr3tf0rd14lb4ck', 'montague.example', 'capulet.example', 'D60000229F');
    assert.notEqual(k.slice(0, 8), 'aab5380e');
    assert.notEqual(dialbackKey('s3cr3tf0rd14lb4ck', 'capulet.example', 'montague.example', 'D60000229F'), k);
    assert.notEqual(dialbackKey('s3cr3tf0rd14lb4ck', 'montague.example', 'capulet.example', 'D60000229G'), k);
  });
  it('derives the ejabberd secret from the Erlang cookie as hex SHA-1', () => {
    assert.equal(ejabberdSecretFromCookie('abc'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  });
  it('tells key schemes apart', () => {
    assert.equal(keyScheme('b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3'), 'xep-0220');
    assert.equal(keyScheme('d780f198ac34a6dbd795fcdaf8762eaf52ea9b03'), 'sha1-size');
    assert.equal(keyScheme('not-a-key'), 'other');
  });
  it('escapes the attributes of db:result and db:verify', () => {
    assert.equal(dbResult("a'b.example", 'c.example', 'k'), "<db:result from='a&apos;b.example' to='c.example'>k</db:result>");
    assert.equal(dbVerify('a.example', 'c.example', 'x<1', 'k'), "<db:verify from='a.example' to='c.example' id='x&lt;1'>k</db:verify>");
  });
});

/** Parses a whole stream text and returns what the handlers saw. */
function parse(text: string | Array<string | Buffer>, limits?: Partial<ParserLimits>) {
  const seen: { header?: XmlElement; elements: XmlElement[]; end: boolean; error?: XmlParseError } = { elements: [], end: false };
  const p = new StreamParser(
    { header: (el) => (seen.header = el), element: (el) => seen.elements.push(el), end: () => (seen.end = true), error: (e) => (seen.error = e) },
    { maxStanzaBytes: 64 * 1024, maxDepth: 16, maxTotalBytes: 1024 * 1024, ...limits },
  );
  for (const chunk of typeof text === 'string' ? [text] : text) p.write(chunk);
  return seen;
}

const HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='a.example' id='X1' version='1.0'>";

describe('stream parser', () => {
  it('delivers the header with its namespace declarations, then whole depth-1 elements', () => {
    const s = parse(`${HEADER}<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features><db:result from='a.example' to='b.example' type='valid'/></stream:stream>`);
    assert.equal(s.error, undefined);
    assert.equal(s.header?.attrs.id, 'X1');
    assert.equal(s.header?.decls?.[''], 'jabber:server');
    assert.equal(s.header?.decls?.db, 'jabber:server:dialback');
    assert.deepEqual(s.elements.map((e) => `${e.ns} ${e.name}`), ['http://etherx.jabber.org/streams features', 'jabber:server:dialback result']);
    assert.equal(s.end, true);
    const db = parseDialback(s.elements[1]!);
    assert.deepEqual(db, { kind: 'result', type: 'valid', from: 'a.example', to: 'b.example', id: undefined });
  });
  it('survives a multi-byte character split across chunks', () => {
    const bytes = Buffer.from(`${HEADER}<message><body>héllo ✓</body></message>`);
    const cut = bytes.indexOf(Buffer.from('✓')) + 1;
    const s = parse([bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.equal(s.error, undefined);
    assert.equal((s.elements[0]!.children[0] as XmlElement).children[0], 'héllo ✓');
  });
  const hostile: Array<[string, string, string, Partial<ParserLimits>?]> = [
    ['an HTTP answer', 'HTTP/1.1 400 Bad Request\r\n\r\n', 'not-xml'],
    ['a DTD (billion laughs)', `<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>${HEADER}<a>&lol2;</a>`, 'dtd'],
    ['an undeclared entity', `${HEADER}<message>&lol9;</message>`, 'not-xml'],
    ['a jabber:client-less root that is not a stream', "<html xmlns='http://www.w3.org/1999/xhtml'>", 'not-a-stream'],
    ['deep nesting', `${HEADER}${'<a>'.repeat(100)}`, 'too-deep'],
    ['one huge stanza', `${HEADER}<message><body>${'A'.repeat(100_000)}</body></message>`, 'too-big'],
    ['a long stream of small stanzas', `${HEADER}${'<presence/>'.repeat(2000)}`, 'stream-too-big', { maxTotalBytes: 10_000 }],
    ['a processing instruction', `${HEADER}<?evil x?>`, 'not-xml'],
  ];
  for (const [what, text, kind, limits] of hostile) {
    it(`refuses ${what} (${kind})`, () => {
      const s = parse(text, limits);
      assert.equal(s.error?.kind, kind, s.error?.message);
    });
  }
  it('abandons the rest of a hostile chunk at once (10 000 nested tags)', () => {
    const t0 = performance.now();
    const s = parse(`${HEADER}${'<a>'.repeat(10_000)}`, { maxStanzaBytes: 1024 * 1024 });
    assert.equal(s.error?.kind, 'too-deep');
    assert.ok(performance.now() - t0 < 250, `took ${Math.round(performance.now() - t0)} ms`);
  });
  it('stops after the first error and keeps nothing buffered', () => {
    const s = parse([`${HEADER}${'<a>'.repeat(40)}`, '<presence/>'.repeat(10)]);
    assert.equal(s.error?.kind, 'too-deep');
    assert.equal(s.elements.length, 0);
  });
});

describe('stream errors (RFC 6120 §4.9)', () => {
  const el = (inner: string): XmlElement => parse(`${HEADER}<stream:error>${inner}</stream:error>`).elements[0]!;
  it('reads the condition and text', () => {
    const e = parseStreamError(el("<host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>This host does not serve c.example</text>"));
    assert.deepEqual(e, { condition: 'host-unknown', known: true, text: 'This host does not serve c.example' });
  });
  it('keeps unknown and application conditions', () => {
    const e = parseStreamError(el("<escape-your-data xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><x xmlns='urn:example'/>"));
    assert.equal(e.condition, 'escape-your-data');
    assert.equal(e.known, false);
    assert.deepEqual(e.application, ['x']);
  });
  it('falls back to undefined-condition', () => {
    assert.equal(parseStreamError(el('')).condition, 'undefined-condition');
  });
  it('reads a dialback error condition (XEP-0220 §2.4)', () => {
    const s = parse(`${HEADER}<db:result from='b.example' to='a.example' type='error'><error type='cancel'><remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>DNS lookup failed</text></error></db:result>`);
    const db = parseDialback(s.elements[0]!);
    assert.equal(db?.type, 'error');
    assert.equal(db?.condition, 'remote-server-not-found');
    assert.equal(db?.text, 'DNS lookup failed');
  });
});

describe('certificate identity (RFC 9525, RFC 7590)', () => {
  const names = (n: Partial<CertNames>): CertNames => ({ dnsNames: [], xmppAddrs: [], srvNames: [], ipAddresses: [], cns: [], ...n });
  const table: Array<[string, Partial<CertNames>, boolean, string?]> = [
    ['example.com', { srvNames: ['_xmpp-server.example.com'] }, true, 'srv-id'],
    ['example.com', { srvNames: ['_xmpp-client.example.com'] }, false],
    ['example.com', { xmppAddrs: ['example.com'] }, true, 'xmpp-addr'],
    ['example.com', { xmppAddrs: ['admin@example.com'] }, false],
    ['example.com', { dnsNames: ['EXAMPLE.com.'] }, true, 'dns-id'],
    ['chat.example.com', { dnsNames: ['*.example.com'] }, true, 'dns-wildcard'],
    ['example.com', { dnsNames: ['*.example.com'] }, false],
    ['a.b.example.com', { dnsNames: ['*.example.com'] }, false],
    ['example.com', { dnsNames: ['xmpp.example.com'] }, false],
    ['example.com', { cns: ['example.com'] }, true, 'cn'],
    ['example.com', { cns: ['example.com'], dnsNames: ['other.example'] }, false],
    ['bücher.example', { dnsNames: ['xn--bcher-kva.example'] }, true, 'dns-id'],
  ];
  for (const [domain, n, ok, method] of table) {
    it(`${domain} vs ${JSON.stringify(n)}: ${ok ? method : 'no match'}`, () => {
      const m = matchIdentity(domain, names(n));
      assert.equal(m.matched, ok);
      assert.equal(m.method, method);
    });
  }
  it('allows the wildcard only as the whole left-most label', () => {
    assert.equal(wildcardMatches('*.example.com', 'a.example.com'), true);
    assert.equal(wildcardMatches('f*.example.com', 'foo.example.com'), false);
    assert.equal(wildcardMatches('*.com', 'example.com'), false);
  });
  it('reads XmppAddr and SRVName otherNames from a real certificate (node:crypto cannot)', () => {
    const pem = makeLeaf({ cn: 'x.example', dns: ['x.example'], xmppAddrs: ['xmpp.example'], srvNames: ['_xmpp-server.srv.example'] });
    const n = certNames(der(pem.cert));
    assert.deepEqual(certNamesAsn1(der(pem.cert)), n, 'node\'s SAN text and the ASN.1 parser agree');
    assert.deepEqual(n.dnsNames, ['x.example']);
    assert.deepEqual(n.xmppAddrs, ['xmpp.example']);
    assert.deepEqual(n.srvNames, ['_xmpp-server.srv.example']);
    assert.deepEqual(n.cns, ['x.example']);
    assert.equal(matchIdentity('srv.example', n).method, 'srv-id');
    assert.equal(matchIdentity('xmpp.example', n).method, 'xmpp-addr');
    const f = certFacts(der(pem.cert));
    assert.equal(f.selfIssued, true);
    assert.ok(f.daysLeft >= 363 && f.daysLeft <= 365, String(f.daysLeft));
  });
});
