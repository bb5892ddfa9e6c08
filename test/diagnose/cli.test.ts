/**
 * End to end through bin/xfed.js: `xfed diagnose`, `xfed rules`, `xfed rules show`,
 * a user's rules file, and the generated docs/rules.md being current.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { renderRulesMarkdown } from '../../src/diagnose/doc.js';
import { BUILTIN_RULES, INPUT_FINDINGS } from '../../src/diagnose/rules/index.js';
import { json, xfed } from '../helpers/cli.js';
import { FIXTURES, ROOT } from '../helpers/servers.js';

const LOGS = join(FIXTURES, 'logs');
const tmp = mkdtempSync(join(tmpdir(), 'xfed-rules-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('docs/rules.md is generated from the current rule set (npm run docs:rules)', () => {
  const want = renderRulesMarkdown(BUILTIN_RULES, INPUT_FINDINGS);
  const have = readFileSync(join(ROOT, 'docs', 'rules.md'), 'utf8');
  assert.ok(have === want, 'docs/rules.md is stale: run `npm run docs:rules`');
});

test('README documents every rule and input finding id', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const id of [...BUILTIN_RULES.map((r) => r.id), ...INPUT_FINDINGS.map((i) => i.id)]) assert.ok(readme.includes(id), `README lacks ${id}`);
});

test('xfed diagnose: human output with cause, evidence and fix; exit 1 on error findings', async () => {
  const r = await xfed(['diagnose', join(LOGS, 'expc-axl-401.log')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /ERROR diagnose\.axl\.http-401/);
  assert.match(r.stdout, /expc-axl-401\.log:10, 2x/);
  assert.match(r.stdout, /fix: 1\. Confirm/);
  assert.equal(r.stderr, '');
});

test('xfed diagnose --json on a healthy log: exit 0, schema 1, only diagnose.no-match', async () => {
  const r = await xfed(['--json', 'diagnose', join(LOGS, 'expe-dialback-ok.log')]);
  assert.equal(r.code, 0, r.stderr);
  const doc = json(r);
  assert.equal(doc.schema, 1);
  assert.equal(doc.command, 'diagnose');
  assert.deepEqual(doc.targets[0].findings.map((f: { id: string }) => f.id), ['diagnose.no-match']);
  assert.equal(doc.targets[0].data.diagnose.inputs[0].product, 'expressway');
});

test('xfed diagnose --strict fails on warnings', async () => {
  const r = await xfed(['diagnose', '--strict', join(LOGS, 'expc-axl-599.log')]);
  assert.equal(r.code, 1);
  const r2 = await xfed(['diagnose', join(LOGS, 'expc-axl-599.log')]);
  assert.equal(r2.code, 0);
});

test('usage errors exit 2 with one line', async () => {
  for (const args of [['diagnose'], ['diagnose', join(tmp, 'missing.log')], ['rules', 'show', 'diagnose.no.such-rule'], ['diagnose', '--rules', join(tmp, 'none.yaml'), join(LOGS, 'expc-axl-ok.log')]]) {
    const r = await xfed(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^xfed: /);
  }
});

test('xfed rules and xfed rules show, human and --json', async () => {
  const list = await xfed(['--json', 'rules']);
  assert.equal(list.code, 0);
  const doc = json(list);
  assert.deepEqual(doc.targets.map((t: { data: { rule: { id: string } } }) => t.data.rule.id), BUILTIN_RULES.map((r) => r.id));
  const human = await xfed(['rules']);
  assert.match(human.stdout, /diagnose\.dialback\.timeout\s+ERROR/);
  const show = await xfed(['rules', 'show', 'diagnose.dialback.timeout']);
  assert.equal(show.code, 0);
  assert.match(show.stdout, /Scheduling dialback timeout/);
  assert.match(show.stdout, /Fix:\n\s+1\. /);
  const sj = json(await xfed(['--json', 'rules', 'show', 'dialback.invalid']));
  assert.equal(sj.targets[0].data.explain.rule.id, 'diagnose.dialback.invalid');
});

test('a rules file adds a rule, overrides a built-in and disables another', async () => {
  const rules = join(tmp, 'site.yaml');
  writeFileSync(
    rules,
    `# site rules
rules:
  - id: site.partner.quarantined
    title: The partner is quarantined by our proxy
    severity: warning
    products: [expressway]
    match:
      - line:
          keywords: ["received::"]
          regex: "presence from='(?<key>[^']+)'"
          threshold: { count: 2, windowSeconds: 600 }
    cause: Presence from the partner passes through the quarantine proxy.
    fix: [Ask the network team to release it.]
  - id: diagnose.axl.http-401
    severity: warning
  - id: diagnose.dialback.invalid
    enabled: false
`,
  );
  const r = await xfed(['--json', 'diagnose', '--rules', rules, join(LOGS, 'expc-axl-401.log'), join(LOGS, 'expe-dialback-invalid.log')]);
  assert.equal(r.code, 0, r.stderr);
  const f = json(r).targets[0].findings;
  // Same severity: ordered by time (the presence lines come first).
  assert.deepEqual(f.map((x: { id: string }) => x.id), ['site.partner.quarantined', 'diagnose.axl.http-401']);
  assert.equal(f[1].severity, 'warning');
  assert.equal(f[0].evidence[0].label, 'alice@coluc.com/jabber_1');
  const shown = await xfed(['rules', '--rules', rules]);
  assert.match(shown.stdout, /site\.partner\.quarantined/);
  assert.match(shown.stdout, /diagnose\.dialback\.invalid \(disabled\)/);
});

test('a bad rules file names the problem', async () => {
  const cases: Array<[string, RegExp]> = [
    ['rules:\n  - id: x.y\n    title: t\n    severity: fatal\n    cause: c\n    fix: []\n    match: [{ line: { keywords: [abc] } }]\n', /rules\[0\] \(x\.y\)\.severity: must be error, warning or info/],
    ['rules:\n  - id: x.y\n    title: t\n    severity: error\n    cause: c\n    fix: []\n    match: [{ line: { keywords: [ab] } }]\n', /keywords: "ab" is too short/],
    ['rules:\n  - id: x.y\n    title: t\n    severity: error\n    cause: c\n    fix: []\n    match: [{ line: { keywords: [abc], regex: "(" } }]\n', /regex: invalid regular expression/],
    ['rules:\n  - id: x.y\n    title: t\n    severity: error\n    cause: c\n    fix: []\n    match: [{ lines: {} }]\n', /unknown matcher "lines"/],
    ['rules:\n  - id: x.y\n    colour: red\n', /unknown key "colour"/],
    ['rules: [\n  - id\n', /line \d+/],
  ];
  for (const [i, [text, re]] of cases.entries()) {
    const p = join(tmp, `bad${i}.yaml`);
    writeFileSync(p, text);
    const r = await xfed(['rules', '--rules', p]);
    assert.equal(r.code, 2, `case ${i}: ${r.stdout}`);
    assert.match(r.stderr, re, `case ${i}`);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
