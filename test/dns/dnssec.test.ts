// @needs-servers: starts Debian servers (unbound authoritative + validating, Prosody, ejabberd); `npm run test:unit` leaves this file out.
/**
 * DNSSEC and DANE end to end with the real binary: zones signed at test time with ldns-signzone,
 * served by an authoritative unbound, asked through a validating unbound whose trust anchor is
 * the test root's key (test/dns/dnssec-dns.ts); TLSA records made from the lab servers'
 * certificates (test/lab: Prosody a.test on 127.0.0.2, ejabberd b.test on 127.0.0.3).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasBinary } from '../helpers/servers.js';
import { json, xfed } from '../helpers/cli.js';
import { labMissing, startLab, type Lab } from '../lab/lab.js';
import { certSha256, spkiSha256, startDnssecLab, type DnssecLab } from './dnssec-dns.js';

const skip = labMissing() ?? (hasBinary('ldns-signzone') ? false : 'ldns-signzone is not installed (scripts/setup.sh installs ldnsutils)');
let lab: Lab;
let dns: DnssecLab;
const tmp = mkdtempSync(join(tmpdir(), 'xfed-dnssec-'));

type Finding = { id: string; severity: string; title: string; evidence: Array<{ label: string; value: string }>; fix: string };
type Doc = { exitCode: number; targets: Array<{ findings: Finding[]; data: any }> };

const all = (d: Doc, i = 0) => d.targets[i]!.findings.map((f) => `${f.id}:${f.severity}`).sort();

async function checkDns(args: string[]): Promise<{ code: number | null; doc: Doc; stdout: string }> {
  const r = await xfed(['check-dns', '--json', '--allow-private', ...args]);
  return { code: r.code, doc: json<Doc>(r), stdout: r.stdout };
}

describe('DNSSEC and DANE (signed zones, a validating unbound, the XMPP lab)', { skip }, () => {
  before(async () => {
    lab = await startLab();
    const prosody = readFileSync(join(lab.certs, 'a.test.crt'), 'utf8');
    const ca = readFileSync(lab.caFile, 'utf8');
    const provider = readFileSync(join(lab.certs, 'provider.crt'), 'utf8');
    dns = await startDnssecLab({ okEe: spkiSha256(prosody), wrongEe: createHash('sha256').update('a key nobody serves').digest('hex'), labCaTa: certSha256(ca), labCaFull: Buffer.from(new X509Certificate(ca).raw).toString('hex'), providerEe: spkiSha256(provider) });
  });

  test('check-dns: a signed zone with an authenticated TLSA RRset: dns.dnssec.signed, the records shown', async () => {
    const { code, doc } = await checkDns(['--resolver', dns.validator, 'signed.xfed']);
    assert.equal(code, 0);
    assert.deepEqual(all(doc), ['dns.dnssec.signed:info', 'dns.srv.ok:info', 'dns.srv.target-private:info', 'dns.xmpps.absent:info']);
    const d = doc.targets[0]!.data.dns;
    assert.equal(d.dnssec.validating, true);
    assert.deepEqual(d.dnssec.bogus, []);
    assert.equal(d.tlsa.length, 1);
    assert.equal(d.tlsa[0].name, '_5269._tcp.ok.signed.xfed');
    assert.equal(d.tlsa[0].authenticated, true);
    assert.equal(d.tlsa[0].srvAuthenticated, true);
    assert.deepEqual(d.tlsa[0].records.map((r: any) => `${r.usage} ${r.selector} ${r.matchingType}`), ['3 1 1']);
    assert.ok(d.queries.every((q: any) => q.authenticated === true), JSON.stringify(d.queries));
    // Human output shows the TLSA records and that DANE applies.
    const h = await xfed(['check-dns', '--allow-private', '--resolver', dns.validator, 'signed.xfed']);
    assert.match(h.stdout, /TLSA _5269\._tcp\.ok\.signed\.xfed \(DNSSEC-signed: DANE applies\)\n\s+3 1 1 [0-9a-f]{64}/);
  });

  test('check-dns: expired signatures are bogus (error naming the question), not a resolver failure', async () => {
    const { code, doc } = await checkDns(['--resolver', dns.validator, 'expired.xfed']);
    assert.equal(code, 1);
    assert.deepEqual(all(doc), ['dns.dnssec.bogus:error']);
    const f = doc.targets[0]!.findings[0]!;
    assert.match(f.title, /DNSSEC validation fails for .*expired\.xfed/);
    assert.ok(f.evidence.some((e) => e.label === 'SRV _xmpp-server._tcp.expired.xfed' && /SERVFAIL; with CD=1: NOERROR/.test(e.value)), JSON.stringify(f.evidence));
    writeFileSync(join(tmp, 'bogus.json'), JSON.stringify(doc));
  });

  test('check-dns: an unsigned zone is info (a warning with --dnssec); its TLSA records are ignored by peers', async () => {
    const { code, doc } = await checkDns(['--resolver', dns.validator, 'unsigned.xfed']);
    assert.equal(code, 0);
    assert.deepEqual(all(doc), ['dns.dnssec.unsigned:info', 'dns.srv.ok:info', 'dns.srv.target-private:info', 'dns.tlsa.unsigned:warning', 'dns.xmpps.absent:info']);
    const strict = await checkDns(['--dnssec', '--resolver', dns.validator, 'unsigned.xfed']);
    assert.deepEqual(all(strict.doc), ['dns.dnssec.unsigned:warning', 'dns.srv.ok:info', 'dns.srv.target-private:info', 'dns.tlsa.unsigned:warning', 'dns.xmpps.absent:info']);
  });

  test('check-dns: malformed TLSA rdata and a digest of the wrong length are a finding, not a crash', async () => {
    const { code, doc } = await checkDns(['--resolver', dns.validator, 'mal.signed.xfed']);
    assert.equal(code, 0);
    assert.deepEqual(all(doc), ['dns.dnssec.signed:info', 'dns.srv.ok:info', 'dns.srv.target-private:info', 'dns.tlsa.malformed:warning', 'dns.xmpps.absent:info']);
    const t = doc.targets[0]!.data.dns.tlsa[0];
    assert.deepEqual(t.records, []);
    assert.equal(t.malformed.length, 2);
    assert.ok(t.malformed.some((m: string) => /TLSA rdata of 2 bytes/.test(m)), t.malformed.join('; '));
    assert.ok(t.malformed.some((m: string) => /20 bytes of association data for SHA-256/.test(m)), t.malformed.join('; '));
  });

  test('check-dns: a resolver that does not validate gives no DNSSEC verdict (one `. SOA` question per run)', async () => {
    const { code, doc } = await checkDns(['--resolver', dns.plain, 'signed.xfed', 'unsigned.xfed']);
    assert.equal(code, 0);
    assert.deepEqual(all(doc, 0), ['dns.dnssec.resolver-not-validating:info', 'dns.srv.ok:info', 'dns.srv.target-private:info', 'dns.xmpps.absent:info']);
    assert.deepEqual(all(doc, 1), ['dns.dnssec.resolver-not-validating:info', 'dns.srv.ok:info', 'dns.srv.target-private:info', 'dns.xmpps.absent:info']);
    // The `. SOA` question is the run's, not one of the domain's questions.
    assert.ok(!doc.targets[0]!.data.dns.queries.some((q: any) => q.name === '' && q.type === 'SOA'));
    assert.equal(doc.targets[0]!.data.dns.dnssec.probe.authenticated, false);
  });

  test('probe: DANE-EE "3 1 1" of the presented key: probe.dane.match; another key: probe.dane.mismatch with the record to publish', async () => {
    const base = ['--json', '--resolver', dns.validator, '--ca', lab.caFile, '--no-dialback'];
    const ok = json<Doc>(await xfed(['probe', 'a.test', '--host', 'ok.signed.xfed', ...base]));
    assert.deepEqual(all(ok), ['probe.dane.match:info'], JSON.stringify(ok.targets[0]!.data.probe.dane));
    const dane = ok.targets[0]!.data.probe.dane;
    assert.equal(dane.usable, true);
    assert.deepEqual(dane.matched, { usage: 3, selector: 1, matchingType: 1, certIndex: 0 });

    const r = await xfed(['probe', 'a.test', '--host', 'bad.signed.xfed', ...base]);
    const bad = json<Doc>(r);
    assert.equal(r.code, 1);
    assert.deepEqual(all(bad), ['probe.dane.mismatch:error']);
    const f = bad.targets[0]!.findings.find((x) => x.id === 'probe.dane.mismatch')!;
    assert.ok(f.fix.includes(`TLSA 3 1 1 ${spkiSha256(readFileSync(join(lab.certs, 'a.test.crt'), 'utf8'))}`), f.fix);
    assert.ok(f.evidence.some((e) => e.label === 'certificate' && /a\.test/.test(e.value)));
    writeFileSync(join(tmp, 'mismatch.json'), r.stdout);
  });

  test('probe: DANE-TA "2 0 1" of the lab CA: a match on ejabberd, which sends the CA; on Prosody, which sends its leaf alone, a mismatch (RFC 7671 §5.2.2) that "2 0 0" avoids; without validation DANE does not apply', async () => {
    const base = ['--json', '--resolver', dns.validator, '--ca', lab.caFile, '--no-dialback'];
    const ta = json<Doc>(await xfed(['probe', 'b.test', '--host', 'ta.signed.xfed', ...base]));
    assert.deepEqual(all(ta), ['probe.dane.match:info']);
    assert.deepEqual([ta.targets[0]!.data.probe.dane.matched.usage, ta.targets[0]!.data.probe.dane.sent], [2, undefined]);
    const tap = json<Doc>(await xfed(['probe', 'a.test', '--host', 'tap.signed.xfed', ...base]));
    assert.deepEqual(all(tap), ['probe.dane.mismatch:error']);
    assert.equal(tap.targets[0]!.data.probe.dane.sent, 1);
    assert.match(tap.targets[0]!.findings[0]!.evidence.find((e) => e.label === 'TLSA')!.value, /CN=xfed lab CA .*which the server does not send/);
    const ta0 = json<Doc>(await xfed(['probe', 'a.test', '--host', 'ta0.signed.xfed', ...base]));
    assert.deepEqual(all(ta0), ['probe.dane.match:info']);
    assert.deepEqual(ta0.targets[0]!.data.probe.dane.matched, { usage: 2, selector: 0, matchingType: 0, certIndex: 1 });
    const plain = json<Doc>(await xfed(['probe', 'a.test', '--host', 'bad.signed.xfed', '--json', '--resolver', dns.plain, '--ca', lab.caFile, '--no-dialback']));
    assert.deepEqual(all(plain), []);
    assert.equal(plain.targets[0]!.data.probe.dane.usable, false);
    assert.equal(plain.targets[0]!.data.probe.dane.tlsaAuthenticated, false);
  });

  test('probe through a signed SRV: Prosody serves hosted.signed.xfed with a provider certificate that a DANE-EE record delegates (RFC 7673)', async () => {
    const base = ['--json', '--resolver', dns.validator, '--ca', lab.caFile, '--no-dialback'];
    const r = await xfed(['probe', 'hosted.signed.xfed', ...base]);
    const doc = json<Doc>(r);
    assert.deepEqual(all(doc), ['probe.cert.delegated:info', 'probe.dane.match:info'], JSON.stringify(doc.targets[0]!.findings.map((f) => [f.id, f.title])));
    assert.equal(r.code, 0);
    const p = doc.targets[0]!.data.probe;
    assert.equal(p.connected.host, 'prov.signed.xfed');
    assert.equal(p.tls.identity.matched, false, 'the certificate names only xmpp-a.test');
    assert.deepEqual([p.dane.srvAuthenticated, p.dane.tlsaAuthenticated, p.dane.usable], [true, true, true]);
    assert.match(doc.targets[0]!.findings.find((f) => f.id === 'probe.cert.delegated')!.title, /by DANE \(RFC 7673\)/);
    // The same server through a resolver that does not validate: no DANE, so the names decide.
    const plain = json<Doc>(await xfed(['probe', 'hosted.signed.xfed', '--json', '--resolver', dns.plain, '--ca', lab.caFile, '--no-dialback']));
    assert.deepEqual(all(plain), ['probe.cert.name-mismatch:error']);
  });

  test('diagnose: a bogus zone and a DANE mismatch are causes with fixes', async () => {
    const r = await xfed(['diagnose', '--json', join(tmp, 'bogus.json'), join(tmp, 'mismatch.json')]);
    const doc = json<Doc>(r);
    assert.deepEqual(doc.targets[0]!.findings.map((f) => f.id).sort(), ['diagnose.dane.mismatch', 'diagnose.dnssec.bogus']);
    const fixes = doc.targets[0]!.findings.map((f) => f.fix).join('\n');
    assert.match(fixes, /Re-sign the zone/);
    assert.match(fixes, /roll TLSA before the certificate: publish "3 1 1" for the new key first/);
  });
});
