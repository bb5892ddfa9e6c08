/** The HTML renderer without a browser: escaping, links, what is drawn for which run. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunResult } from '../../src/core/result.js';
import { esc, refLink, safeHref, withCode } from '../../src/report/html/escape.js';
import { renderHtml } from '../../src/report/html/index.js';
import { buildModel, checkOf } from '../../src/report/html/model.js';
import { parseOutput } from '../../src/report/output.js';

const run = (command: string, targets: RunResult['targets'], options: Record<string, unknown> = {}): RunResult => ({
  schema: 1,
  tool: 'xfed',
  version: '0.1.0',
  command,
  startedAt: '2026-11-29T00:00:00.000Z',
  durationMs: 5,
  options,
  targets,
  summary: { targets: targets.length, errors: 0, warnings: 0, info: 0 },
  exitCode: 0,
});

describe('html escaping', () => {
  test('text and attributes', () => {
    assert.equal(esc(`<a href="x" onload='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; onload=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    assert.equal(esc('bidi \u202e bell \u0007 nl \n'), 'bidi \\u202e bell \\x07 nl \\n');
    assert.equal(esc(undefined), '');
    assert.equal(withCode(esc('run `<b>` now')), 'run <code>&lt;b&gt;</code> now');
  });

  test('only absolute http(s) URLs become links', () => {
    assert.equal(safeHref('https://xmpp.org/extensions/xep-0220.html'), 'https://xmpp.org/extensions/xep-0220.html');
    for (const bad of ['javascript:alert(1)', ' JAVASCRIPT:alert(1)', 'data:text/html,x', 'file:///etc/passwd', '//evil.example/x', 'https//x', 'vbscript:x', 'http://[bad']) assert.equal(safeHref(bad), undefined, bad);
    assert.equal(refLink('javascript:alert(1)'), '<span class="ref-text">javascript:alert(1)</span>');
    assert.equal(refLink('https://www.rfc-editor.org/rfc/rfc6120.html#section-13.7.1.2'), '<a href="https://www.rfc-editor.org/rfc/rfc6120.html#section-13.7.1.2" title="https://www.rfc-editor.org/rfc/rfc6120.html#section-13.7.1.2" rel="noopener noreferrer external">RFC 6120 §13.7.1.2</a>');
    assert.match(refLink('https://xmpp.org/extensions/xep-0368.html'), />XEP-0368<\/a>$/);
  });
});

describe('html format', () => {
  test('-o html=file and the .html/.htm extensions', () => {
    assert.deepEqual(parseOutput('html=r.out'), { format: 'html', file: 'r.out' });
    assert.deepEqual(parseOutput('Report.HTML'), { format: 'html', file: 'Report.HTML' });
    assert.deepEqual(parseOutput('r.htm'), { format: 'html', file: 'r.htm' });
  });

  test('the check of a target: doctor data.check, else the command, else its facts', () => {
    const t = (data: unknown) => ({ target: 'a.example', verdict: 'ok' as const, findings: [], data });
    assert.equal(checkOf(run('doctor', []), t({ check: 'axl', axl: {} })), 'axl');
    assert.equal(checkOf(run('check-dns', []), t({ dns: {} })), 'dns');
    assert.equal(checkOf(run('probe', []), t({})), 'probe');
    assert.equal(checkOf(run('other', []), t({ diagnose: {} })), 'diagnose');
    assert.equal(checkOf(run('other', []), t(null)), 'other');
    assert.deepEqual([...buildModel([{ run: run('probe', [], { from: 'us.example', domains: ['Acme.example'] }) }]).ours].sort(), ['acme.example', 'us.example']);
    assert.deepEqual([...buildModel([{ run: run('probe', [], { from: 'xfed-probe.invalid' }) }]).ours], []);
  });

  test('a run without DNS, probe or AXL facts has no picture and no waterfall; one without findings says so', () => {
    const html = renderHtml([{ run: run('diagnose', [{ target: 'diagnosis', verdict: 'ok', findings: [], data: { diagnose: { rules: 25 } } }]) }]);
    assert.ok(!html.includes('id="federation-path"'));
    assert.ok(!html.includes('id="waterfall"'));
    assert.ok(html.includes('No findings.'));
    assert.ok(!html.includes('id="runs"'), 'a single run of a command has no runs table');
    assert.equal(html.match(/<script/g), null);
  });

  test('the picture draws at most 24 domains, those with problems first', () => {
    const targets = Array.from({ length: 30 }, (_, i) => ({
      target: `p${i}.example`,
      verdict: (i >= 25 ? 'error' : 'ok') as 'ok' | 'error',
      findings: i >= 25 ? [{ id: 'dns.srv.missing', severity: 'error' as const, title: 'no SRV', detail: '', evidence: [], fix: '', target: `p${i}.example` }] : [],
      data: { dns: { domain: `p${i}.example`, services: [] } },
    }));
    const html = renderHtml([{ run: run('check-dns', targets) }]);
    const captions = [...html.matchAll(/<text class="caption"[^>]*>PARTNER {2}([^<]+)<\/text>/g)].map((m) => m[1]);
    assert.deepEqual(captions, [25, 26, 27, 28, 29, ...Array.from({ length: 19 }, (_, i) => i)].map((i) => `p${i}.example`));
    assert.ok(html.includes('6 more domains not drawn'));
    assert.equal(html.match(/class="edge tone-error"/g)?.length, 5);
  });
});
