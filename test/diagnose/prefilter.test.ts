/**
 * The keyword prefilter (issue 16): diagnose looks only at lines that hold a rule keyword,
 * found by a sampled search (src/diagnose/search.ts) before any line is split. Two things
 * must hold for results to be the same as matching every line:
 * - the sampled search finds exactly the lines the keyword regex finds (no line missed), and
 * - every rule's regex matches only lines that hold one of its keywords (a keyword missing
 *   from a rule would silently drop its matches).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { allPatterns, compileRules, variants, type CPattern } from '../../src/diagnose/compile.js';
import { LineScanner, MAX_LINE, type Candidate } from '../../src/diagnose/lines.js';
import { BUILTIN_RULES } from '../../src/diagnose/rules/index.js';
import { KeywordSearch } from '../../src/diagnose/search.js';
import { FIXTURES } from '../helpers/servers.js';
import { readScenarios, REAL } from '../helpers/real-corpus.js';

const compiled = compileRules(BUILTIN_RULES);

/** Every log of the corpus and the fixtures (plain and gzipped files; not the bundles' directories). */
function corpus(): Array<{ name: string; data: Buffer }> {
  const out: Array<{ name: string; data: Buffer }> = [];
  for (const s of readScenarios()) out.push({ name: s.name, data: readFileSync(join(REAL, s.name, 'excerpt.log')) });
  const logs = join(FIXTURES, 'logs');
  for (const f of readdirSync(logs)) {
    if (/\.(?:log|txt)$/.test(f)) out.push({ name: f, data: readFileSync(join(logs, f)) });
    if (/\.log\.gz$/.test(f)) out.push({ name: f, data: gunzipSync(readFileSync(join(logs, f))) });
  }
  return out;
}

/** The candidates a scanner reports for `data` fed in chunks of `size` bytes. */
function scan(data: Buffer, sampled: boolean, size: number, prefilter = compiled.prefilter): Candidate[] {
  const out: Candidate[] = [];
  const s = new LineScanner(prefilter, (c) => out.push(c), MAX_LINE, sampled ? compiled.keywords : undefined);
  for (let i = 0; i < data.length; i += size) s.push(data.subarray(i, i + size));
  s.end();
  return out;
}

test('the sampled search reports the same lines, keywords and headers as the keyword regex, on every corpus log', () => {
  const logs = corpus();
  assert.ok(logs.length >= 60, `only ${logs.length} logs`);
  let candidates = 0;
  for (const { name, data } of logs) {
    for (const size of [1 << 16, 997, 61]) {
      const want = scan(data, false, size);
      assert.deepEqual(scan(data, true, size), want, `${name}, chunks of ${size}`);
      if (size === 61) candidates += want.length;
    }
  }
  assert.ok(candidates >= 100, `only ${candidates} candidate lines: the comparison proves little`);
});

test('the sampled search misses no keyword wherever it falls: line starts and ends, chunk edges, near misses', () => {
  let seed = 7;
  const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const words = compiled.keywords;
  const parts: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const k = words[rand(words.length)]!;
    const r = rand(6);
    // Whole keywords, keywords cut by one byte at either end (must not match), filler, line breaks.
    if (r === 0) parts.push(k);
    else if (r === 1) parts.push(k.slice(1));
    else if (r === 2) parts.push(k.slice(0, -1));
    else if (r === 3) parts.push('\n');
    else parts.push('x'.repeat(rand(9)));
  }
  const data = Buffer.from(parts.join(''), 'latin1');
  let found = 0;
  for (const size of [1 << 16, 4093, 33]) {
    const want = scan(data, false, size);
    assert.deepEqual(scan(data, true, size), want, `chunks of ${size}`);
    found = want.length;
  }
  assert.ok(found > 1000, `only ${found} candidate lines`);
});

test('KeywordSearch: keywords shorter than a gram and line breaks in keywords', () => {
  assert.equal(KeywordSearch.of(['ab\ncd', 'abcdef']), undefined, 'a keyword with a line break: the regex scans');
  const s = KeywordSearch.of(['abc', 'xyz123'])!;
  assert.equal(s.step, 1, 'a 3-byte keyword is sampled at every byte');
  assert.equal(s.find(Buffer.from('--ab-abc'), 0), 5);
  assert.equal(s.find(Buffer.from('--xyz12-'), 0), -1);
});

/** Whether `line` holds one of the pattern's keywords (in each case form, for ignoreCase). */
function holdsKeyword(p: CPattern, line: string): boolean {
  return p.keywords.some((k) => (p.lower ? variants(k) : [k]).some((v) => line.includes(v)));
}

test("every rule's matches on the corpus are the same without the prefilter: no regex matches a line without its keywords", () => {
  // A prefilter that reports every line (its first character), so that headers are looked up as for candidates.
  const everyLine = /^[^\n]/gm;
  let matches = 0;
  for (const { name, data } of corpus()) {
    const all = scan(data, false, 1 << 16, everyLine);
    const withPrefilter = new Set(scan(data, true, 1 << 16).map((c) => c.lineNo));
    for (const c of all) {
      const text = c.header !== undefined ? `${c.header}\n${c.line}` : c.line;
      for (const r of compiled.rules)
        for (const m of r.matchers)
          for (const p of allPatterns(m)) {
            if (!p.re) continue;
            const unfiltered = p.re.test(text);
            const filtered = withPrefilter.has(c.lineNo) && holdsKeyword(p, c.line) && unfiltered;
            assert.equal(filtered, unfiltered, `${name}:${c.lineNo}: rule ${r.spec.id} (keywords ${p.keywords.join(', ')}) matches ${JSON.stringify(text.slice(0, 200))} without the prefilter only`);
            if (unfiltered) matches++;
          }
    }
  }
  assert.ok(matches >= 100, `only ${matches} regex matches on the corpus`);
});
