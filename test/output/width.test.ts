/**
 * Human text fits the terminal (issue 13): the width is the terminal's, else `COLUMNS`, else
 * 80; text is measured in display columns (CJK and emoji take two, colour codes none).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildRun, targetResult, type Finding } from '../../src/core/result.js';
import { renderHuman } from '../../src/report/human.js';
import { fitToWidth, makeStyle, table, terminalWidth, visibleWidth } from '../../src/report/style.js';
import { xfed } from '../helpers/cli.js';

describe('terminal width', () => {
  test('the terminal\'s columns, else COLUMNS, else 80; never under 40', () => {
    assert.equal(terminalWidth({ isTTY: true, columns: 132 }, { COLUMNS: '60' }), 132);
    assert.equal(terminalWidth({ isTTY: false }, { COLUMNS: '60' }), 60);
    assert.equal(terminalWidth({ isTTY: false }, {}), 80);
    assert.equal(terminalWidth({ isTTY: false }, { COLUMNS: 'wide' }), 80);
    assert.equal(terminalWidth({ isTTY: true, columns: 20 }, {}), 40);
  });

  test('display width: CJK and emoji are two columns, colour codes none', () => {
    assert.equal(visibleWidth('例え.テスト'), 11);
    assert.equal(visibleWidth('🙂x'), 3);
    assert.equal(visibleWidth('\u001b[31mred\u001b[39m'), 3);
  });

  test('tables align CJK names', () => {
    const rows = table([['TARGET', 'VERDICT'], ['例え.テスト', 'OK'], ['b.example', 'FAIL']], makeStyle(false));
    assert.deepEqual(rows.map((r) => visibleWidth(r.slice(0, r.lastIndexOf('  ') + 2))), [13, 13, 13]);
  });

  test('long lines wrap at spaces with a hanging indent; long tokens stay whole', () => {
    const line = `    • ${'word '.repeat(20)}https://example.com/${'x'.repeat(60)} end`;
    const out = fitToWidth(line, 40).split('\n');
    assert.ok(out.every((l) => visibleWidth(l) <= 40 || !l.trim().includes(' ')), out.join('\n'));
    assert.ok(out.slice(1).every((l) => l.startsWith('      ')));
    assert.equal(out.map((l) => l.trim()).join(' '), line.trim());
    assert.equal(fitToWidth('例'.repeat(30), 40), '例'.repeat(30));
  });

  test('a finding\'s title, detail, evidence and fix fit in 60 columns', () => {
    const f: Finding = { id: 'probe.cert.name-mismatch', severity: 'error', title: 'the certificate is not valid for 例え.テスト at all, none of its names', detail: 'word '.repeat(40), evidence: [{ label: 'names', value: 'a.example b.example c.example d.example e.example f.example' }], fix: 'fix '.repeat(40), target: 'x' };
    const run = buildRun('probe', {}, [targetResult('x.example', [f], {})], new Date(), false);
    const text = renderHuman(run, makeStyle(true), { verbose: false, quiet: false, width: 60 });
    const lines = text.trimEnd().split('\n');
    assert.deepEqual(lines.filter((l) => visibleWidth(l) > 60), []);
    assert.ok(lines.length > 10);
  });

  test('the binary wraps to COLUMNS', async () => {
    const narrow = await xfed(['explain', 'dns.srv.missing'], { env: { COLUMNS: '50' } });
    assert.equal(narrow.code, 0);
    const r = await xfed(['doctor', '--demo', '-q'], { env: { COLUMNS: '60' } });
    assert.equal(r.code, 1);
    const findingLines = r.stdout.split('\n').filter((l) => /^ {2}(ERROR|WARN ) /.test(l));
    assert.ok(findingLines.length > 0);
    assert.deepEqual(findingLines.filter((l) => visibleWidth(l) > 60), []);
  });
});
