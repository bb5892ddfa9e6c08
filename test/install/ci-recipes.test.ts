/**
 * The README's CI recipes (GitHub Actions, GitLab CI) work as written: their YAML parses, the
 * doctor command they run writes every file they upload (no brace glob, which
 * actions/upload-artifact does not expand), and no report is named like a default config.
 * The command runs against the demo (`--demo` for `--config xfed.yaml`): the only deployment
 * a test has without the CI's servers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { DEFAULT_CONFIGS } from '../../src/cli/commands/doctor.js';
import { xfed } from '../helpers/cli.js';
import { ROOT, XFED_BIN } from '../helpers/servers.js';

const tmp = mkdtempSync(join(tmpdir(), 'xfed-ci-recipes-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The ```yaml blocks of the README's "CI recipes" section, in order. */
function recipes(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('### CI recipes');
  assert.ok(start >= 0, 'README has a CI recipes section');
  const end = readme.indexOf('<!-- /section', start);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** Splits a shell command line of the recipes (plain words, no quotes needed there). */
function words(line: string): string[] {
  assert.doesNotMatch(line, /["'$`\\|;&<>]/, `a plain command line: ${line}`);
  return line.trim().split(/\s+/);
}

/**
 * Runs a recipe's `xfed doctor` line in an empty directory, against the demo instead of the
 * CI's config, and returns that directory.
 */
async function runRecipe(name: string, line: string): Promise<string> {
  const args = words(line);
  assert.deepEqual(args.slice(0, 4), ['xfed', 'doctor', '--config', 'xfed.yaml'], line);
  const cwd = mkdtempSync(join(tmp, `${name}-`));
  const rest = args.slice(4).map((a) => a.replace(/=(?!\/)/, `=${cwd}/`));
  const r = await xfed(['doctor', '--demo', ...rest], { timeoutMs: 60_000 });
  // The demo is broken on purpose: exit 1, and the reports are written all the same.
  assert.equal(r.code, 1, r.stderr);
  return cwd;
}

function checkUploads(cwd: string, paths: string[]): void {
  assert.ok(paths.length > 0);
  for (const p of paths) {
    assert.doesNotMatch(p, /[{}*?[\]]/, `a plain path, no glob: ${p}`);
    assert.ok(!DEFAULT_CONFIGS.includes(p), `${p} is a default config name: a later plain "xfed doctor" would read it`);
    assert.ok(existsSync(join(cwd, p)), `${p} was written by the recipe's command`);
  }
  for (const p of paths.filter((x) => x.endsWith('.json'))) assert.equal(JSON.parse(readFileSync(join(cwd, p), 'utf8')).tool, 'xfed');
  for (const p of paths.filter((x) => x.endsWith('.xml'))) assert.match(readFileSync(join(cwd, p), 'utf8'), /^<\?xml [^\n]*\?>\n<testsuites /);
}

describe('README CI recipes', () => {
  test('there are two: GitHub Actions, then GitLab CI', () => {
    assert.equal(recipes().length, 2);
  });

  test('GitHub Actions: the doctor step writes every file the upload step lists', async () => {
    const wf = parse(recipes()[0]!) as { jobs: Record<string, { steps: Array<{ run?: string; uses?: string; with?: { path?: string } }> }> };
    const steps = Object.values(wf.jobs)[0]!.steps;
    const doctor = steps.find((s) => s.run?.startsWith('xfed doctor'));
    assert.ok(doctor?.run);
    assert.match(doctor.run, /--format github/);
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    assert.equal(typeof upload?.with?.path, 'string');
    const paths = upload!.with!.path!.split('\n').map((p) => p.trim()).filter(Boolean);
    checkUploads(await runRecipe('github', doctor.run), paths);
  });

  test('GitLab CI: the script writes the JUnit report and every artifact path', async () => {
    const ci = parse(recipes()[1]!) as Record<string, { script: string[]; artifacts: { reports: { junit: string }; paths: string[] } }>;
    const job = Object.values(ci)[0]!;
    const doctor = job.script.find((l) => l.startsWith('xfed doctor'));
    assert.ok(doctor);
    checkUploads(await runRecipe('gitlab', doctor), [job.artifacts.reports.junit, ...job.artifacts.paths]);
  });

  test('a report saved as xfed.json (older examples) is not read as the default config', async () => {
    const cwd = mkdtempSync(join(tmp, 'old-report-'));
    const report = await xfed(['--json', 'doctor', '--demo']);
    writeFileSync(join(cwd, 'xfed.json'), report.stdout);
    const r = spawnSync(process.execPath, [XFED_BIN, 'doctor'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.deepEqual([r.status, r.stderr], [2, 'xfed: no config: pass --config <file> (or create xfed.yaml with "xfed init"), or try --demo\n']);
    // A JSON config named xfed.json is still found (its resolver on loopback: no real network).
    writeFileSync(join(cwd, 'xfed.json'), '{"domains": ["example.com"], "partners": [], "dns": {"resolvers": ["127.0.0.1:9"]}}');
    const c = spawnSync(process.execPath, [XFED_BIN, '--json', 'doctor', '--deadline', '1'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(JSON.parse(c.stdout).command, 'doctor', c.stderr);
  });
});
