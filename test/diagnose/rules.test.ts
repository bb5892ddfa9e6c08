/** The rule data itself: valid, unique, documented, and cheap for the prefilter. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRules, trieSource } from '../../src/diagnose/compile.js';
import { diagnose } from '../../src/diagnose/index.js';
import { redactEvidence } from '../../src/core/redact.js';
import { BUILTIN_RULES, INPUT_FINDINGS } from '../../src/diagnose/rules/index.js';
import type { RunResult } from '../../src/core/result.js';

test('built-in rules compile, ids are unique, dotted and start with diagnose.', () => {
  const { rules } = compileRules(BUILTIN_RULES);
  assert.equal(rules.length, BUILTIN_RULES.length);
  const ids = [...BUILTIN_RULES.map((r) => r.id), ...INPUT_FINDINGS.map((i) => i.id)];
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^diagnose\.[a-z0-9-]+(\.[a-z0-9-]+)*$/);
  for (const r of BUILTIN_RULES) {
    assert.ok(r.fix.length > 0, `${r.id} has fix steps`);
    assert.ok(r.cause.length > 40, `${r.id} explains its cause`);
    if (r.id !== 'diagnose.result.other') assert.ok(r.references.length > 0, `${r.id} cites a reference`);
    for (const s of r.supersedes ?? []) assert.ok(BUILTIN_RULES.some((x) => x.id === s), `${r.id} supersedes unknown ${s}`);
  }
});

test('built-in keywords are at least 11 characters: short ones slow the whole-buffer search', () => {
  for (const k of compileRules(BUILTIN_RULES).keywords) assert.ok(k.length >= 11, `keyword "${k}"`);
});

test('the trie-shaped prefilter finds exactly the keywords a plain alternation finds', () => {
  const words = ['Status="401"', 'Status="403"', 'Status="4', 'host-unknown', "type='invalid'"];
  const re = new RegExp(trieSource(words), 'g');
  const text = `a Status="401" b Status="403" c Status="404" d host-unknown type='invalid' type='valid'`;
  assert.deepEqual(text.match(re), ['Status="401"', 'Status="403"', 'Status="4', 'host-unknown', "type='invalid'"]);
});

test('evidence redaction: dialback keys in every shape real logs show, URL credentials', () => {
  const cases = [
    "sending:: <db:result from='coluc.com' to='vngtp.lab'>d780f198ac34a6dbd795fcdaf8762eaf52ea9b03</db:result>",
    "<db:verify from='coluc.com' id='05E295A2B' to='vngtp.lab' type='valid'>d780f198ac34a6dbd795fcdaf8762eaf 52ea9b03</db:verify>",
    "<db:resultado de='coluc.com' a='vngtp.lab'>d780f198ac34a6dbd795fcdaf8762eaf52ea9b03</db:output>",
    'd780f198ac34a6dbd795fcdaf8762eaf52ea9b03"',
  ];
  for (const c of cases) assert.ok(!redactEvidence(c).includes('d780f198'), redactEvidence(c));
  assert.equal(redactEvidence('URL="https://axl:s3cret@cups:8443/axl/"'), 'URL="https://axl:[redacted]@cups:8443/axl/"');
  assert.equal(redactEvidence("<db:result from='a' to='b' type='invalid'/> next"), "<db:result from='a' to='b' type='invalid'/> next");
});

test('a diagnose result fed back in keeps its causes (no "other" wrapper)', async () => {
  const run = {
    schema: 1,
    tool: 'xfed',
    version: '0.1.0',
    command: 'diagnose',
    startedAt: '2026-11-24T10:00:00.000Z',
    durationMs: 1,
    options: {},
    targets: [
      {
        target: 'logs',
        verdict: 'error',
        findings: [
          { id: 'diagnose.dialback.invalid', severity: 'error', title: 't', detail: '', evidence: [], fix: '', target: 'logs' },
          { id: 'diagnose.no-match', severity: 'info', title: 't', detail: '', evidence: [], fix: '', target: 'logs' },
        ],
        data: {},
      },
    ],
    summary: { targets: 1, errors: 1, warnings: 0, info: 1 },
    exitCode: 1,
  } as RunResult;
  const [t] = await diagnose({ paths: [], results: [{ source: 'earlier.json', run }] });
  assert.deepEqual(t!.findings.map((f) => f.id), ['diagnose.dialback.invalid']);
});
