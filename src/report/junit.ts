/**
 * JUnit XML for CI systems (GitLab, Jenkins, Azure, GitHub test reporters): one test case per
 * check and target, a <failure> when the target has error findings (and warnings with
 * --strict). The shape follows the common JUnit schema (testsuites > testsuite > testcase >
 * failure/system-out) that CI parsers accept.
 */
import { checkOf } from '../core/checks.js';
import type { Finding, RunResult, TargetResult } from '../core/result.js';

/** XML 1.0 forbids most control characters even when escaped. */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function xmlEscape(s: string): string {
  return s
    .replace(INVALID_XML, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function targetMs(t: TargetResult): number {
  return Object.values(t.timings ?? {}).reduce((a, b) => a + (typeof b === 'number' ? b : 0), 0);
}

function describe(f: Finding): string {
  const lines = [`[${f.severity}] ${f.id}: ${f.title}`];
  if (f.detail) lines.push(`  ${f.detail}`);
  for (const e of f.evidence.slice(0, 10)) lines.push(`  - ${e.label}: ${e.value}${e.source ? ` (${e.source}${e.line ? `:${e.line}` : ''})` : ''}`);
  if (f.fix) lines.push(`  fix: ${f.fix}`);
  return lines.join('\n');
}

/** JUnit XML of a run (already redacted: report/output.ts renders every format). */
export function renderJunit(run: RunResult, opts: { strict?: boolean } = {}): string {
  const strict = opts.strict ?? Boolean(run.options?.strict);
  const failing = (f: Finding) => f.severity === 'error' || (strict && f.severity === 'warning');
  const groups = new Map<string, TargetResult[]>();
  for (const t of run.targets) {
    const c = checkOf(run, t);
    groups.set(c, [...(groups.get(c) ?? []), t]);
  }
  let tests = 0;
  let failures = 0;
  const suites: string[] = [];
  for (const [check, targets] of groups) {
    const cases: string[] = [];
    let suiteFailures = 0;
    let suiteMs = 0;
    const seen = new Map<string, number>();
    for (const t of targets) {
      let name = t.display && t.display !== t.target ? `${t.display} (${t.target})` : t.target;
      // Test case names must be unique within a suite for most CI parsers.
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      if (n > 1) name = `${name} #${n}`;
      const ms = targetMs(t);
      suiteMs += ms;
      const bad = t.findings.filter(failing);
      const rest = t.findings.filter((f) => !failing(f));
      const attrs = `classname="xfed.${xmlEscape(check)}" name="${xmlEscape(name)}" time="${seconds(ms)}"`;
      const body: string[] = [];
      if (bad.length) {
        suiteFailures++;
        const ids = [...new Set(bad.map((f) => f.id))];
        const message = `${bad.length} ${strict ? 'problem' : 'error'}${bad.length === 1 ? '' : 's'}: ${bad[0]!.title}${bad.length > 1 ? ` (+${bad.length - 1} more: ${ids.join(', ')})` : ''}`;
        body.push(`      <failure message="${xmlEscape(message)}" type="${xmlEscape(bad[0]!.id)}">${xmlEscape(bad.map(describe).join('\n\n'))}</failure>`);
      }
      const ignored = (t.data as { ignored?: Array<Finding & { ignoredBecause?: string }> } | undefined)?.ignored ?? [];
      const out = [...rest.map(describe), ...ignored.map((f) => `[ignored: ${f.ignoredBecause ?? ''}] ${f.id}: ${f.title}`)];
      if (out.length) body.push(`      <system-out>${xmlEscape(out.join('\n\n'))}</system-out>`);
      cases.push(body.length ? `    <testcase ${attrs}>\n${body.join('\n')}\n    </testcase>` : `    <testcase ${attrs}/>`);
    }
    tests += targets.length;
    failures += suiteFailures;
    suites.push(
      `  <testsuite name="xfed.${xmlEscape(check)}" tests="${targets.length}" failures="${suiteFailures}" errors="0" skipped="0" time="${seconds(suiteMs)}" timestamp="${xmlEscape(run.startedAt.replace(/\.\d+Z$/, ''))}">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="xfed ${xmlEscape(run.command)}" tests="${tests}" failures="${failures}" errors="0" time="${seconds(run.durationMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
