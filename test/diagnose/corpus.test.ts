/**
 * The real-log corpus (fixtures/logs/real/<scenario>/): lines published by Cisco TAC
 * documents and public issue trackers (each scenario's SOURCES.md says where), run
 * through `diagnose` as stdin (no file name to hint the product), and scored:
 * right first / wrong first / silent / false positives. CI fails below 90 % right
 * first, or on any error finding on a clean or decoy log.
 */
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Finding } from '../../src/core/result.js';
import { diagnose } from '../../src/diagnose/index.js';
import { firstCause, readScenarios, REAL } from '../helpers/real-corpus.js';

async function run(name: string): Promise<Finding[]> {
  const [t] = await diagnose({ paths: ['-'], stdin: createReadStream(join(REAL, name, 'excerpt.log')), now: Date.UTC(2026, 11, 31) });
  return t!.findings;
}

const scenarios = readScenarios();

test('the real corpus: at least 40 scenarios, a third of them clean or decoys', () => {
  assert.ok(scenarios.length >= 40, `only ${scenarios.length} scenarios`);
  const quiet = scenarios.filter((s) => s.kind !== 'failure').length;
  assert.ok(quiet * 3 >= scenarios.length, `only ${quiet} clean or decoy scenarios of ${scenarios.length}`);
});

test('the real corpus: right first in at least 90 % of failures, no error on clean or decoy logs', async (t) => {
  const score = { right: 0, wrong: [] as string[], silent: [] as string[], falsePositive: [] as string[] };
  for (const s of scenarios) {
    const findings = await run(s.name);
    const first = firstCause(findings);
    if (s.kind === 'failure') {
      if (!first) score.silent.push(s.name);
      else if (first.id === s.first) score.right++;
      else score.wrong.push(`${s.name}: ${first.id} (want ${s.first})`);
    } else {
      const errors = findings.filter((f) => f.severity === 'error');
      if (errors.length) score.falsePositive.push(`${s.name}: ${errors.map((f) => f.id).join(', ')}`);
    }
  }
  const failures = scenarios.filter((s) => s.kind === 'failure').length;
  const pct = Math.round((score.right / failures) * 1000) / 10;
  const line = `real corpus: ${score.right}/${failures} right first (${pct} %), ${score.wrong.length} wrong, ${score.silent.length} silent, ${score.falsePositive.length} false positives on ${scenarios.length - failures} clean/decoy logs`;
  t.diagnostic(line);
  for (const w of [...score.wrong, ...score.silent.map((s) => `${s}: silent`), ...score.falsePositive.map((f) => `false positive ${f}`)]) t.diagnostic(w);
  console.log(line);
  assert.deepEqual(score.falsePositive, [], 'error findings on clean or decoy logs');
  assert.ok(pct >= 90, `${line}\n${[...score.wrong, ...score.silent].join('\n')}`);
});

test('the real corpus: every scenario is a real excerpt with its sources', () => {
  for (const s of scenarios) {
    const src = readFileSync(join(REAL, s.name, 'SOURCES.md'), 'utf8');
    assert.match(src, /https?:\/\/|\bsrc\/|plugins\/|TAC \d+/, `${s.name}/SOURCES.md cites no publication`);
    assert.ok(readFileSync(join(REAL, s.name, 'excerpt.log'), 'utf8').trim().length > 0, `${s.name}: empty excerpt`);
  }
});
