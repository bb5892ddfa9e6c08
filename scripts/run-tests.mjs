#!/usr/bin/env node
// Runs the compiled test files with node's test runner, then stops the servers
// the tests started (test/helpers keeps them up across files for speed).
// Usage: node scripts/run-tests.mjs [filter...]   (filters match test file paths)
//        node scripts/run-tests.mjs --unit [filter...]   every test file that needs no Debian server
//
// A test file that starts Debian servers (unbound, Prosody, ejabberd) says so with
// `@needs-servers` in its first lines; `--unit` leaves those out and sets XFED_TEST_UNIT=1,
// under which the server starters in test/helpers refuse to run (an unmarked file fails).
//
// The whole suite (no filter) also records every finding any test emits
// (XFED_RECORD_FINDINGS, a fresh file under .lab/, inherited by the CLI processes
// tests spawn) and then checks it against the finding catalogue (src/findings/):
// every emitted id catalogued with a severity it allows, every catalogued id emitted
// by some test with each of its severities (or listed, with a reason, in
// test/findings/pending.json). Ids outside xfed's namespaces (a user's diagnose rules
// in tests) are not checked.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const testRoot = join(root, 'dist', 'test');
const args = process.argv.slice(2);
const unit = args.includes('--unit');
const filters = args.filter((a) => a !== '--unit');

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.js') ? [p] : [];
  });
}

/** Whether a compiled test file says it starts Debian servers (the marker survives tsc as a comment). */
function needsServers(file) {
  return readFileSync(file, 'utf8').slice(0, 2000).includes('@needs-servers');
}

const files = walk(testRoot)
  .filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)))
  .filter((f) => !unit || !needsServers(f))
  .sort();
if (files.length === 0) {
  console.error(`run-tests: no test files match ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}

const whole = filters.length === 0 && !unit;
const recordFile = join(root, '.lab', 'findings-recorded.jsonl');
if (whole) {
  mkdirSync(join(root, '.lab'), { recursive: true });
  writeFileSync(recordFile, '');
}

const concurrency = process.env.XFED_TEST_CONCURRENCY ?? '2';
const res = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=180000', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, XFED_TEST_KEEP_SERVERS: '1', ...(whole ? { XFED_RECORD_FINDINGS: recordFile } : {}), ...(unit ? { XFED_TEST_UNIT: '1' } : {}) },
});

// Stop every long-lived test server (each helper registers a stop script in .lab/stop.d).
const stopDir = join(root, '.lab', 'stop.d');
if (existsSync(stopDir) && !process.env.XFED_TEST_LEAVE_UP) {
  for (const f of readdirSync(stopDir)) spawnSync('sh', [join(stopDir, f)], { stdio: 'inherit' });
}
let status = res.status ?? 1;
if (whole && status !== 0) {
  console.error('finding catalogue check skipped: some tests failed, so the record of emitted findings is incomplete');
} else if (whole) {
  const { checkRecorded, formatProblems } = await import(join(root, 'dist', 'src', 'findings', 'check.js'));
  const pending = JSON.parse(readFileSync(join(root, 'test', 'findings', 'pending.json'), 'utf8'));
  const out = checkRecorded(readFileSync(recordFile, 'utf8'), pending.pending);
  if (out.problems.length) {
    console.error(formatProblems(out));
    status = 1;
  } else {
    const foreign = out.foreign.length ? `; not checked (user rule ids): ${out.foreign.join(', ')}` : '';
    console.log(`finding catalogue: ${out.emitted} ids emitted by the tests, with every severity the catalogue allows and no other; ${out.pending} pending a test (test/findings/pending.json)${foreign}`);
  }
}
process.exit(status);
