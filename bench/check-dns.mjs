#!/usr/bin/env node
// check-dns benchmarks (not tests). Needs `npm run build` and unbound + dig (scripts/setup.sh).
// Prints ratios measured in the same run:
//   1. overhead: 1,000 domains, loopback unbound, xfed vs `dig -f` with the same 5,001 questions
//      (SRV x2, A, AAAA, TLSA of the SRV target per domain, and `. SOA` once), paired rounds, medians
//   2. concurrency: the same through a DNS server that answers after 20 ms
//   3. cold start: `xfed --version` vs `node -e 0`
// Usage: node bench/check-dns.mjs [domains=1000] [delay-ms=20]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeBenchZone } from './zone.mjs';

const root = new URL('..', import.meta.url).pathname;
process.env.XFED_UNBOUND_LOG_QUERIES ??= '0'; // query logging would slow the server under test
const { startUnbound, labDir } = await import(join(root, 'dist/test/helpers/servers.js'));
const N = Number(process.argv[2] ?? 1000);
const DELAY = Number(process.argv[3] ?? 20);
const dir = labDir('bench-dns');
mkdirSync(dir, { recursive: true });

// A zone of N federating domains: SRV -> the domain itself, with A and AAAA.
const domains = writeBenchZone(dir, N, '127.0.20.53');
writeFileSync(join(dir, 'domains.txt'), domains.join('\n') + '\n');
// The questions xfed asks: both SRV names, A and AAAA of the target, TLSA of the target's port, and `. SOA` once
// (does the resolver validate?), all with the DO bit.
writeFileSync(join(dir, 'dig.txt'), ['. SOA', ...domains.flatMap((d) => [`_xmpp-server._tcp.${d} SRV`, `_xmpps-server._tcp.${d} SRV`, `${d} A`, `${d} AAAA`, `_5269._tcp.${d} TLSA`])].join('\n') + '\n');
// The questions of xfed before DNSSEC and DANE (issue 16's yardstick): 4,000, no DO bit.
writeFileSync(join(dir, 'dig-old.txt'), domains.flatMap((d) => [`_xmpp-server._tcp.${d} SRV`, `_xmpps-server._tcp.${d} SRV`, `${d} A`, `${d} AAAA`]).join('\n') + '\n');
const dns = await startUnbound('bench', '127.0.20.53', 53, [{ name: 'bench.', file: join(dir, 'bench.zone') }]);

function once1(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
function time(cmd, args, runs = 3) {
  return median(Array.from({ length: runs }, () => once1(cmd, args)));
}
/** Paired rounds: a and b run one after the other in each round; medians of each. */
function paired(a, b, rounds = 7) {
  const ta = [];
  const tb = [];
  for (let i = 0; i < rounds; i++) {
    ta.push(once1(...a));
    tb.push(once1(...b));
  }
  return [median(ta), median(tb)];
}

const xfed = [join(root, 'bin/xfed.js'), 'check-dns', '--json', '--file', join(dir, 'domains.txt')];
const dig = ['+tries=1', '+time=5', '+dnssec', '+noall', '+answer', '-f', join(dir, 'dig.txt')];
// Warm unbound's answers for both.
time('dig', [`@${dns.address}`, ...dig], 1);

const [xfedMs, digMs] = paired([process.execPath, [...xfed, '--resolver', dns.resolver]], ['dig', [`@${dns.address}`, ...dig]]);
const digOldMs = time('dig', [`@${dns.address}`, '+tries=1', '+time=5', '+noall', '+answer', '-f', join(dir, 'dig-old.txt')], 7);

// The delaying server runs in its own process: spawnSync below blocks this one.
// delay-ms=0 skips this row (dig takes N x 4 x delay ms: 80 s at the defaults).
const slow = DELAY > 0 && spawn(process.execPath, [join(root, 'bench/delay-dns.mjs'), '127.0.20.54', '5354', dns.address, String(dns.port), String(DELAY)], { stdio: ['ignore', 'pipe', 'inherit'] });
let xfedSlowMs = NaN;
let digSlowMs = NaN;
if (slow) {
  await once(slow.stdout, 'data');
  xfedSlowMs = time(process.execPath, [...xfed, '--resolver', '127.0.20.54:5354'], 1);
  digSlowMs = time('dig', ['@127.0.20.54', '-p', '5354', ...dig], 1);
  slow.kill();
}

const [versionMs, nodeMs] = paired([process.execPath, [join(root, 'bin/xfed.js'), '--version']], [process.execPath, ['-e', '0']], 11);
const helpMs = time(process.execPath, [join(root, 'bin/xfed.js'), '--help'], 10);

const f = (n) => `${n.toFixed(0)} ms`;
console.log(`check-dns bench: ${N} domains, ${5 * N + 1} questions (SRV x2, A, AAAA, TLSA each; . SOA once)`);
console.log(`overhead     xfed ${f(xfedMs)}  dig -f ${f(digMs)}  ratio ${(xfedMs / digMs).toFixed(2)}x (target <= 1.5x)`);
console.log(`             dig -f with the ${4 * N} questions xfed asked before DNSSEC/DANE, no DO bit: ${f(digOldMs)}  ratio ${(xfedMs / digOldMs).toFixed(2)}x`);
if (slow) console.log(`concurrency  xfed ${f(xfedSlowMs)}  dig -f ${f(digSlowMs)}  speed-up ${(digSlowMs / xfedSlowMs).toFixed(1)}x with ${DELAY} ms per answer (target >= 30x)`);
console.log(`cold start   xfed --version ${f(versionMs)}  node -e 0 ${f(nodeMs)}  ratio ${(versionMs / nodeMs).toFixed(2)}x (target <= 1.3x); --help ${f(helpMs)}`);
execFileSync('sh', ['-c', `kill $(cat '${join(labDir('unbound-bench'), 'unbound.pid')}') 2>/dev/null || true`]);
