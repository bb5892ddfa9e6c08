/**
 * Terminal manners (issue 13): every command's help lists the global options and examples;
 * `--verbose` prints each finding's reference links (from the catalogue), and only then.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildRun, targetResult, type Finding } from '../../src/core/result.js';
import { findingEntry } from '../../src/findings/index.js';
import { renderRun } from '../../src/report/output.js';
import { xfed } from '../helpers/cli.js';

const COMMANDS = [
  ['check-dns'],
  ['probe'],
  ['axl-verify'],
  ['diagnose'],
  ['doctor'],
  ['init'],
  ['dialback', 'key'],
  ['dialback', 'verify'],
  ['rules'],
  ['explain'],
  ['serve'],
  ['report'],
  ['completion'],
];

describe('help', { concurrency: true }, () => {
  for (const words of COMMANDS) {
    test(`xfed ${words.join(' ')} --help: global options and examples`, async () => {
      const r = await xfed([...words, '--help']);
      assert.equal(r.code, 0, r.stderr);
      for (const opt of ['--json', '--format <format>', '--timeout <ms>', '-q, --quiet', '-v, --verbose', '-o, --output']) assert.ok(r.stdout.includes(opt), `${words.join(' ')} --help lists ${opt}`);
      assert.match(r.stdout, /\nExamples:\n {2}(xfed|XFED_)/, `${words.join(' ')} --help has examples`);
    });
  }
});

/** Runs dist/bundle/cli.cjs itself (what bin/xfed.js requires for help-only command lines). */
async function cliCjs(words: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { spawnSync } = await import('node:child_process');
  const cli = new URL('../../bundle/cli.cjs', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(cli)}).main(['node', 'xfed', ...${JSON.stringify(words)}])`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('help from dist/bundle/cli.cjs (bin/xfed.js, no ES module loader) is the help of the full CLI', { concurrency: true }, () => {
  const lines = [['--help'], ['-h'], ...COMMANDS.map((w) => [...w, '--help']), ['probe', '-h', '--strict'], ['--quiet', 'doctor', '--help']];
  for (const words of lines) {
    test(`xfed ${words.join(' ')}`, async () => {
      const [fast, full, direct] = await Promise.all([xfed(words), xfed(words, { env: { XFED_UNBUNDLED: '1' } }), cliCjs(words)]);
      assert.equal(fast.code, 0, fast.stderr);
      assert.deepEqual([fast.code, fast.stdout, fast.stderr], [full.code, full.stdout, full.stderr]);
      assert.deepEqual([direct.code, direct.stdout, direct.stderr], [full.code, full.stdout, full.stderr]);
      assert.match(fast.stdout, /^Usage: xfed/);
    });
  }
  test('help with JSON asked for, or an unknown command, goes through the full CLI (same answers)', async () => {
    for (const words of [['--json', 'probe', '--help'], ['nosuch', '--help'], ['probe', '--bogus', '--help']]) {
      const [fast, full] = await Promise.all([xfed(words), xfed(words, { env: { XFED_UNBUNDLED: '1' } })]);
      assert.deepEqual([fast.code, fast.stdout, fast.stderr], [full.code, full.stdout, full.stderr], words.join(' '));
    }
  });
});

describe('--verbose prints reference links', () => {
  const f: Finding = { id: 'dns.srv.missing', severity: 'error', title: 'No SRV record', detail: '', evidence: [], fix: 'Publish one.', target: 'x.example' };
  const run = buildRun('check-dns', {}, [targetResult('x.example', [f], { dns: {} })], new Date(), false);
  const refs = findingEntry('dns.srv.missing')!.references;

  test('each catalogued reference, once, with --verbose; none without', async () => {
    assert.ok(refs.length > 0);
    const o = { strict: false, quiet: false, color: false, width: 200 };
    const verbose = await renderRun('human', run, { ...o, verbose: true });
    assert.deepEqual(
      verbose.split('\n').filter((l) => l.includes('see: ')).map((l) => l.trim()),
      refs.map((r) => `see: ${r}`),
    );
    const plain = await renderRun('human', run, { ...o, verbose: false });
    assert.equal(plain.includes('see: '), false);
  });
});
