/**
 * Certificate identity per RFC 9525 / RFC 6125 (issue 10 item 3): strict host-name syntax,
 * A-label comparison after ASCII case folding, no URL parsing, no compatibility mapping,
 * wildcard only as the whole left-most label. Hostile names are put in real certificates
 * (built with @peculiar/x509) so that the path through node's SAN text and the ASN.1 parser
 * is the one the probe takes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { certNames, certNamesAsn1, matchIdentity, wildcardMatches, type CertNames } from '../../src/xmpp/identity.js';
import { hostnameToAscii, punycodeEncode } from '../../src/dns/idna.js';
import { certWith, type HostileNames } from './make-cert.js';

const names = (n: Partial<CertNames>): CertNames => ({ dnsNames: [], xmppAddrs: [], srvNames: [], ipAddresses: [], cns: [], ...n });

describe('identity from real certificates: hostile names never match', () => {
  const hostile: Array<[string, HostileNames]> = [
    ['DNS-ID x.test/evil.example', { dns: ['x.test/evil.example'] }],
    ['DNS-ID x.test#.evil.example', { dns: ['x.test#.evil.example'] }],
    ['DNS-ID x.test?.evil.example', { dns: ['x.test?.evil.example'] }],
    ['DNS-ID x.test\\.evil.example', { dns: ['x.test\\.evil.example'] }],
    ['DNS-ID "x.test .evil.example"', { dns: ['x.test .evil.example'] }],
    ['DNS-ID x.test, DNS:x.test (comma injection)', { dns: ['evil.example, DNS:x.test'] }],
    ['SRV-ID _xmpp-server.x.test/evil', { srvNames: ['_xmpp-server.x.test/evil'] }],
    ['XmppAddr full-width ｘ.test', { xmppAddrs: ['ｘ.test'] }],
    ['XmppAddr x.test with a full-width dot', { xmppAddrs: ['x\uff0etest'] }],
    ['CN x.test\\0.evil.example (no SAN)', { cn: 'x.test\0.evil.example' }],
    ['CN x.test/evil (no SAN)', { cn: 'x.test/evil' }],
    ['DNS-ID f*.test', { dns: ['f*.test'] }],
    ['DNS-ID *.test (one label after the wildcard)', { dns: ['*.test'] }],
  ];
  for (const [what, n] of hostile) {
    it(`${what} does not match x.test (node's text and the ASN.1 parser agree)`, async () => {
      const der = await certWith(n);
      const fromNode = certNames(der);
      assert.deepEqual(fromNode, certNamesAsn1(der));
      assert.deepEqual(matchIdentity('x.test', fromNode), { matched: false });
    });
  }

  const good: Array<[string, string, HostileNames, string]> = [
    ['x.test', 'DNS-ID', { dns: ['x.test'] }, 'dns-id'],
    ['X.Test', 'DNS-ID in upper case', { dns: ['X.TEST'] }, 'dns-id'],
    ['x.test', 'SRV-ID', { srvNames: ['_xmpp-server.x.test'] }, 'srv-id'],
    ['x.test', 'XmppAddr', { xmppAddrs: ['x.test'] }, 'xmpp-addr'],
    ['x.test', 'CN without SAN', { cn: 'x.test' }, 'cn'],
    ['a.x.test', 'wildcard', { dns: ['*.x.test'] }, 'dns-wildcard'],
    ['bücher.example', 'A-label DNS-ID for a U-label reference', { dns: ['xn--bcher-kva.example'] }, 'dns-id'],
    ['xn--bcher-kva.example', 'U-label XmppAddr for an A-label reference', { xmppAddrs: ['bücher.example'] }, 'xmpp-addr'],
    ['xn--bcher-kva.example', 'U-label SRV-ID', { srvNames: ['_xmpp-server.bücher.example'] }, 'srv-id'],
    ['münchen.example', 'U-label XmppAddr for a U-label reference', { xmppAddrs: ['münchen.example'] }, 'xmpp-addr'],
  ];
  for (const [domain, what, n, method] of good) {
    it(`${what} matches ${domain} (${method})`, async () => {
      const der = await certWith(n);
      const m = matchIdentity(domain, certNames(der));
      assert.equal(m.matched, true, JSON.stringify(m));
      assert.equal(m.method, method);
    });
  }
});

describe('identity rules on names', () => {
  const table: Array<[string, Partial<CertNames>, string | false]> = [
    // Wildcard only as the whole left-most label, one label deep.
    ['a.x.test', { dnsNames: ['*.x.test'] }, 'dns-wildcard'],
    ['x.test', { dnsNames: ['*.x.test'] }, false],
    ['a.b.x.test', { dnsNames: ['*.x.test'] }, false],
    ['fa.x.test', { dnsNames: ['f*.x.test'] }, false],
    ['a.x.test', { dnsNames: ['a.*.test'] }, false],
    ['a.x.test', { dnsNames: ['*.x.test/evil'] }, false],
    // XmppAddr: a bare domain only.
    ['x.test', { xmppAddrs: ['admin@x.test'] }, false],
    ['x.test', { xmppAddrs: ['x.test/resource'] }, false],
    ['x.test', { srvNames: ['_xmpp-client.x.test'] }, false],
    ['x.test', { srvNames: ['_XMPP-SERVER.X.test'] }, 'srv-id'],
    // CN only as a last resort.
    ['x.test', { cns: ['x.test'], dnsNames: ['other.test'] }, false],
    // Absolute form: one trailing dot is the same name.
    ['x.test', { dnsNames: ['x.test.'] }, 'dns-id'],
    ['x.test', { dnsNames: ['x.test..'] }, false],
    // Not host names.
    ['x.test', { dnsNames: [' x.test'] }, false],
    ['x.test', { dnsNames: ['-x.test'] }, false],
    ['x.test', { dnsNames: ['x.test\0'] }, false],
    ['x.test', { dnsNames: ['x.te\u0073\u0307t'] }, false],
    // Full-width and other compatibility forms are not mapped.
    ['x.test', { dnsNames: ['\uff58.test'] }, false],
    ['x.test', { dnsNames: ['X.\uff34EST'] }, false],
    // A-labels compare octet for octet after ASCII case folding.
    ['xn--bcher-kva.example', { dnsNames: ['XN--BCHER-KVA.EXAMPLE'] }, 'dns-id'],
    ['xn--bcher-kva.example', { dnsNames: ['xn--bcher-kvb.example'] }, false],
    // Upper-case U-labels are not valid IDNA2008 and are not folded.
    ['bücher.example', { xmppAddrs: ['BÜCHER.example'] }, false],
  ];
  for (const [domain, n, expected] of table) {
    it(`${domain} vs ${JSON.stringify(n)} -> ${expected || 'no match'}`, () => {
      const m = matchIdentity(domain, names(n));
      assert.equal(m.matched, expected !== false);
      assert.equal(m.method, expected === false ? undefined : expected);
    });
  }

  it('a reference that is not a host name matches nothing', () => {
    assert.deepEqual(matchIdentity('x.test/evil', names({ dnsNames: ['x.test/evil'] })), { matched: false });
    assert.deepEqual(matchIdentity('', names({ cns: [''] })), { matched: false });
  });

  it('wildcardMatches: whole left-most label only', () => {
    assert.equal(wildcardMatches('*.example.com', 'a.example.com'), true);
    assert.equal(wildcardMatches('f*.example.com', 'foo.example.com'), false);
    assert.equal(wildcardMatches('*.com', 'example.com'), false);
  });

  it('Punycode (RFC 3492) agrees with the RFC and with known A-labels', () => {
    assert.equal(punycodeEncode('bücher'), 'bcher-kva');
    assert.equal(punycodeEncode('münchen'), 'mnchen-3ya');
    assert.equal(punycodeEncode('例え'), 'r8jz45g');
    // RFC 3492 §7.1 sample (L): 3<nen>B<gumi><kinpachi><sensei>, lower-cased.
    assert.equal(punycodeEncode('3年b組金八先生'), '3b-ww4c5e180e575a65lsy2b');
    assert.equal(hostnameToAscii('例え.テスト'), 'xn--r8jz45g.xn--zckzah');
    assert.equal(hostnameToAscii('Bücher.Example.'), 'xn--bcher-kva.example');
    assert.equal(hostnameToAscii('x.test/evil'), undefined);
    assert.equal(hostnameToAscii(`${'a'.repeat(64)}.test`), undefined);
  });
});
