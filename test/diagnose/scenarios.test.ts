/**
 * Every fixture in fixtures/logs/ declares, in a sidecar `<case>.expect`, the exact
 * finding ids it must produce (`id` or `id @ line`). This one harness runs them all.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Finding } from '../../src/core/result.js';
import { BUILTIN_RULES, diagnose } from '../../src/diagnose/index.js';
import { FIXTURES } from '../helpers/servers.js';
import { readScenarios } from '../helpers/real-corpus.js';

const DIR = join(FIXTURES, 'logs');

export interface Expectation {
  id: string;
  line?: number;
}

export function readExpect(file: string): Expectation[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(\S+)(?:\s*@\s*(\d+))?$/.exec(l);
      assert.ok(m, `${file}: bad line "${l}"`);
      return { id: m[1]!, ...(m[2] ? { line: Number(m[2]) } : {}) };
    });
}

export function inputFor(stem: string): string {
  for (const cand of [stem, `${stem}.log`, `${stem}.txt`, `${stem}.json`, `${stem}.log.gz`, `${stem}.tar.gz`, `${stem}.tgz`]) if (existsSync(join(DIR, cand))) return join(DIR, cand);
  throw new Error(`no input for ${stem}.expect`);
}

const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.expect'))
  .map((f) => f.slice(0, -'.expect'.length))
  .sort();

test('there are fixtures', () => assert.ok(cases.length >= 20, `only ${cases.length} fixtures`));

for (const stem of cases) {
  test(`fixture ${stem}`, async () => {
    const want = readExpect(join(DIR, `${stem}.expect`));
    const [t] = await diagnose({ paths: [inputFor(stem)] });
    const got = t!.findings.map((f) => f.id).sort();
    assert.deepEqual(got, [...new Set(want.map((w) => w.id))].sort(), `${stem}: finding ids`);
    for (const w of want.filter((x) => x.line !== undefined)) {
      const f = t!.findings.find((x) => x.id === w.id)!;
      assert.ok(
        f.evidence.some((e) => e.line === w.line),
        `${stem}: ${w.id} has no evidence at line ${w.line}: ${JSON.stringify(f.evidence.map((e) => [e.source, e.line]))}`,
      );
    }
    for (const f of t!.findings) {
      if (f.id === 'diagnose.no-match') continue;
      assert.ok(f.evidence.length > 0, `${f.id} has evidence`);
      assert.ok(f.fix.length > 0, `${f.id} has a fix`);
    }
  });
}

test('every built-in rule is triggered by at least one fixture and absent from at least one', () => {
  const triggered = new Set<string>();
  for (const stem of cases) for (const e of readExpect(join(DIR, `${stem}.expect`))) triggered.add(e.id);
  // The real corpus (fixtures/logs/real/, test/diagnose/corpus.test.ts) names the first cause of each failure.
  for (const s of readScenarios()) if (s.first) triggered.add(s.first);
  for (const r of BUILTIN_RULES) assert.ok(triggered.has(r.id), `no fixture triggers ${r.id}`);
  // Exact-set comparison makes every other fixture a "must not fire" case; make sure healthy ones exist.
  assert.ok(cases.filter((s) => readExpect(join(DIR, `${s}.expect`)).every((e) => e.id === 'diagnose.no-match')).length >= 5);
});

test('the whole fixture directory at once: the union of the expectations, root causes first, then by severity and time', async () => {
  // The top-level fixtures only: the real corpus (real/) has its own harness.
  const files = readdirSync(DIR).filter((f) => f !== 'real').map((f) => join(DIR, f));
  const [t] = await diagnose({ paths: files, target: DIR });
  const want = new Set<string>();
  for (const stem of cases) for (const e of readExpect(join(DIR, `${stem}.expect`))) if (e.id !== 'diagnose.no-match') want.add(e.id);
  // Together, the bouncing after a restart supersedes the plain "restart the router" cause.
  want.delete('diagnose.xcp.router-restart-needed');
  // The .expect files are read too: plain text in no log format.
  want.add('diagnose.input.unknown-format');
  assert.deepEqual(new Set(t!.findings.map((f) => f.id)), want);
  const rank = { error: 0, warning: 1, info: 2 } as const;
  const sev = t!.findings.map((f) => rank[f.severity]);
  assert.deepEqual(sev, [...sev].sort((a, b) => a - b), 'severity order');
  // Within one severity: the causes nothing explains first, then the consequences of a reported root cause, each by time.
  const consequence = (f: Finding) => f.detail.includes('Probably a consequence of:');
  for (const s of ['error', 'warning', 'info'] as const) {
    const same = t!.findings.filter((f) => f.severity === s);
    const tiers = same.map((f) => (consequence(f) ? 1 : 0));
    assert.deepEqual(tiers, [...tiers].sort((a, b) => a - b), `${s}: root causes before consequences`);
    for (const k of [0, 1]) {
      const dated = same.filter((f) => (consequence(f) ? 1 : 0) === k).map((f) => f.evidence.map((e) => e.firstSeen).filter(Boolean).sort()[0] ?? '').filter(Boolean);
      assert.deepEqual(dated, [...dated].sort(), `${s}: ordered by first time seen`);
    }
  }
  assert.ok(t!.findings.some(consequence), 'the directory has a cause explained by another');
  // Each consequence names a root that is reported, and that root names it back.
  for (const f of t!.findings.filter(consequence)) {
    const roots = /Probably a consequence of: (.+?) \(reported above\)/.exec(f.detail)![1]!.split(', ');
    for (const r of roots) assert.ok(/Explains: (.+?) \(consequences/.exec(t!.findings.find((x) => x.id === r)!.detail)![1]!.split(', ').includes(f.id), `${r} names ${f.id}`);
  }
});

test('dialback keys never reach the evidence', async () => {
  const [t] = await diagnose({ paths: [join(DIR, 'expe-dialback-invalid.log'), join(DIR, 'expe-dialback-timeout.log')] });
  const text = JSON.stringify(t);
  assert.ok(text.includes('[redacted]'));
  assert.ok(!text.includes('d780f198ac34'), 'dialback key leaked');
});
