/**
 * `xfed report --html out.html <xfed JSON files…>`: saved check-dns and probe results (real runs
 * against the test lab's unbound and S2S server) merged into one report, opened in headless
 * Chromium; and its usage errors (exit 2, one line) without a browser.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { xfed } from '../helpers/cli.js';
import { commandLines, skipServers, startServers, type Servers } from '../output/setup.js';
import { openReport, query, screenshot, skipBrowser } from './browser.js';

interface Doc {
  targets: Array<{ target: string; timings?: Record<string, number>; findings: Array<{ id: string }> }>;
}

describe('xfed report: saved check-dns and probe results in one report', { skip: skipServers ?? skipBrowser }, () => {
  let s: Servers;
  let dir: string;
  before(async () => {
    s = await startServers();
    dir = mkdtempSync(join(tmpdir(), 'xfed-html-report-'));
  });
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('two runs merged: each target says its run; the path, the waterfall and every finding are there', async () => {
    const docs: Doc[] = [];
    const files: string[] = [];
    for (const c of commandLines(s).slice(0, 2)) {
      const file = join(dir, `${c.command}.json`);
      const r = await xfed([...c.args, '-o', `json=${file}`, '-q'], { env: c.env });
      assert.equal(r.code, 1, r.stderr);
      docs.push(JSON.parse(readFileSync(file, 'utf8')) as Doc);
      files.push(file);
    }
    const out = join(dir, 'report.html');
    const r = await xfed(['report', '--html', out, ...files]);
    const targets = docs.reduce((n, d) => n + d.targets.length, 0);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, `wrote ${out}: 2 runs, ${targets} targets\n`, '']);
    const o = await openReport(out);
    try {
      assert.deepEqual(o.requests, []);
      assert.deepEqual(o.errors, []);
      const dom = await query<{ runs: string[][]; labels: string[]; ids: string[]; rows: string[][]; edges: number }>(
        o.page,
        `({
          runs: [...document.querySelectorAll('#runs tbody tr')].map((tr) => [...tr.children].slice(0, 3).map((td) => td.textContent)),
          labels: [...document.querySelectorAll('.target-block h3 small')].map((e) => e.textContent),
          ids: [...document.querySelectorAll('[data-finding-id]')].map((e) => e.dataset.findingId),
          rows: [...document.querySelectorAll('#waterfall .row')].map((r) => [...r.querySelectorAll('.phase')].map((p) => p.dataset.phase)),
          edges: document.querySelectorAll('#federation-path .edge').length,
        })`,
      );
      assert.deepEqual(dom.runs, [['1', files[0], 'xfed check-dns'], ['2', files[1], 'xfed probe']]);
      assert.deepEqual(dom.labels.sort(), [...docs[0]!.targets.map(() => `run 1: ${files[0]}`), ...docs[1]!.targets.map(() => `run 2: ${files[1]}`)].sort());
      assert.deepEqual(dom.ids.sort(), docs.flatMap((d) => d.targets.flatMap((t) => t.findings.map((f) => f.id))).sort());
      assert.deepEqual(dom.rows, docs[1]!.targets.map((t) => Object.keys(t.timings ?? {})));
      assert.ok(dom.edges >= 3, `${dom.edges} edges`);
      await screenshot(o.page, 'html-report-merged.png');
    } finally {
      await o.close();
    }
  });
});

describe('-o html= on every check command', { skip: skipServers }, () => {
  let s: Servers;
  let dir: string;
  before(async () => {
    s = await startServers();
    dir = mkdtempSync(join(tmpdir(), 'xfed-html-commands-'));
  });
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('check-dns, probe, axl-verify, diagnose: the HTML file has every finding of the same run, and its picture where there is one', async () => {
    for (const c of commandLines(s)) {
      const html = join(dir, `${c.command}.html`);
      const file = join(dir, `${c.command}.json`);
      const r = await xfed([...c.args, '-o', `html=${html}`, '-o', `json=${file}`, '-q'], { env: c.env });
      assert.equal(r.code, 1, `${c.command}: ${r.stderr}`);
      const doc = JSON.parse(readFileSync(file, 'utf8')) as Doc;
      const text = readFileSync(html, 'utf8');
      const ids = [...text.matchAll(/data-finding-id="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(ids.sort(), doc.targets.flatMap((t) => t.findings.map((f) => f.id)).sort(), c.command);
      assert.equal(text.includes('id="federation-path"'), c.command !== 'diagnose', c.command);
      assert.equal(text.includes('id="waterfall"'), c.command === 'probe', c.command);
    }
  });
});

describe('xfed report: usage errors', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'xfed-html-usage-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('not an xfed result, bad JSON, a missing file, the input as output, --format: exit 2 and one line', async () => {
    const notXfed = join(dir, 'other.json');
    writeFileSync(notXfed, '{"tool":"other","targets":[]}');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"tool":"xfed","targets":[');
    const noFindings = join(dir, 'nofindings.json');
    writeFileSync(noFindings, '{"tool":"xfed","targets":[{"target":"a.example"}]}');
    const out = join(dir, 'r.html');
    const cases: Array<[string[], string]> = [
      [['report', '--html', out, notXfed], `xfed: input ${notXfed}: is not an xfed JSON result (no "tool": "xfed")\n`],
      [['report', '--html', out, noFindings], `xfed: input ${noFindings}: is not an xfed JSON result (targets[0] has no "findings" list)\n`],
      [['report', '--html', out, join(dir, 'missing.json')], `xfed: cannot read input ${join(dir, 'missing.json')}: no such file\n`],
      [['report', '--html', notXfed, notXfed], `xfed: --html ${notXfed} is also the input ${notXfed}: refused (the report would overwrite it)\n`],
      [['report', '--html', out, '--format', 'json', notXfed], 'xfed: report writes the HTML file given with --html: --format, --json and --output do not apply\n'],
      [['report', notXfed], "xfed: required option '--html <file>' not specified\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = await xfed(args);
      // With --format json, the error is also one JSON document on stdout (issue 13).
      const stdout = args.includes('json') ? JSON.parse(r.stdout).error.message : r.stdout;
      assert.deepEqual([r.code, r.stderr, stdout], [2, stderr, args.includes('json') ? stderr.slice('xfed: '.length, -1) : ''], args.join(' '));
    }
    const r = await xfed(['report', '--html', out, broken]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^xfed: input .*broken\.json: does not parse as JSON: [^\n]+\n$/);
    assert.throws(() => readFileSync(out), /ENOENT/, 'no report written');
  });

  test('--html - writes the report on stdout; several documents in one file are runs of their own', async () => {
    const run = (command: string, target: string) => ({ schema: 1, tool: 'xfed', version: '0.1.0', command, startedAt: '2026-11-29T00:00:00.000Z', durationMs: 1, options: {}, targets: [{ target, verdict: 'ok', findings: [{ id: 'dns.srv.ok', severity: 'info', title: 't', detail: '', evidence: [], fix: '', target }], data: {} }], summary: { targets: 1, errors: 0, warnings: 0, info: 1 }, exitCode: 0 });
    const file = join(dir, 'two.json');
    writeFileSync(file, `${JSON.stringify(run('check-dns', 'a.example'))}\n${JSON.stringify(run('check-dns', 'b.example'))}\n`);
    const r = await xfed(['report', '--html', '-', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^<!DOCTYPE html>/);
    assert.ok(r.stdout.includes(`${file} #1`) && r.stdout.includes(`${file} #2`));
    assert.equal(r.stdout.match(/data-finding-id="dns\.srv\.ok"/g)?.length, 2);
  });

  test('saved results are redacted before they are rendered (secrets by their shape)', async () => {
    const file = join(dir, 'secrets.json');
    const ev = [{ label: 'log', value: 'login password=hunter2-Zq9 refused' }, { label: 'http', value: 'Authorization: Basic Zm9vOmh1bnRlcjItWnE5' }];
    const doc = { schema: 1, tool: 'xfed', version: '0.1.0', command: 'diagnose', startedAt: '2026-11-29T00:00:00.000Z', durationMs: 1, options: {}, targets: [{ target: 'logs', verdict: 'error', findings: [{ id: 'diagnose.axl.http-401', severity: 'error', title: 't', detail: '', evidence: ev, fix: '', target: 'logs' }], data: {} }], summary: { targets: 1, errors: 1, warnings: 0, info: 0 }, exitCode: 1 };
    writeFileSync(file, JSON.stringify(doc));
    const r = await xfed(['report', '--html', '-', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes('data-finding-id="diagnose.axl.http-401"'));
    assert.ok(!r.stdout.includes('hunter2-Zq9'));
    assert.ok(!r.stdout.includes('Zm9vOmh1bnRlcjItWnE5'));
    assert.ok(r.stdout.includes('[redacted]'));
  });
});
