/**
 * Hostile text in the HTML report: every string of a saved result is an injection attempt
 * (`<script>`, `" onload=`, `</style>`, `</svg>`, javascript:/data: references). Rendered by
 * `xfed report` and opened in headless Chromium: no script, no event handler, no image, no
 * request, no dialog; the text is shown as text; only http(s) references become links.
 * A control page (the same strings unescaped) proves the harness sees what it looks for.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { xfed } from '../helpers/cli.js';
import { openReport, query, screenshot, skipBrowser } from './browser.js';
import { IMG, XSS, hostileRun } from './hostile.js';

describe('hostile strings in the HTML report (headless Chromium)', { skip: skipBrowser }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'xfed-html-hostile-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('control: the same strings unescaped do run a script and make a request in this harness', async () => {
    const page = join(dir, 'control.html');
    writeFileSync(page, `<!DOCTYPE html><html><body>${XSS}${IMG}</body></html>`);
    const o = await openReport(page);
    try {
      await o.page.waitForTimeout(200);
      assert.deepEqual(o.dialogs.sort(), ['1', '4']);
      assert.deepEqual(o.requests, ['http://127.0.0.1:9/leak']);
    } finally {
      await o.close();
    }
  });

  test('xfed report --html: nothing runs, nothing loads, the text is shown as text', async () => {
    const input = join(dir, 'hostile.json');
    const out = join(dir, 'hostile.html');
    writeFileSync(input, JSON.stringify(hostileRun()));
    const r = await xfed(['report', '--html', out, input]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const html = readFileSync(out, 'utf8');
    assert.equal(html.match(/<script/gi), null);
    const o = await openReport(out);
    try {
      await o.page.waitForTimeout(200);
      assert.deepEqual(o.dialogs, []);
      assert.deepEqual(o.requests, []);
      assert.deepEqual(o.errors, []);
      const dom = await query<{ scripts: number; styles: number; images: number; handlers: string[]; hrefs: string[]; refText: string[]; ids: string[]; text: string }>(
        o.page,
        `({
          scripts: document.querySelectorAll('script').length,
          styles: document.querySelectorAll('style').length,
          images: document.querySelectorAll('img, image, iframe, object, embed, foreignObject').length,
          handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name).filter((n) => n.startsWith('on'))),
          hrefs: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')).filter((h) => !h.startsWith('#')),
          refText: [...document.querySelectorAll('.ref-text')].map((e) => e.textContent),
          ids: [...document.querySelectorAll('[data-finding-id]')].map((e) => e.dataset.findingId),
          text: document.body.textContent,
        })`,
      );
      assert.equal(dom.scripts, 0);
      assert.equal(dom.styles, 1);
      assert.equal(dom.images, 0);
      assert.deepEqual(dom.handlers, []);
      // Only the https reference is a link (twice: one per finding), its quotes and brackets escaped in the URL.
      assert.deepEqual(dom.hrefs, ['https://ok.example/path?q=%22%3E%3Cscript%3Ealert(9)%3C/script%3E', 'https://ok.example/path?q=%22%3E%3Cscript%3Ealert(9)%3C/script%3E']);
      assert.deepEqual(dom.refText.slice(0, 4), ['javascript:alert(6)', 'JaVaScRiPt:alert(7)', 'data:text/html,<script>alert(8)</script>', ' javascript:alert(10)']);
      assert.deepEqual(dom.ids, ['probe.cert.name-mismatch', 'x"><svg onload=alert(11)>']);
      assert.ok(dom.text.includes(`title ${XSS}`), 'the title is shown as text');
      // Bidi and control characters are shown as visible escapes.
      assert.ok(dom.text.includes('\\u202e\\x07'));
      assert.ok(!dom.text.includes('\u202e'));
      await screenshot(o.page, 'html-report-hostile.png');
    } finally {
      await o.close();
    }
  });
});
