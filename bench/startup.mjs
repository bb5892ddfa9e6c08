#!/usr/bin/env node
// Start-up benchmarks (not tests). Needs `npm run build` (dist/src from tsc and dist/bundle from
// scripts/bundle.mjs); no root, no Debian package. Every figure is a median of N interleaved
// runs (each round runs every command once, so load from elsewhere hits them alike), as a
// ratio to `node -e 0` measured in the same rounds:
//   xfed --help, xfed --version, xfed probe --help, xfed check-dns (a resolver that does not
//   answer, 300 ms timeout, so the figure is start-up + the timeout), xfed doctor --demo,
//   xfed completion bash;
// each run from the bundle (what the package ships) and from tsc's output (XFED_UNBUNDLED=1).
// Targets: --help and --version <= 1.3x node -e 0.
// Usage: node bench/startup.mjs [runs=15]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const BIN = join(root, 'bin/xfed.js');
const RUNS = Number(process.argv[2] ?? 15);

const cases = [
  ['--help', ['--help']],
  ['--version', ['--version']],
  ['probe --help', ['probe', '--help']],
  ['completion bash', ['completion', 'bash']],
  ['check-dns (no answer, 300 ms)', ['check-dns', '--json', '--resolver', '127.0.0.1:9', '--timeout', '300', 'x.example']],
  ['doctor --demo', ['doctor', '--demo', '--json']],
];
const commands = [{ name: 'node -e 0', args: ['-e', '0'], env: {} }];
for (const [name, args] of cases) {
  commands.push({ name: `xfed ${name}`, args: [BIN, ...args], env: {}, bundle: true });
  commands.push({ name: `xfed ${name}`, args: [BIN, ...args], env: { XFED_UNBUNDLED: '1' }, bundle: false });
}
const times = commands.map(() => []);
const once = (c) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, c.args, { env: { ...process.env, NO_COLOR: '1', ...c.env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${c.name} exited ${r.status}: ${r.stderr}`);
  return ms;
};
commands.forEach(once); // warm-up: page cache
for (let i = 0; i < RUNS; i++) commands.forEach((c, j) => times[j].push(once(c)));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const floor = median(times[0]);
console.log(`xfed start-up, median of ${RUNS} interleaved runs, node ${process.version}, load ${(await import('node:os')).loadavg()[0].toFixed(2)}`);
console.log(`  ${'node -e 0'.padEnd(36)} ${floor.toFixed(1).padStart(7)} ms`);
for (let j = 1; j < commands.length; j += 2) {
  const b = median(times[j]);
  const u = median(times[j + 1]);
  console.log(
    `  ${commands[j].name.padEnd(36)} bundle ${b.toFixed(1).padStart(6)} ms = ${(b / floor).toFixed(2)}x   tsc output ${u.toFixed(1).padStart(6)} ms = ${(u / floor).toFixed(2)}x   bundle/tsc ${(b / u).toFixed(2)}`,
  );
}
console.log('  targets: --help <= 1.3x, --version <= 1.3x node -e 0');
