// @needs-servers: starts Debian servers (unbound, Prosody, ejabberd); `npm run test:unit` leaves this file out.
/**
 * `xfed doctor --config` end to end against the real servers of the other commands' tests:
 * unbound authoritative for `example.` (test/dns), the AXL emulator over HTTPS on
 * 127.0.0.24, log fixtures, and (when it can run here) the XMPP lab: Prosody and ejabberd
 * behind unbound on 127.0.0.2/.3/.10.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TAC_ROW, makeSelfSignedCert, startAxlEmulator, type AxlEmulator } from '../../src/axl/emulator.js';
import { startExampleDns, type ExampleDns } from '../dns/dns-server.js';
import { json, xfed } from '../helpers/cli.js';
import { FIXTURES, hasBinary } from '../helpers/servers.js';
import { labMissing, startLab, type Lab } from '../lab/lab.js';
import { checkJunitShape } from './junit-shape.js';
import { schemaErrors } from './schema.js';

const AXL_HOST = '127.0.0.24';
const USER = 'axl-doctor';
const PASSWORD = 'Doctor-AXL-pw-9!';
const dir = mkdtempSync(join(tmpdir(), 'xfed-doctor-e2e-'));
const skipDns = hasBinary('unbound') && hasBinary('openssl') ? undefined : 'unbound/openssl not installed (bash scripts/setup.sh)';

let dns: ExampleDns;
let axl: AxlEmulator;
let caFile: string;

before(async () => {
  if (skipDns) return;
  dns = await startExampleDns();
  const tls = makeSelfSignedCert({ ips: [AXL_HOST] });
  caFile = join(dir, 'imp-ca.pem');
  writeFileSync(caFile, tls.cert);
  writeFileSync(join(dir, 'axl-password'), `${PASSWORD}\n`);
  axl = await startAxlEmulator({ host: AXL_HOST, port: 0, tls, users: { [USER]: PASSWORD }, rows: [TAC_ROW], versions: ['14.0', '15.0'] });
});
after(async () => {
  await axl?.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const ids = (t: { findings: Array<{ id: string }> }) => t.findings.map((f) => f.id);

describe('doctor against unbound, the AXL emulator and log fixtures', { skip: skipDns }, () => {
  const base = (logs = true) => [
    'dns:',
    `  resolvers: ["${dns.resolver}"]`,
    'probe:',
    // The example zone's targets are documentation addresses (203.0.113/24): never contacted.
    '  enabled: false',
    'axl:',
    `  server: "${AXL_HOST}:${axl.port}"`,
    `  user: ${USER}`,
    '  password_file: axl-password',
    `  ca: imp-ca.pem`,
    '  expect: [eft-xwye-a.coluc.com]',
    ...(logs ? [`logs: ["${join(FIXTURES, 'logs', 'expe-dialback-invalid.log')}"]`] : []),
    'timeouts: { dns: 2000, axl: 3000 }',
  ];

  test('JSON, JUnit and GitHub outputs of one run; the ignore list; exit 1 for errors', async () => {
    const file = config('deploy.yaml', [
      'domains: [good.example]',
      'partners: [private.example, unres.example, bücher.example]',
      ...base(),
      'ignore:',
      '  - id: dns.srv.target-unresolvable',
      '    target: unres.example',
      '    reason: partner fixes its AAAA in CHG-77',
      '  - id: probe.cert.expired',
      '    reason: never matches',
    ]);
    const jf = join(dir, 'r.json');
    const xf = join(dir, 'r.xml');
    const r = await xfed(['doctor', '-c', file, '--format', 'github', '--output', `json=${jf}`, '--output', `junit=${xf}`], { env: { XFED_AXL_PASSWORD: undefined } });
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(readFileSync(jf, 'utf8'));
    assert.deepEqual(schemaErrors(doc), []);
    assert.equal(doc.exitCode, 1);
    const checks = doc.targets.map((t: any) => `${t.data.check}:${t.target}`);
    assert.deepEqual(checks, ['dns:good.example', 'dns:private.example', 'dns:unres.example', 'dns:xn--bcher-kva.example', `axl:${AXL_HOST}:${axl.port}`, 'diagnose:diagnosis', `doctor:${file}`]);
    const t = (c: string) => doc.targets[checks.indexOf(c)];
    assert.equal(t('dns:good.example').verdict, 'ok');
    assert.ok(ids(t('dns:private.example')).includes('dns.srv.target-private'));
    assert.equal(t('dns:private.example').verdict, 'error');
    // Ignored for unres.example: moved aside with its reason, the verdict recomputed.
    const unres = t('dns:unres.example');
    assert.ok(!ids(unres).includes('dns.srv.target-unresolvable'));
    assert.deepEqual(
      unres.data.ignored.map((f: any) => [f.id, f.ignoredBecause]),
      [['dns.srv.target-unresolvable', 'partner fixes its AXXX in CHG-77'.replace('AXXX', 'AAAA')]],
    );
    assert.equal(t('dns:xn--bcher-kva.example').display, 'bücher.example');
    // AXL: the expected node is in the table; the password came from the file and never leaks.
    const a = t(`axl:${AXL_HOST}:${axl.port}`);
    assert.equal(a.verdict, 'ok', JSON.stringify(a.findings));
    assert.equal(a.data.axl.rowCount, 1);
    assert.ok(!readFileSync(jf, 'utf8').includes(PASSWORD));
    assert.ok(!r.stdout.includes(PASSWORD));
    // Diagnose got both the live results and the log.
    const diag = t('diagnose:diagnosis');
    assert.ok(ids(diag).includes('diagnose.dns.srv-private'), ids(diag).join());
    assert.ok(ids(diag).includes('diagnose.dialback.invalid'), ids(diag).join());
    assert.deepEqual(
      diag.data.diagnose.inputs.map((i: any) => i.kind).sort(),
      ['log', 'xfed-json', 'xfed-json'],
    );
    // The unused ignore entry is reported, as info.
    assert.deepEqual(ids(t(`doctor:${file}`)), ['doctor.ignore.unused']);
    assert.equal(t(`doctor:${file}`).findings[0].severity, 'info');

    const root = checkJunitShape(readFileSync(xf, 'utf8'));
    const dnsSuite = root.testsuite.find((s: any) => s.name === 'xfed.dns');
    assert.equal(dnsSuite.tests, '4');
    assert.equal(dnsSuite.failures, '1');
    assert.equal(dnsSuite.testcase.find((c: any) => c.name === 'private.example').failure[0].type, 'dns.srv.target-private');
    assert.ok(dnsSuite.testcase.find((c: any) => c.name === 'bücher.example (xn--bcher-kva.example)'));
    assert.equal(root.testsuite.find((s: any) => s.name === 'xfed.axl').failures, '0');

    assert.match(r.stdout, /^::error title=xfed dns private\.example%3A dns\.srv\.target-private::/m);
    assert.ok(!r.stdout.includes('dns.srv.target-unresolvable'), 'ignored findings are not annotated');
  });

  test('exit 0 when only warnings remain; --strict makes them fail; JUnit follows --strict', async () => {
    const file = config('warn.yaml', ['partners: [halfres.example]', ...base(false), 'ignore: [{ id: "dns.xmpps.*", reason: "STARTTLS only" }]']);
    let r = await xfed(['doctor', '-c', file, '--json']);
    assert.equal(r.code, 0, r.stdout);
    const doc = json(r);
    assert.deepEqual(schemaErrors(doc), []);
    assert.equal(doc.summary.errors, 0);
    assert.ok(doc.summary.warnings > 0);
    r = await xfed(['doctor', '-c', file, '--strict', '--format', 'junit']);
    assert.equal(r.code, 1);
    const root = checkJunitShape(r.stdout);
    assert.equal(root.testsuite.find((s: any) => s.name === 'xfed.dns').testcase[0].failure[0].type, 'dns.srv.target-unresolvable');
  });

  test('an AXL server that refuses the user: axl.auth.failed and diagnose.axl.http-401, human report ends with causes', async () => {
    const file = config('badpw.yaml', ['partners: [good.example]', ...base().filter((l) => !l.includes('password_file'))]);
    const r = await xfed(['doctor', '-c', file, '--no-color'], { env: { XFED_AXL_PASSWORD: 'wrong-password' } });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /ERROR axl\.auth\.failed/);
    assert.match(r.stdout, /Diagnosis: causes and fixes[\s\S]*ERROR diagnose\.axl\.http-401/);
    assert.ok(!r.stdout.includes('wrong-password'));
  });
  // Every command's --json against the schema: test/output/schema.test.ts.
});

const skipLab = labMissing();

describe('doctor against the XMPP lab (Prosody a.test, ejabberd b.test)', { skip: skipLab }, () => {
  let lab: Lab;
  before(async () => {
    lab = await startLab();
  });

  test('probes through the lab DNS and on a pinned Expressway-E address, dialback with our secret, schema-valid', async () => {
    // Our domain is b.test (ejabberd, its secret); the partners are on Prosody, which calls b.test back.
    const file = config('lab.yaml', [
      'domains: [b.test]',
      'partners: [a.test, wrong.test]',
      'expressway_e: ["127.0.0.3"]',
      `dns: { resolvers: ["${lab.resolver}"], allow_private: true }`,
      `probe: { secret_file: "${lab.ejabberdSecretFile}", ca: ["${lab.caFile}"] }`,
      `logs: ["${lab.prosodyLog}"]`,
      'ignore:',
      '  - { id: "dns.xmpps.*", reason: STARTTLS only }',
      'timeouts: { probe: 5000, dialback: 10000 }',
    ]);
    const r = await xfed(['doctor', '-c', file, '--json'], { timeoutMs: 90_000 });
    const doc = json(r);
    assert.deepEqual(schemaErrors(doc), []);
    assert.equal(doc.options.from, 'b.test', 'our first domain is the originating domain');
    const probes = doc.targets.filter((t: any) => t.data.check === 'probe');
    assert.deepEqual(
      probes.map((t: any) => t.display ?? t.target),
      ['b.test', 'a.test', 'wrong.test', 'b.test via 127.0.0.3'],
    );
    const [ours, a, wrong, pinned] = probes;
    // Our own domain is probed as a stranger (a server refuses a stream from a domain it hosts).
    assert.equal(ours.data.probe.from, 'xfed-probe.invalid');
    assert.equal(ours.verdict, 'ok', JSON.stringify(ours.findings));
    assert.equal(a.data.probe.from, 'b.test');
    assert.equal(a.data.probe.dialback.outcome, 'valid', JSON.stringify(a.findings));
    assert.equal(a.data.probe.connected.address, '127.0.0.2');
    assert.ok(ids(wrong).includes('probe.cert.name-mismatch'), JSON.stringify(wrong.findings.map((f: any) => `${f.id} ${f.title}`)));
    assert.equal(pinned.data.probe.connected.address, '127.0.0.3');
    assert.equal(pinned.data.probe.attempts[0].source, 'pinned');
    const diag = doc.targets.find((t: any) => t.data.check === 'diagnose');
    assert.ok(ids(diag).includes('diagnose.tls.cert-identity'), ids(diag).join());
    assert.equal(r.code, 1);
    assert.ok(!r.stdout.includes(readFileSync(lab.ejabberdSecretFile, 'utf8').trim()));
  });
});
