/**
 * Engine semantics that fixtures alone do not pin down: chain ordering and `unless`,
 * and the severity of causes derived from xfed results.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { RunResult, Severity } from '../../src/core/result.js';
import { BUILTIN_RULES, diagnose, type RuleSpec } from '../../src/diagnose/index.js';
import { json, xfed } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'xfed-diag-engine-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const at = (min: number, text: string) => `2026-11-24 09:${String(min).padStart(2, '0')}:00,000 INFO  [router] ${text}`;

function logFile(name: string, lines: string[]): string {
  const p = join(tmp, name);
  writeFileSync(p, `${lines.join('\n')}\n`);
  return p;
}

const rule = (over: Partial<RuleSpec>): RuleSpec => ({
  id: 'site.test',
  title: 'test rule',
  severity: 'error',
  products: ['any'] as unknown as RuleSpec['products'],
  logs: '',
  match: [],
  cause: 'A cause long enough to explain what this test rule is about.',
  fix: ['Nothing.'],
  references: [],
  ...over,
});

// The key groups the evidence: one entry per step.
const step = (k: string) => ({ keywords: [k], regex: `(?<key>${k})` });

test('a 3-step chain: each step takes the earliest hit after the previous step (first/last hits alone miss it)', async () => {
  const chain = rule({ match: [{ chain: { steps: [step('STEP-AAA'), step('STEP-BBB'), step('STEP-CCC')] } }] });
  // B at 01 (before A), 06 and 10; C at 08: A05 -> B06 -> C08 is a valid order.
  const p = logFile('chain3.log', [at(1, 'STEP-BBB'), at(5, 'STEP-AAA'), at(6, 'STEP-BBB'), at(8, 'STEP-CCC'), at(10, 'STEP-BBB')]);
  const [t] = await diagnose({ paths: [p], rules: [chain] });
  const f = t!.findings.find((x) => x.id === 'site.test');
  assert.ok(f, `fired: ${t!.findings.map((x) => x.id)}`);
  assert.deepEqual(f.evidence.map((e) => e.line).sort(), [2, 3, 4]);
  // No C after any B that follows A: no cause.
  const q = logFile('chain3-no.log', [at(1, 'STEP-CCC'), at(5, 'STEP-AAA'), at(6, 'STEP-CCC'), at(8, 'STEP-BBB')]);
  const [u] = await diagnose({ paths: [q], rules: [chain] });
  assert.deepEqual(u!.findings.map((x) => x.id), ['diagnose.no-match']);
});

const ROUTER = BUILTIN_RULES.filter((r) => r.id === 'diagnose.xcp.router-restart-needed');
const axl = (min: number, status: number) =>
  `2026-11-24T10:${String(min).padStart(2, '0')}:00.000+01:00 expc01 tvcs: UTCTime="2026-11-24 09:${String(min).padStart(2, '0')}:00,000" Module="network.axl" Level="INFO":  Action="Received" URL="https://cups.ciscotac.net:8443/axl/" Function="executeSQLQuery" Status="${status}" Reason="OK"`;
const restart = (min: number) => `2026-11-24 09:${String(min).padStart(2, '0')}:00,000 INFO  [router] Cisco XCP Router started`;

async function routerFires(expc: string[], imp: string[]): Promise<boolean> {
  const d = mkdtempSync(join(tmp, 'bundle-'));
  writeFileSync(join(d, 'loggingsnapshot_expc01.txt'), `${expc.join('\n')}\n`);
  writeFileSync(join(d, 'rtr-jsm-1.log'), `${imp.join('\n')}\n`);
  const [t] = await diagnose({ paths: [d], rules: ROUTER });
  return t!.findings.some((f) => f.id === 'diagnose.xcp.router-restart-needed');
}

test('router-restart-needed: unless is compared with the hit that completed the chain, not the last AXL 200', async () => {
  assert.equal(await routerFires([axl(15, 401), axl(25, 200), axl(45, 200)], [restart(30)]), false, 'restart after the fix');
  assert.equal(await routerFires([axl(15, 401), axl(25, 200), axl(45, 200)], []), true, 'no restart');
  assert.equal(await routerFires([axl(15, 401), axl(25, 200)], [restart(20)]), true, 'restart before the fix');
  // A second episode after the restart needs another restart.
  assert.equal(await routerFires([axl(15, 401), axl(25, 200), axl(40, 401), axl(45, 200), axl(50, 200)], [restart(30)]), true, 'second episode');
  // Thousands of routine 200s (the event list is compacted) change nothing.
  const many = Array.from({ length: 30_000 }, () => axl(46, 200));
  assert.equal(await routerFires([axl(15, 401), axl(25, 200), ...many], [restart(30)]), false, 'many 200s after the restart');
  assert.equal(await routerFires([axl(15, 401), ...many], [restart(10)]), true, 'many 200s, restart before the 401');
});

function checkDns(severity: Severity): RunResult {
  return {
    schema: 1,
    tool: 'xfed',
    version: '0.1.0',
    command: 'check-dns',
    startedAt: '2026-11-24T10:00:00.000Z',
    durationMs: 1,
    options: {},
    targets: [
      {
        target: 'coluc.com',
        verdict: severity === 'error' ? 'error' : 'warning',
        findings: [{ id: 'dns.srv.missing', severity, title: 'No _xmpp-server._tcp SRV record', detail: '', evidence: [], fix: '', target: 'coluc.com' }],
        data: {},
      },
    ],
    summary: { targets: 1, errors: severity === 'error' ? 1 : 0, warnings: severity === 'warning' ? 1 : 0, info: 0 },
    exitCode: severity === 'error' ? 1 : 0,
  } as RunResult;
}

test('a cause from xfed results is no more severe than the findings it matched', async () => {
  for (const [sev, want] of [
    ['warning', 'warning'],
    ['error', 'error'],
  ] as const) {
    const [t] = await diagnose({ paths: [], results: [{ source: 'dns.json', run: checkDns(sev) }] });
    const f = t!.findings.find((x) => x.id === 'diagnose.dns.srv-missing');
    assert.equal(f?.severity, want, `dns.srv.missing ${sev}`);
    assert.equal(t!.data.diagnose.causes.find((c) => c.id === 'diagnose.dns.srv-missing')?.severity, want);
    assert.equal(t!.verdict, want);
  }
  // A warning-only check-dns result file: exit 0, like check-dns itself.
  const p = join(tmp, 'dns-warning.json');
  writeFileSync(p, JSON.stringify(checkDns('warning')));
  const r = await xfed(['--json', 'diagnose', p]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(json(r).targets[0].findings[0].severity, 'warning');
});

test('a rule with log and result evidence keeps its own severity when a log line matched', async () => {
  const both = rule({ match: [{ line: step('SRV-LOOKUP-FAILED') }, { finding: { ids: ['dns.srv.missing'] } }] });
  const results = [{ source: 'dns.json', run: checkDns('warning') }];
  const [onlyResult] = await diagnose({ paths: [], results, rules: [both] });
  assert.equal(onlyResult!.findings.find((f) => f.id === 'site.test')?.severity, 'warning');
  const p = logFile('srv.log', [at(1, 'SRV-LOOKUP-FAILED for coluc.com')]);
  const [withLog] = await diagnose({ paths: [p], results, rules: [both] });
  assert.equal(withLog!.findings.find((f) => f.id === 'site.test')?.severity, 'error');
});
