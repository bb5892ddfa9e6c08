/**
 * `--format github` (issue 13): the causes (diagnose findings) first, at most 10 annotations
 * per level with the rest counted in one notice, the summary notice last, and a Markdown step
 * summary appended to `$GITHUB_STEP_SUMMARY` when it is set (real binary, the demo).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildRun, targetResult, type Finding } from '../../src/core/result.js';
import { renderGithub, renderGithubSummary } from '../../src/report/github.js';
import { xfed } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'xfed-github-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A plain finding (not through finding(): these ids are made up and must not be recorded). */
const f = (id: string, severity: Finding['severity'], target: string): Finding => ({ id, severity, title: `${id} | <b>`, detail: '', evidence: [], fix: 'fix it', target });

/** A doctor run: `n` partners with an error and a warning each, then the diagnosis. */
function manyPartners(n: number) {
  const targets = [];
  for (let i = 0; i < n; i++) {
    const t = `p${i}.example`;
    targets.push(targetResult(t, [f('dns.srv.missing', 'error', t), f('dns.srv.target-cname', 'warning', t), f('dns.srv.found', 'info', t)], { check: 'dns' }));
  }
  targets.push(targetResult('diagnosis', [f('diagnose.dialback.invalid', 'error', 'diagnosis'), f('diagnose.tls.cert-identity', 'error', 'diagnosis')], { check: 'diagnose' }));
  return buildRun('doctor', {}, targets, new Date(), false);
}

const level = (l: string) => /^::(\w+) /.exec(l)![1];

describe('GitHub annotations', () => {
  test('8 broken partners: the causes first, 10 errors and 10 warnings, the rest counted, the summary last', () => {
    const lines = renderGithub(manyPartners(8)).trimEnd().split('\n');
    assert.deepEqual(
      lines.slice(0, 2).map((l) => /title=([^:]*)::/.exec(l)![1]),
      ['xfed diagnose diagnosis%3A diagnose.dialback.invalid', 'xfed diagnose diagnosis%3A diagnose.tls.cert-identity'],
    );
    assert.equal(lines.filter((l) => level(l) === 'error').length, 10);
    assert.equal(lines.filter((l) => level(l) === 'warning').length, 8);
    assert.equal(lines.filter((l) => level(l) === 'notice').length, 1, 'nothing left out: no notice but the summary');
    assert.equal(lines.at(-1), '::notice title=xfed doctor::9 targets, 10 errors, 8 warnings, 8 info (exit 1)');
  });

  test('12 broken partners: 10 of each level, and one notice for what was left out', () => {
    const lines = renderGithub(manyPartners(12)).trimEnd().split('\n');
    assert.equal(lines.filter((l) => level(l) === 'error').length, 10);
    assert.equal(lines.filter((l) => level(l) === 'warning').length, 10);
    assert.deepEqual(lines.slice(-2), [
      '::notice title=xfed doctor%3A 4 errors%2C 2 warnings more::4 errors, 2 warnings not annotated. GitHub shows 10 annotations of each kind per step; the step summary and the JSON or JUnit report list every finding.',
      '::notice title=xfed doctor::13 targets, 14 errors, 12 warnings, 12 info (exit 1)',
    ]);
    // With --verbose info becomes notices: 8 of them, so that the two notices of ours make 10.
    const verbose = renderGithub(manyPartners(12), { verbose: true }).trimEnd().split('\n');
    assert.equal(verbose.filter((l) => level(l) === 'notice').length, 10);
    assert.match(verbose.at(-2)!, /^::notice title=xfed doctor%3A 4 errors%2C 2 warnings%2C 4 info more::/);
  });

  test('the step summary lists every finding, causes first, as safe Markdown', () => {
    const md = renderGithubSummary(manyPartners(12));
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Severity'));
    assert.equal(rows.length, 26);
    assert.equal(rows[0], '| error | diagnose | diagnosis | `diagnose.dialback.invalid` | diagnose.dialback.invalid \\| \\<b\\> | fix it |');
    assert.match(md, /^### ❌ xfed doctor: 14 errors, 12 warnings, 12 info on 13 targets \(exit 1\)\n/);
  });

  test('the binary appends the step summary to $GITHUB_STEP_SUMMARY, and not without --format github', async () => {
    const file = join(dir, 'summary.md');
    writeFileSync(file, 'before\n');
    const r = await xfed(['doctor', '--demo', '--format', 'github'], { env: { GITHUB_STEP_SUMMARY: file } });
    assert.equal(r.code, 1, r.stderr);
    const md = readFileSync(file, 'utf8');
    assert.match(md, /^before\n### ❌ xfed doctor: \d+ errors/);
    assert.match(md, /\| error \| probe \| globex\.example \| `probe\.cert\.name-mismatch` \|/);
    // The causes lead the annotations too.
    assert.match(r.stdout, /^::error title=xfed diagnose diagnosis%3A diagnose\./);
    const plain = await xfed(['doctor', '--demo', '--json'], { env: { GITHUB_STEP_SUMMARY: file } });
    assert.equal(plain.code, 1);
    assert.equal(readFileSync(file, 'utf8'), md);
  });
});
