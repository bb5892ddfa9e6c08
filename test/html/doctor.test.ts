/**
 * The HTML report in a real browser (issue 15): `xfed doctor --demo -o html=… -o json=…` (DNS,
 * probe, AXL and diagnose targets), opened in headless Chromium with the network blocked. The
 * picture, the waterfall and every finding of the same run's JSON are there; no request, no
 * console error; a screenshot (and the printed PDF) are kept in .lab/artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { xfed } from '../helpers/cli.js';
import { ARTIFACTS, openReport, query, screenshot, skipBrowser, type Opened } from './browser.js';

interface Doc {
  exitCode: number;
  targets: Array<{ target: string; timings?: Record<string, number>; data: { check: string }; findings: Array<{ id: string; severity: string }> }>;
}

describe('doctor --demo -o html= in headless Chromium', { skip: skipBrowser }, () => {
  let dir: string;
  let doc: Doc;
  let o: Opened;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xfed-html-'));
    const r = await xfed(['doctor', '--demo', '-o', `html=${join(dir, 'doctor.html')}`, '-o', `json=${join(dir, 'doctor.json')}`]);
    assert.equal(r.code, 1, r.stderr);
    doc = JSON.parse(readFileSync(join(dir, 'doctor.json'), 'utf8')) as Doc;
    o = await openReport(join(dir, 'doctor.html'));
  });
  after(async () => {
    await o?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('loads with no request, no console error, no script', async () => {
    assert.deepEqual(o.requests, []);
    assert.deepEqual(o.errors, []);
    assert.deepEqual(o.dialogs, []);
    assert.equal(await query(o.page, "document.querySelectorAll('script').length"), 0);
    assert.equal(await query(o.page, "document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content.startsWith(\"default-src 'none'\")"), true);
  });

  test('every finding of the run is there, each once, with its anchor', async () => {
    const shown = await query<string[]>(o.page, "[...document.querySelectorAll('[data-finding-id]')].map((e) => e.dataset.findingId)");
    assert.deepEqual(shown.sort(), doc.targets.flatMap((t) => t.findings.map((f) => f.id)).sort());
    // The verdict table: one row per target, each linking to a section that exists.
    const rows = await query<Array<[string, boolean]>>(o.page, "[...document.querySelectorAll('#verdicts tbody tr')].map((tr) => { const a = tr.querySelector('a'); return [a.textContent, !!document.getElementById(a.getAttribute('href').slice(1))]; })");
    assert.deepEqual(rows, doc.targets.map((t) => [t.target, true]));
  });

  test('the federation path: each edge coloured by its verdict and labelled with the finding that broke it', async () => {
    const edges = await query<string[]>(o.page, "[...document.querySelectorAll('#federation-path .edge')].map((e) => e.getAttribute('class').match(/tone-(\\w+)/)[1] + ' ' + e.dataset.edge)");
    assert.deepEqual(edges.sort(), [
      'error axl.auth.failed',
      'error probe.cert.name-mismatch',
      'none traversal (not checked)',
      'ok S2S TLSv1.3',
      'ok SRV',
      'warning dns.srv.target-cname',
      'warning dns.srv.target-unresolvable',
      'warning not reached: NOADDRESS',
    ]);
    // A broken edge links to its finding.
    const linked = await query<string[]>(o.page, "[...document.querySelectorAll('#federation-path .edge a')].map((a) => document.getElementById(a.getAttribute('href').slice(1)).dataset.findingId)");
    assert.deepEqual(linked.sort(), ['axl.auth.failed', 'dns.srv.target-cname', 'dns.srv.target-unresolvable', 'probe.cert.name-mismatch']);
    const nodes = await query<string[]>(o.page, "[...document.querySelectorAll('#federation-path .node .kind')].map((t) => t.textContent)");
    for (const kind of ['Expressway-E (ours)', 'peer server', 'Expressway-C', 'IM&P · AXL']) assert.ok(nodes.includes(kind), `${kind} in ${nodes.join(', ')}`);
    const box = await o.page.locator('#federation-path').boundingBox();
    assert.ok(box && box.width > 800 && box.height > 200, JSON.stringify(box));
  });

  test('the waterfall: one row per probe target, its phases in order', async () => {
    const rows = await query<string[][]>(o.page, "[...document.querySelectorAll('#waterfall .row')].map((r) => [...r.querySelectorAll('.phase')].map((p) => p.dataset.phase))");
    const probes = doc.targets.filter((t) => t.data.check === 'probe');
    assert.deepEqual(rows, probes.map((t) => Object.keys(t.timings ?? {})));
    assert.deepEqual(rows[0], ['dns', 'tcp', 'stream', 'tls', 'features', 'dialback']);
    // globex.example: the certificate (tls) and dialback phases are outlined as broken.
    const broke = await query<string[]>(o.page, "[...document.querySelectorAll('#waterfall .phase.broke-error')].map((p) => p.dataset.phase)");
    assert.deepEqual(broke, ['tls', 'dialback']);
    const widths = await query<number[]>(o.page, "[...document.querySelectorAll('#waterfall .phase rect')].map((r) => r.getBBox().width)");
    assert.ok(widths.every((w) => w > 0));
  });

  test('the diagnosis comes first among the findings; references are links', async () => {
    const first = await query<string>(o.page, "document.querySelector('#findings [data-finding-id]').dataset.findingId");
    assert.equal(first, 'diagnose.axl.http-401');
    const hrefs = await query<string[]>(o.page, "[...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'))");
    assert.ok(hrefs.some((h) => h.startsWith('https://')));
    assert.deepEqual(hrefs.filter((h) => !h.startsWith('#') && !h.startsWith('https://') && !h.startsWith('http://')), []);
  });

  test('screenshot and print: the PDF hides the navigation, keeps the picture', async () => {
    const png = await screenshot(o.page, 'html-report-doctor.png');
    assert.ok(statSync(png).size > 50_000);
    await o.page.emulateMedia({ media: 'print' });
    assert.equal(await query(o.page, "getComputedStyle(document.querySelector('nav.toc')).display"), 'none');
    const pdf = join(ARTIFACTS, 'html-report-doctor.pdf');
    await o.page.pdf({ path: pdf, format: 'A4', printBackground: true });
    assert.ok(statSync(pdf).size > 20_000);
    await o.page.emulateMedia({ media: 'screen' });
  });
});
