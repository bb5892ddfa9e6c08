#!/usr/bin/env node
// Runs the compiled test files with node's test runner, then stops the servers
// the tests started (test/helpers keeps them up across files for speed).
// Usage: node scripts/run-tests.mjs [filter...]   (filters match test file paths)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const testRoot = join(root, 'dist', 'test');
const filters = process.argv.slice(2);

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.js') ? [p] : [];
  });
}

const files = walk(testRoot)
  .filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`run-tests: no test files match ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}

const concurrency = process.env.XFED_TEST_CONCURRENCY ?? '2';
const res = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=180000', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, XFED_TEST_KEEP_SERVERS: '1' },
});

// Stop every long-lived test server (each helper registers a stop script in .lab/stop.d).
const stopDir = join(root, '.lab', 'stop.d');
if (existsSync(stopDir) && !process.env.XFED_TEST_LEAVE_UP) {
  for (const f of readdirSync(stopDir)) spawnSync('sh', [join(stopDir, f)], { stdio: 'inherit' });
}
process.exit(res.status ?? 1);
