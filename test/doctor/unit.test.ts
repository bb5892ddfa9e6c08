/**
 * xfed doctor, in process: config validation (every error names the key and its line), the
 * ignore list, the JUnit and GitHub renderers (JUnit parsed and shape-checked), the starter
 * config, and the schema rejecting what it must.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { UsageError } from '../../src/core/errors.js';
import { targetResult, type Finding, type RunResult, type TargetResult } from '../../src/core/result.js';
import { loadConfig, parseConfig } from '../../src/doctor/config.js';
import { applyIgnore, unusedIgnores } from '../../src/doctor/ignore.js';
import { STARTER_CONFIG } from '../../src/doctor/init.js';
import { resolvePlan, type DoctorPlan } from '../../src/doctor/plan.js';
import { runDoctor } from '../../src/doctor/doctor.js';
import { FIXTURES } from '../helpers/servers.js';
import { escapeData, escapeProperty, renderGithub } from '../../src/report/github.js';
import { renderJunit } from '../../src/report/junit.js';
import { checkJunitShape } from './junit-shape.js';
import { schemaErrors } from './schema.js';

const dir = mkdtempSync(join(tmpdir(), 'xfed-doctor-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function usage(text: string): string {
  try {
    parseConfig(text, 'x.yaml');
  } catch (e) {
    assert.ok(e instanceof UsageError, `expected a UsageError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    return e.message;
  }
  assert.fail(`accepted:\n${text}`);
}

describe('config validation', () => {
  test('a full config is read, relative paths resolved against the config directory', () => {
    const c = parseConfig(
      [
        'domains: [Bücher.example]',
        'partners:',
        '  - partner.example',
        '  - partner.example',
        'expressway_e: [expe1.example.com, "expe2.example.com:5270"]',
        'dns: { resolvers: ["127.0.0.1:53"], allow_private: true, dnssec: true }',
        'probe: { secret_file: secret.txt, ca: [ca.pem], expiry_warn_days: 10 }',
        'axl: { server: imp.example:8443, user: axl, password_file: pw, expect: expe1.example.com }',
        'logs: [logs/]',
        'ignore: [{ id: "dns.xmpps.*", reason: "no direct TLS yet" }]',
        'concurrency: 4',
        'timeouts: { dns: 1000, dialback: 5000 }',
      ].join('\n'),
      '/etc/xfed/x.yaml',
    );
    assert.deepEqual(c.domains, ['xn--bcher-kva.example']);
    assert.deepEqual(c.partners, ['partner.example'], 'de-duplicated');
    assert.deepEqual(c.expresswayE, [{ host: 'expe1.example.com' }, { host: 'expe2.example.com', port: 5270 }]);
    assert.equal(c.probe.secretFile, '/etc/xfed/secret.txt');
    assert.deepEqual(c.probe.ca, ['/etc/xfed/ca.pem']);
    assert.equal(c.probe.from, undefined, 'the default from (our first domain) is set by resolvePlan once the secret is known');
    assert.equal(c.probe.expiryWarnDays, 10);
    assert.deepEqual(c.axl?.expect, ['expe1.example.com'], 'a single value is a one-element list');
    assert.equal(c.axl?.passwordFile, '/etc/xfed/pw');
    assert.deepEqual(c.logs, ['/etc/xfed/logs']);
    assert.equal(c.concurrency, 4);
    assert.deepEqual(c.timeouts, { dns: 1000, dialback: 5000 });
    assert.equal(c.dns.allowPrivate, true);
    assert.equal(c.dns.dnssec, true);
    assert.equal(parseConfig('partners: [a.example]\n', 'x.yaml').dns.dnssec, undefined, 'dns.dnssec defaults to off');
  });

  test('JSON configs work too, with line numbers', () => {
    const c = parseConfig('{\n  "partners": ["a.example"],\n  "concurrency": 2\n}\n', 'x.json');
    assert.deepEqual(c.partners, ['a.example']);
    assert.equal(usage('{\n  "partners": ["a.example"],\n  "concurency": 2\n}\n'), 'config x.yaml line 3: concurency: unknown key (did you mean "concurrency"?)');
  });

  test('unknown keys name the key, its line and a suggestion', () => {
    assert.equal(usage('domains: [a.example]\npartner: [b.example]\n'), 'config x.yaml line 2: partner: unknown key (did you mean "partners"?)');
    assert.match(usage('domains: [a.example]\ndns:\n  resolver: [1.1.1.1]\n'), /^config x\.yaml line 3: dns\.resolver: unknown key \(did you mean "resolvers"\?\)$/);
    assert.match(usage('domains: [a.example]\nfoo: 1\n'), /^config x\.yaml line 2: foo: unknown key; known keys here: domains, partners/);
  });

  test('wrong types name the key and line', () => {
    assert.equal(usage('partners: [a.example]\nconcurrency: lots\n'), 'config x.yaml line 2: concurrency: expected a whole number, got string "lots"');
    assert.equal(usage('partners: [a.example]\ndns:\n  allow_private: "yes"\n'), 'config x.yaml line 3: dns.allow_private: expected true or false, got string "yes"');
    assert.equal(usage('partners:\n  a: 1\n'), 'config x.yaml line 2: partners: expected a list, got a mapping');
    assert.equal(usage('partners: [a.example, 12]\n'), 'config x.yaml line 1: partners[1]: expected text, got number 12');
    assert.equal(usage('partners: [a.example]\nconcurrency: 0\n'), 'config x.yaml line 2: concurrency: must be between 1 and 1024');
    assert.match(usage('partners: ["-bad-.example"]\n'), /^config x\.yaml line 1: partners\[0\]: "-bad-\.example": /);
    assert.equal(usage('partners: [a.example]\ntimeouts: 5\n'), 'config x.yaml line 2: timeouts: expected a mapping (key: value), got number 5');
  });

  test('a password or dialback secret in the file is refused, pointing at the safe ways', () => {
    assert.equal(
      usage('axl:\n  server: imp\n  user: u\n  password: hunter2\n'),
      'config x.yaml line 4: axl.password: passwords never go in the config file: set XFED_AXL_PASSWORD or use axl.password_file',
    );
    assert.match(usage('partners: [a.example]\nprobe:\n  secret: s3cret\n'), /^config x\.yaml line 3: probe\.secret: the dialback secret never goes in the config file/);
  });

  test('required keys, ignore reasons, duplicates, syntax errors, empty files', () => {
    assert.equal(usage('axl:\n  server: imp\n'), 'config x.yaml line 2: axl: "user" is required here');
    assert.equal(usage('partners: [a.example]\nignore:\n  - id: dns.srv.missing\n'), 'config x.yaml line 3: ignore[0]: "reason" is required here');
    assert.equal(usage('partners: [a.example]\nignore:\n  - id: "dns srv"\n    reason: x\n'), 'config x.yaml line 3: ignore[0].id: "dns srv": not a finding id (letters, digits, dots, dashes, * wildcards)');
    assert.equal(usage('partners: [a.example]\npartners: [b.example]\n'), 'config x.yaml line 2: partners: given twice');
    assert.match(usage('partners: [a.example\nconcurrency: 2\n'), /^config x\.yaml line \d+: /);
    assert.equal(usage('# nothing\n'), 'config x.yaml: the file is empty (run "xfed init" for a starter config)');
    assert.equal(usage('concurrency: 3\n'), 'config x.yaml: nothing to check: give domains, partners, axl or logs');
    assert.equal(usage('dns: { resolvers: [1.1.1.1], doh: "https://x/dns-query" }\npartners: [a.example]\n'), 'config x.yaml: dns: use either resolvers or doh, not both');
  });

  test('loadConfig: a missing file, a directory', async () => {
    await assert.rejects(loadConfig(join(dir, 'nope.yaml')), (e: Error) => e instanceof UsageError && /nope\.yaml: no such file \(run "xfed init"/.test(e.message));
    await assert.rejects(loadConfig(dir), (e: Error) => e instanceof UsageError && /not a file/.test(e.message));
  });

  test('resolvePlan: the AXL password from the environment or a file, never absent; secrets and files checked first', async () => {
    const cfgFile = join(dir, 'plan.yaml');
    writeFileSync(join(dir, 'pw'), 'from-file-pw\n');
    writeFileSync(join(dir, 'empty'), '');
    writeFileSync(cfgFile, 'axl: { server: imp, user: u }\n');
    const c = await loadConfig(cfgFile);
    await assert.rejects(resolvePlan(c, {}), /^UsageError: axl: no password: set XFED_AXL_PASSWORD or axl\.password_file$/);
    assert.equal((await resolvePlan(c, { XFED_AXL_PASSWORD: 'env-pw' })).axl?.password, 'env-pw');
    writeFileSync(cfgFile, 'axl: { server: imp, user: u, password_file: pw }\n');
    assert.equal((await resolvePlan(await loadConfig(cfgFile), { XFED_AXL_PASSWORD: 'env-pw' })).axl?.password, 'from-file-pw');
    writeFileSync(cfgFile, 'axl: { server: imp, user: u, password_file: empty }\n');
    await assert.rejects(resolvePlan(await loadConfig(cfgFile), {}), /axl\.password_file .*empty: the file is empty/);
    writeFileSync(cfgFile, 'partners: [a.example]\nlogs: [missing-dir/]\n');
    await assert.rejects(resolvePlan(await loadConfig(cfgFile), {}), /logs: .*missing-dir: no such file or directory/);
    writeFileSync(cfgFile, 'partners: [a.example]\nprobe: { ca: [pw] }\n');
    await assert.rejects(resolvePlan(await loadConfig(cfgFile), {}), /probe\.ca .*pw: holds no PEM certificate/);
    writeFileSync(cfgFile, 'axl: { server: "http://imp.example", user: u }\n');
    await assert.rejects(resolvePlan(await loadConfig(cfgFile), { XFED_AXL_PASSWORD: 'p' }), /^UsageError: axl\.server: must be https/);
    writeFileSync(cfgFile, 'axl: { server: imp.example, user: u, expect: ["not a host!"] }\n');
    await assert.rejects(resolvePlan(await loadConfig(cfgFile), { XFED_AXL_PASSWORD: 'p' }), /^UsageError: axl\.expect: "not a host!" is neither an FQDN nor a cp_id/);
    writeFileSync(join(dir, 'rules.yaml'), '- id: site.x\n  bogus: 1\n');
    writeFileSync(cfgFile, 'partners: [a.example]\nrules_file: rules.yaml\n');
    await assert.rejects(resolvePlan(await loadConfig(cfgFile), {}), /^UsageError: rules file .*rules\.yaml/);
    writeFileSync(cfgFile, 'partners: [a.example]\ndns: { doh: "ftp://dns.example/q" }\n');
    await assert.rejects(resolvePlan(await loadConfig(cfgFile), {}), /^UsageError: dns\.doh: needs an https:\/\/ URL/);
  });

  test('the starter config written by "xfed init" is itself a valid config', () => {
    const c = parseConfig(STARTER_CONFIG, join(dir, 'xfed.yaml'));
    assert.deepEqual(c.domains, ['example.com']);
    assert.deepEqual(c.partners, ['partner.example']);
    assert.equal(c.ignore[0]?.id, 'dns.xmpps.absent');
    assert.ok(c.ignore.every((i) => i.reason.length > 0));
    // Every commented-out key is a real key: uncommenting them must also validate.
    const uncommented = STARTER_CONFIG.split('\n')
      .map((l) => l.replace(/^(\s*)# (\s*(?:[a-z_]+:(?:\s|$)|- ).*)$/, '$1$2'))
      .join('\n');
    const all = parseConfig(uncommented, join(dir, 'xfed.yaml'));
    assert.ok(all.axl, uncommented);
    assert.equal(all.axl.user, 'axluser');
    assert.equal(all.expresswayE.length, 2);
    assert.ok(all.logs.length === 1);
  });
});

// Made-up findings (ids with severities their checks never give them): built by hand, not with
// finding(), so that the test run's record of emitted findings (src/findings/check.ts) holds real ones only.
function f(id: string, severity: 'error' | 'warning' | 'info', target: string): Finding {
  return { id, severity, title: `${id} on ${target}`, detail: 'd', evidence: [], fix: 'do <this> & "that"', target };
}

describe('runDoctor in process', () => {
  test('a check that throws becomes doctor.check.failed; the logs are still diagnosed; unused ignores reported', async () => {
    // axl.expect is validated by resolvePlan; a hand-made plan skips that, so axlVerify itself refuses it.
    const plan: DoctorPlan = {
      config: {
        domains: [],
        partners: [],
        expresswayE: [],
        dns: { tcp: false, allowPrivate: false, client: false },
        probe: { enabled: true, ca: [], insecure: false, dialback: true, expiryWarnDays: 30 },
        axl: { server: '127.0.0.1:9', user: 'u', expect: ['not a host!'], insecure: false, all: false },
        logs: [join(FIXTURES, 'logs', 'expc-axl-401.log')],
        ignore: [{ id: 'dns.srv.missing', reason: 'nothing to ignore' }],
        concurrency: 2,
        timeouts: {},
      },
      axl: { password: 'pw-doctor-unit' },
    };
    const progress: string[] = [];
    const out = await runDoctor(plan, { onProgress: (d, n, label) => progress.push(`${d}/${n} ${label}`) });
    assert.deepEqual(
      out.targets.map((t) => [t.data.check, t.target, t.verdict]),
      [
        ['axl', '127.0.0.1:9', 'error'],
        ['diagnose', 'diagnosis', 'error'],
        ['doctor', 'config', 'ok'],
      ],
    );
    const failed = out.targets[0]!.findings[0]!;
    assert.equal(failed.id, 'doctor.check.failed');
    assert.match(failed.title, /the axl-verify check could not run: axl\.expect: "not a host!"/);
    assert.ok(out.targets[1]!.findings.some((f) => f.id === 'diagnose.axl.http-401'));
    assert.equal(out.targets[2]!.findings[0]!.id, 'doctor.ignore.unused');
    assert.deepEqual(progress, ['1/2 axl', '2/2 diagnose']);
    assert.deepEqual(out.runs.map((r) => r.source), ['axl-verify']);
  });
});

describe('ignore list', () => {
  test('moves matching findings aside with the reason, recomputes the verdict, and reports unused entries', () => {
    const t = targetResult('b.example', [f('dns.srv.missing', 'error', 'b.example'), f('dns.xmpps.absent', 'warning', 'b.example'), f('dns.srv.ok', 'info', 'b.example')], { check: 'dns' } as {
      check: string;
      ignored?: never[];
    });
    const ignore = [
      { id: 'dns.srv.*', reason: 'known, ticket 42', target: 'b.*' },
      { id: 'probe.cert.expired', reason: 'unused' },
      { id: 'dns.xmpps.absent', reason: 'not on a.example', target: 'a.example' },
    ];
    const used = new Set<number>();
    applyIgnore(t as TargetResult<{ ignored?: any[] }>, ignore, used);
    assert.deepEqual(
      t.findings.map((x) => x.id),
      ['dns.xmpps.absent'],
    );
    assert.equal(t.verdict, 'warning');
    const ignored = (t.data as { ignored?: Array<{ id: string; ignoredBecause: string }> }).ignored!;
    assert.deepEqual(
      ignored.map((x) => [x.id, x.ignoredBecause]),
      [
        ['dns.srv.missing', 'known, ticket 42'],
        ['dns.srv.ok', 'known, ticket 42'],
      ],
    );
    assert.deepEqual(
      unusedIgnores(ignore, used).map((u) => u.index),
      [1, 2],
    );
  });
});

function sampleRun(): RunResult {
  const targets: TargetResult[] = [
    targetResult('a.example', [f('dns.srv.ok', 'info', 'a.example')], { check: 'dns' }, { timings: { dns: 12 } }),
    targetResult('b.example', [f('dns.srv.missing', 'error', 'b.example'), f('dns.xmpps.absent', 'warning', 'b.example')], { check: 'dns' }, { timings: { dns: 3 } }),
    targetResult('b.example', [f('probe.tls.version-old', 'warning', 'b.example')], { check: 'probe', ignored: [{ ...f('probe.cert.expired', 'error', 'b.example'), ignoredBecause: 'renewal <CHG-1>' }] }),
    targetResult('b.example', [f('probe.tls.version-old', 'warning', 'b.example')], { check: 'probe' }, { display: 'b.example via expe1\u0007' }),
    targetResult('diagnosis', [f('diagnose.dns.srv-missing', 'error', 'diagnosis')], { check: 'diagnose' }),
  ];
  return {
    schema: 1,
    tool: 'xfed',
    version: '0.1.0',
    command: 'doctor',
    startedAt: '2026-11-25T12:00:00.000Z',
    durationMs: 1234.5,
    options: {},
    targets,
    summary: { targets: 5, errors: 2, warnings: 3, info: 1 },
    exitCode: 1,
  };
}

describe('renderers', () => {
  test('JUnit: one testcase per check and target, failures for errors (warnings too with strict), escaping', () => {
    const xml = renderJunit(sampleRun());
    const root = checkJunitShape(xml);
    assert.deepEqual(
      root.testsuite.map((s: any) => [s.name, s.tests, s.failures]),
      [
        ['xfed.dns', '2', '1'],
        ['xfed.probe', '2', '0'],
        ['xfed.diagnose', '1', '1'],
      ],
    );
    const b = root.testsuite[0].testcase[1];
    assert.equal(b.name, 'b.example');
    assert.equal(b.failure[0].type, 'dns.srv.missing');
    assert.match(b.failure[0]['#text'], /fix: do <this> & "that"/);
    assert.match(b['system-out'], /dns\.xmpps\.absent/);
    assert.match(root.testsuite[1].testcase[0]['system-out'], /\[ignored: renewal <CHG-1>\] probe\.cert\.expired/);
    assert.equal(root.testsuite[1].testcase[1].name, 'b.example via expe1\ufffd (b.example)', 'control characters replaced');
    const strict = checkJunitShape(renderJunit(sampleRun(), { strict: true }));
    assert.deepEqual(
      strict.testsuite.map((s: any) => s.failures),
      ['1', '2', '1'],
    );
  });

  test('GitHub: annotations per error and warning, escaped, and a summary notice', () => {
    const out = renderGithub(sampleRun());
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.filter((l) => l.startsWith('::error ')).length, 2);
    assert.equal(lines.filter((l) => l.startsWith('::warning ')).length, 3);
    assert.ok(lines.every((l) => /^::(error|warning|notice) title=[^\n]*::/.test(l)), out);
    assert.ok(lines.includes('::error title=xfed dns b.example%3A dns.srv.missing::dns.srv.missing on b.example%0Ad%0AFix: do <this> & "that"'), out);
    assert.equal(lines.at(-1), '::notice title=xfed doctor::5 targets, 2 errors, 3 warnings, 1 info (exit 1)');
    assert.equal(escapeData('100%\r\n'), '100%25%0D%0A');
    assert.equal(escapeProperty('a:b,c'), 'a%3Ab%2Cc');
  });
});

describe('schema', () => {
  test('accepts a doctor run and rejects broken documents', () => {
    const run = sampleRun();
    // The sample's data is minimal: a dns target with incomplete dns facts must be refused.
    (run.targets[0]!.data as Record<string, unknown>).dns = { domain: 'a.example' };
    assert.ok(schemaErrors(run).length > 0);
    run.targets = run.targets.filter((t) => (t.data as { check: string }).check === 'diagnose');
    (run.targets[0]!.data as Record<string, unknown>).diagnose = { rules: 1, inputs: [], inputsTotal: 0, totals: { bytes: 0, lines: 0, matched: 0, skipped: 0, results: 0 }, causes: [] };
    assert.deepEqual(schemaErrors(run), []);
    const bad = structuredClone(run) as any;
    bad.targets[0].findings[0].severity = 'fatal';
    assert.ok(schemaErrors(bad).length > 0, 'unknown severity');
    const bad2 = structuredClone(run) as any;
    bad2.targets[0].findings[0].id = 'nodots';
    assert.ok(schemaErrors(bad2).length > 0, 'finding ids are dotted');
    const bad3 = structuredClone(run) as any;
    delete bad3.summary;
    assert.ok(schemaErrors(bad3).length > 0, 'summary is required');
    const bad4 = structuredClone(run) as any;
    bad4.extra = 1;
    assert.ok(schemaErrors(bad4).length > 0, 'no unknown top-level keys');
  });
});

describe('review fixes', () => {
  test('the dialback secret from XFED_DIALBACK_SECRET makes our first domain the probe\'s from', async () => {
    const c = parseConfig('domains: [ours.example]\npartners: [them.example]\n', 'x.yaml');
    const plan = await resolvePlan(c, { XFED_DIALBACK_SECRET: 's3cret' });
    assert.equal(plan.secret, 's3cret');
    assert.equal(plan.config.probe.from, 'ours.example');
    // Without our domains nobody can say whose secret it is: still a usage error.
    await assert.rejects(resolvePlan(parseConfig('partners: [them.example]\n', 'x.yaml'), { XFED_DIALBACK_SECRET: 's3cret' }), UsageError);
  });

  test('a secret file is read as probe --secret-file reads it (whole file, one trailing newline dropped)', async () => {
    const f = join(dir, 'secret.txt');
    writeFileSync(f, 'line one\nline two\n');
    const c = parseConfig(`domains: [ours.example]\nprobe:\n  secret_file: ${f}\n`, join(dir, 'x.yaml'));
    assert.equal((await resolvePlan(c, {})).secret, 'line one\nline two');
  });

  test('expressway_e ports outside 1-65535 are config errors', () => {
    assert.match(usage('domains: [a.example]\nexpressway_e: ["127.0.0.1:99999"]\n'), /port must be 1-65535/);
    assert.match(usage('domains: [a.example]\nexpressway_e: ["127.0.0.1:0"]\n'), /port must be 1-65535/);
  });
});
