/**
 * The finding catalogue (src/findings/) against the code: every finding id written in
 * src/ is catalogued (or is a diagnose rule id), every catalogued id is written somewhere
 * in src/, the entries are complete, and the generated docs are current.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { BUILTIN_RULES, INPUT_FINDINGS } from '../../src/diagnose/rules/index.js';
import { applyReadmeBlocks, README_BLOCKS, renderFindingsMarkdown } from '../../src/findings/doc.js';
import { allowedSeverities, closeMatches, FINDINGS, findingEntry, SOURCES } from '../../src/findings/index.js';
import { ROOT } from '../helpers/servers.js';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const ID = /^[a-z][a-z0-9]*(?:\.[a-z0-9-]*[a-z0-9])+(?:\.\*)?$/;
const literals = (s: string) => [...s.matchAll(/'([^'\n]*)'|"([^"\n]*)"/g)].map((m) => m[1] ?? m[2]!).filter((x) => ID.test(x));

/**
 * Finding ids written in the source: values of `id:` (also `a ? 'x' : 'y'`), comparisons
 * with `.id`, `issue('...')` calls, the keys of diagnose's ISSUES table, and the `ids` a rule
 * matches in xfed results. Field names of input errors (`axl.server`) are in none of these.
 */
export function scanIds(files: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (id: string, where: string) => out.set(id, [...(out.get(id) ?? []), where]);
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const where = relative(ROOT, f);
    for (const m of text.matchAll(/\bid\s*:\s*([^,}\n]+)/g)) for (const id of literals(m[1]!)) add(id, where);
    for (const m of text.matchAll(/\.id\s*===?\s*('[^']*'|"[^"]*")/g)) for (const id of literals(m[1]!)) add(id, where);
    for (const m of text.matchAll(/\.issue\(\s*('[^']*')/g)) for (const id of literals(m[1]!)) add(id, where);
    for (const m of text.matchAll(/^\s*'(diagnose\.input\.[a-z-]+)'\s*:/gm)) add(m[1]!, where);
    for (const m of text.matchAll(/\bids\s*:\s*\[([^\]]*)\]/g)) for (const id of literals(m[1]!)) add(id, where);
  }
  return out;
}

const srcFiles = walk(join(ROOT, 'src')).filter((f) => !f.includes(`${join('src', 'findings')}`));
const ruleIds = new Set(BUILTIN_RULES.map((r) => r.id));
const known = (id: string) => Boolean(findingEntry(id)) || ruleIds.has(id) || (id.endsWith('.*') && FINDINGS.some((e) => e.id.startsWith(id.slice(0, -1))));

describe('the catalogue covers the code', () => {
  const scanned = scanIds(srcFiles);

  it('the scan finds the ids of every check (it cannot pass on an empty scan)', () => {
    assert.ok(scanned.size >= FINDINGS.length, `only ${scanned.size} ids found`);
    for (const id of ['dns.client.missing', 'probe.stream.closed', 'dialback.verify.timeout', 'axl.service.ok', 'doctor.ignore.unused', 'diagnose.input.loop', 'diagnose.no-match']) assert.ok(scanned.has(id), id);
  });

  it('every finding id written in src/ is catalogued (or a diagnose rule id)', () => {
    const missing = [...scanned].filter(([id]) => !known(id)).map(([id, where]) => `${id} (${[...new Set(where)].join(', ')})`);
    assert.deepEqual(missing, [], 'add them to src/findings/catalogue-<check>.ts');
  });

  it('every catalogued id is written somewhere in src/ (no dead entries)', () => {
    assert.deepEqual(
      FINDINGS.map((e) => e.id).filter((id) => !scanned.has(id)),
      [],
    );
  });
});

describe('the catalogue entries', () => {
  it('ids are unique, dotted, lower-case, and no rule id', () => {
    const ids = FINDINGS.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) {
      assert.match(id, /^[a-z]+(\.[a-z0-9-]+)+$/, id);
      assert.ok(!ruleIds.has(id), `${id} is also a rule id`);
    }
  });

  it('every entry is complete: title, summary, meaning; a fix for every id that can be a problem; https references', () => {
    for (const e of FINDINGS) {
      assert.ok(SOURCES.some((s) => s.source === e.source), e.id);
      for (const k of ['title', 'summary', 'meaning'] as const) assert.ok(e[k].trim().length >= 10, `${e.id}.${k}`);
      if (allowedSeverities(e).some((s) => s !== 'info')) assert.ok(e.fix.length >= 10, `${e.id} has no fix`);
      for (const r of e.references) assert.match(r, /^https:\/\/\S+$/, e.id);
      const sevs = allowedSeverities(e);
      assert.equal(sevs.length, 1 + (e.variants?.length ?? 0), `${e.id}: a variant repeats a severity`);
      for (const v of e.variants ?? []) assert.ok(v.when.length > 5, e.id);
    }
  });

  it('diagnose\'s own findings agree with INPUT_FINDINGS (docs/rules.md)', () => {
    assert.deepEqual(
      FINDINGS.filter((e) => e.source === 'diagnose').map((e) => ({ id: e.id, severity: e.severity, meaning: e.meaning })),
      INPUT_FINDINGS.map((i) => ({ id: i.id, severity: i.severity, meaning: i.meaning })),
    );
  });

  it('close matches: a typo finds the id; nonsense finds nothing', () => {
    const ids = FINDINGS.map((e) => e.id);
    assert.equal(closeMatches('probe.cert.untrustd', ids)[0], 'probe.cert.untrusted');
    assert.equal(closeMatches('dns.srv.mising', ids)[0], 'dns.srv.missing');
    assert.equal(closeMatches('axl.s2snodes.empty', ids)[0], 'axl.s2snode.empty');
    assert.deepEqual(closeMatches('zzz', ids), []);
  });
});

describe('generated documentation', () => {
  it('docs/findings.md is generated from the catalogue (npm run docs:findings)', () => {
    const have = readFileSync(join(ROOT, 'docs', 'findings.md'), 'utf8');
    assert.ok(have === renderFindingsMarkdown(), 'docs/findings.md is stale: run `npm run docs:findings`');
    for (const e of FINDINGS) assert.ok(have.includes(`### ${e.id}\n`), e.id);
  });

  it('the README finding tables are generated from the catalogue (npm run docs:findings)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const b of README_BLOCKS) assert.ok(readme.includes(`<!-- findings:${b.name}:start -->`), `README lacks the ${b.name} block`);
    assert.ok(applyReadmeBlocks(readme) === readme, 'the README finding tables are stale: run `npm run docs:findings`');
    for (const e of FINDINGS.filter((x) => x.source !== 'diagnose')) assert.ok(readme.includes(`| \`${e.id}\` |`), `README lacks ${e.id}`);
  });

  it('a changed entry makes both stale', () => {
    const changed = FINDINGS.map((e) => (e.id === 'dns.srv.ok' ? { ...e, summary: 'changed' } : e));
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.notEqual(applyReadmeBlocks(readme, changed), readme);
    assert.notEqual(renderFindingsMarkdown(changed), renderFindingsMarkdown());
  });
});

describe('xfed --help does not load the catalogue', () => {
  it('main.ts and the command definitions import nothing from src/findings/', () => {
    const files = [join(ROOT, 'src', 'cli', 'main.ts'), ...walk(join(ROOT, 'src', 'cli', 'defs'))];
    for (const f of files) assert.doesNotMatch(readFileSync(f, 'utf8'), /^import[^;]*findings\//m, relative(ROOT, f));
  });
});
