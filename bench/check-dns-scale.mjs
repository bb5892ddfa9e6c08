#!/usr/bin/env node
// check-dns at scale (not a test). Needs `npm run build` and unbound (scripts/setup.sh).
// Serves a zone of N federating domains with unbound on 127.0.20.53 (as bench/check-dns.mjs)
// and runs `xfed check-dns --json --file` over 1/10 of them and all of them, paired (small, large,
// small, large...), each process measured with /usr/bin/time -v: wall time, CPU time, peak RSS.
// Prints the medians and the ratio large/small of time per domain (1.0 = linear).
// Usage: node bench/check-dns-scale.mjs [domains=10000] [runs=3] [format=json]   (XFED_BIN=... for a baseline)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeBenchZone } from './zone.mjs';

const root = new URL('..', import.meta.url).pathname;
process.env.XFED_UNBOUND_LOG_QUERIES ??= '0';
const { startUnbound, labDir } = await import(join(root, 'dist/test/helpers/servers.js'));
const N = Number(process.argv[2] ?? 10000);
const RUNS = Number(process.argv[3] ?? 3);
const FORMAT = process.argv[4] ?? 'json';
// XFED_BIN=<path to another build's bin/xfed.js> measures that build instead (a baseline).
const XFED = process.env.XFED_BIN ?? join(root, 'bin/xfed.js');
const dir = labDir('bench-dns-scale');
mkdirSync(dir, { recursive: true });

const domains = writeBenchZone(dir, N, '127.0.20.53');
const small = Math.max(1, Math.round(N / 10));
writeFileSync(join(dir, 'small.txt'), domains.slice(0, small).join('\n') + '\n');
writeFileSync(join(dir, 'large.txt'), domains.join('\n') + '\n');
// unbound's cache must hold every answer (4 per domain) for the runs to be comparable.
const dns = await startUnbound('bench-scale', '127.0.20.53', 53, [{ name: 'bench.', file: join(dir, 'bench.zone') }], '  msg-cache-size: 64m\n  rrset-cache-size: 128m\n');

/** One process under /usr/bin/time -v: wall ms, CPU ms, peak RSS MB, bytes written. */
function measure(list) {
  const args = ['-v', process.execPath, XFED, 'check-dns', '--format', FORMAT, '--file', join(dir, list), '--resolver', dns.resolver];
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const err = r.stderr.toString();
  if (r.status !== 0 && r.status !== 1) throw new Error(`exited ${r.status}: ${err}`);
  const num = (re) => Number(re.exec(err)?.[1] ?? NaN);
  const cpu = (num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/)) * 1000;
  return { wall, cpu, rss: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024, bytes: r.stdout.length };
}

measure('large.txt'); // warms unbound's cache with every answer
const runs = { small: [], large: [] };
for (let i = 0; i < RUNS; i++) {
  runs.small.push(measure('small.txt'));
  runs.large.push(measure('large.txt'));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stat = (k, key) => median(runs[k].map((x) => x[key]));
const line = (k, n) => `${String(n).padStart(6)} domains: wall ${stat(k, 'wall').toFixed(0)} ms, CPU ${stat(k, 'cpu').toFixed(0)} ms, peak RSS ${stat(k, 'rss').toFixed(1)} MB, ${(runs[k][0].bytes / 1e6).toFixed(1)} MB of ${FORMAT}`;
console.log(`check-dns scale bench: --format ${FORMAT}, medians of ${RUNS} paired runs`);
console.log(line('small', small));
console.log(line('large', N));
const per = (k, n, key) => stat(k, key) / n;
console.log(`time per domain, ${N} vs ${small}: wall ${(per('large', N, 'wall') / per('small', small, 'wall')).toFixed(2)}x, CPU ${(per('large', N, 'cpu') / per('small', small, 'cpu')).toFixed(2)}x (1.00 = linear; start-up weighs more in the small run)`);
console.log(`peak RSS ${N} domains: ${stat('large', 'rss').toFixed(1)} MB (target < 200 MB)`);
execFileSync('sh', ['-c', `kill $(cat '${join(labDir('unbound-bench-scale'), 'unbound.pid')}') 2>/dev/null || true`]);
