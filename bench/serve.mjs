#!/usr/bin/env node
// `xfed serve` benchmark (not a test). Needs `npm run build` and openssl.
// Starts the serve test lab in this process (a healthy s2s peer with STARTTLS + dialback, on
// loopback) and a real `xfed serve` process, then prints figures measured in the same run:
//   1. concurrency: 50 concurrent scrapes of /probe vs one scrape alone (target: <= 2x), with
//      module slow_dialback (a whole s2s session, TLS, and dialback with our secret answered after
//      200 ms, as a peer across a WAN that calls back through DNS) and with module good_dialback
//      (the same answered at once: pure CPU on loopback, so 50 checks cost ~50x the CPU of one);
//   2. memory: the exporter's RSS (its own process_resident_memory_bytes) after a warm-up and
//      after N more scrapes, 16 at a time (target: grows < 20 MB over 10,000).
// Usage: node bench/serve.mjs [scrapes=10000] [module=good_dialback]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const N = Number(process.argv[2] ?? 10_000);
const MODULE = process.argv[3] ?? 'good_dialback';
const WARMUP = 500;
const { startServeLab } = await import(join(root, 'dist/test/serve/fixture.js'));

const lab = await startServeLab(`serve-bench-${process.pid}`);
const serve = spawn(process.execPath, [join(root, 'bin/xfed.js'), 'serve', '--listen', '127.0.0.1:0', '--config', lab.config, '--max-concurrent', '64'], { stdio: ['ignore', 'ignore', 'pipe'] });
let err = '';
const base = await new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error(`xfed serve did not start: ${err}`)), 15_000);
  serve.stderr.on('data', (d) => {
    err += d;
    const m = /listening on (http:\/\/[^ ]+)/.exec(err);
    if (m) (clearTimeout(t), resolve(m[1]));
  });
});
const probeUrl = (module) => `${base}/probe?target=${module.startsWith('broken') ? 'broken.test' : 'good.test'}&module=${module}`;
const url = probeUrl(MODULE);

async function scrape(u = url) {
  const r = await fetch(u, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '10' } });
  const body = await r.text();
  if (r.status !== 200 || !/^xfed_check_success 1$/m.test(body)) throw new Error(`scrape failed: ${r.status}\n${body}`);
}
async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The exporter process's CPU time (user + system), in ms, from /proc. */
function cpuMs() {
  const stat = readFileSync(`/proc/${serve.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(stat[11]) + Number(stat[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}
async function rss() {
  const body = await (await fetch(`${base}/metrics`)).text();
  return Number(/^process_resident_memory_bytes (\d+)$/m.exec(body)[1]);
}
async function pool(n, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) {
      next++;
      await fn();
    }
  }));
}

try {
  for (let i = 0; i < 20; i++) await scrape(); // JIT, TLS session code, DNS-free (pinned host)
  for (const module of ['slow_dialback', 'good_dialback']) {
    const u = probeUrl(module);
    const one = [];
    for (let i = 0; i < 15; i++) one.push(await timed(() => scrape(u)));
    const fifty = [];
    for (let i = 0; i < 5; i++) fifty.push(await timed(() => Promise.all(Array.from({ length: 50 }, () => scrape(u)))));
    const m1 = median(one);
    const m50 = median(fifty);
    console.log(`1. ${module}: one scrape median ${m1.toFixed(1)} ms; 50 concurrent scrapes median ${m50.toFixed(1)} ms for all 50 -> ${(m50 / m1).toFixed(2)}x (target <= 2x)`);
  }

  await pool(WARMUP, 16, scrape);
  const before = await rss();
  const cpu0 = cpuMs();
  const t0 = performance.now();
  await pool(N, 16, scrape);
  const secs = (performance.now() - t0) / 1000;
  const afterRss = await rss();
  const cpuPer = (cpuMs() - cpu0) / N;
  const growth = (afterRss - before) / 1024 / 1024;
  console.log(
    `2. RSS after ${WARMUP} warm-up scrapes ${(before / 1024 / 1024).toFixed(1)} MB; after ${N} more ${(afterRss / 1024 / 1024).toFixed(1)} MB -> grew ${growth.toFixed(1)} MB (target < 20 MB); ${(N / secs).toFixed(0)} scrapes/s; exporter CPU ${cpuPer.toFixed(2)} ms per scrape`,
  );
} finally {
  serve.kill('SIGTERM');
  await new Promise((r) => serve.once('close', r));
  await lab.close();
}
