#!/usr/bin/env node
// probe benchmarks (not tests). Needs `npm run build`, root, and the lab packages
// (unbound, prosody, ejabberd, openssl: scripts/setup.sh). Prints figures measured in the same run:
//   1. floor: `xfed probe b.test --no-dialback` (DNS, stream, STARTTLS, certificate checks) against
//      the lab's ejabberd vs `node -e 0` + `openssl s_client -starttls xmpp-server` (median of N runs)
//   2. where the time of a full probe with dialback goes (per-phase medians, Prosody and ejabberd)
//   3. 50 peers in one run vs one peer, against xfed's in-process s2s server in its own process
//      (STARTTLS + dialback answered after 100 ms, like a peer's callback)
//   4. all targets of one domain at once: a domain with 4 working SRV targets vs one with a single
//      target (in-process s2s servers and DNS zone server, dialback answered after 100 ms);
//      target <= 1.3x. `node bench/probe.mjs --targets [runs]` runs only this part (no lab needed).
// Usage: node bench/probe.mjs [runs=10] [peers=50]
//        node bench/probe.mjs --floor [runs=10]   (part 1 only)
//        node bench/probe.mjs --peers [runs=5] [peers=50]   (part 3 only; no lab needed)
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const BIN = join(root, 'bin/xfed.js');
const FLOOR_ONLY = process.argv[2] === '--floor';
const RUNS = Number(process.argv[FLOOR_ONLY ? 3 : 2] ?? 10);
const PEERS = Number(process.argv[3] ?? 50);

/** 4. A domain with 4 working targets vs one with a single target, probed in this process. */
async function targetsBench(runs) {
  const { startS2sServer } = await import(join(root, 'dist/src/xmpp/server.js'));
  const { startDemoDns } = await import(join(root, 'dist/src/doctor/demo/dns.js'));
  const { probePeer } = await import(join(root, 'dist/src/probe/probe.js'));
  const { makeCa, makeLeaf } = await import(join(root, 'dist/test/lab/certs.js'));
  const ca = makeCa();
  const leaf = makeLeaf({ cn: 'one.test', dns: ['one.test', 'four.test'] }, ca);
  const servers = await Promise.all([1, 2, 3, 4].map(() => startS2sServer({ domains: ['one.test', 'four.test'], tls: leaf, tlsMode: 'required', secret: 'bench-secret', dialbackDelayMs: 100 })));
  const srv = (domain, list) => list.map((s, i) => ({ name: `_xmpp-server._tcp.${domain}`, type: 'SRV', priority: 0, weight: 0, port: s.port, target: `n${i + 1}.${domain}` }));
  const hosts = (domain, n) => Array.from({ length: n }, (_, i) => ({ name: `n${i + 1}.${domain}`, type: 'A', address: '127.0.0.1' }));
  const dns = await startDemoDns([...srv('one.test', servers.slice(0, 1)), ...hosts('one.test', 1), ...srv('four.test', servers), ...hosts('four.test', 4)], ['one.test', 'four.test']);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const run = async (peer, want) => {
    const t0 = performance.now();
    const r = await probePeer({ peer, from: 'bench.test', secret: 'bench-secret', resolvers: [dns.resolver], ca: [ca.cert] });
    const ms = performance.now() - t0;
    const ok = (r.data.probe.targets ?? [{ ok: r.data.probe.dialback?.outcome === 'valid' }]).filter((t) => t.ok).length;
    if (ok !== want || r.data.probe.dialback?.outcome !== 'valid') throw new Error(`${peer}: ${ok} working targets, dialback ${r.data.probe.dialback?.outcome}`);
    return ms;
  };
  await run('one.test', 1);
  await run('four.test', 4);
  const one = [], four = [];
  for (let i = 0; i < runs; i++) {
    one.push(await run('one.test', 1));
    four.push(await run('four.test', 4));
  }
  console.log(`4. all targets of a domain at once (median of ${runs}; dialback answered after 100 ms)`);
  console.log(`   1 target   ${median(one).toFixed(0)} ms`);
  console.log(`   4 targets  ${median(four).toFixed(0)} ms  = ${(median(four) / median(one)).toFixed(2)}x (target <= 1.3x)`);
  await Promise.all([...servers.map((s) => s.close()), dns.close()]);
}

/** 3. `peers` peers in one run vs one peer, against an in-process s2s server in its own process. */
async function peersBench(runs, peers, dir) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const time = (cmd, args, opts = {}) => {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return { ms, stdout: r.stdout };
  };
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--serve', String(peers)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const info = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]));
    });
    child.once('exit', (c) => reject(new Error(`peer server exited ${c}`)));
  });
  const caFile = join(dir, 'bench-peers-ca.pem');
  writeFileSync(caFile, info.ca);
  const names = Array.from({ length: peers }, (_, i) => `peer${i + 1}.test`);
  const base = ['probe', '--host', '127.0.0.40', '--port', String(info.port), '--from', 'bench.test', '--ca', caFile, '--json'];
  const env = { env: { ...process.env, XFED_DIALBACK_SECRET: 'bench-secret' } };
  const one = [], many = [];
  for (let i = 0; i < runs; i++) {
    one.push(time(process.execPath, [BIN, ...base, names[0]], env).ms);
    const r = time(process.execPath, [BIN, ...base, '--concurrency', String(peers), ...names], env);
    const doc = JSON.parse(r.stdout);
    if (doc.targets.filter((t) => t.data.probe.dialback?.outcome === 'valid').length !== peers) throw new Error('not every peer was valid');
    many.push(r.ms);
  }
  console.log(`3. ${peers} peers in one run vs one (full probe, dialback answered after 100 ms)`);
  console.log(`   1 peer   ${median(one).toFixed(0)} ms`);
  console.log(`   ${peers} peers ${median(many).toFixed(0)} ms  = ${(median(many) / median(one)).toFixed(2)}x (target <= 3x)`);
  child.stdin.end();
}

if (process.argv[2] === '--targets') {
  await targetsBench(Number(process.argv[3] ?? 10));
} else if (process.argv[2] === '--peers') {
  const { mkdtempSync } = await import('node:fs');
  await peersBench(Number(process.argv[3] ?? 5), Number(process.argv[4] ?? 50), mkdtempSync(join((await import('node:os')).tmpdir(), 'xfed-bench-peers-')));
  process.exit(0);
} else if (process.argv[2] === '--serve') {
  // The peer, alone in this process so that its work is not charged to the client.
  const { startS2sServer } = await import(join(root, 'dist/src/xmpp/server.js'));
  const { makeCa, makeLeaf } = await import(join(root, 'dist/test/lab/certs.js'));
  const n = Number(process.argv[3]);
  const domains = Array.from({ length: n }, (_, i) => `peer${i + 1}.test`);
  const ca = makeCa();
  const leaf = makeLeaf({ cn: 'peers.test', dns: domains }, ca);
  const srv = await startS2sServer({ host: '127.0.0.40', domains, tls: leaf, tlsMode: 'required', secret: 'bench-secret', dialbackDelayMs: 100 });
  process.stdout.write(JSON.stringify({ port: srv.port, ca: ca.cert }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => srv.close().then(() => process.exit(0)));
} else {
  const { startLab, PROSODY_SECRET, EJABBERD_SECRET } = await import(join(root, 'dist/test/lab/lab.js'));
  const lab = await startLab();
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const time = (cmd, args, opts = {}) => {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
    const ms = performance.now() - t0;
    if (r.status !== 0 && !opts.anyExit) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return { ms, stdout: r.stdout };
  };
  // Another test run on this machine may stop the shared lab (.lab/stop.d): restart it and retry once.
  const xf = async (args, env) => {
    try {
      return time(process.execPath, [BIN, ...args], env ? { env: { ...process.env, ...env } } : {});
    } catch {
      await startLab();
      return time(process.execPath, [BIN, ...args], env ? { env: { ...process.env, ...env } } : {});
    }
  };
  const dns = ['--resolver', lab.resolver, '--ca', lab.caFile];
  // Warm-up (page cache, lab connections).
  await xf(['probe', 'b.test', '--no-dialback', '--json', ...dns]);

  // Paired rounds: each round runs node -e 0, openssl, xfed (bundle) and xfed (tsc output) once,
  // so that load from elsewhere hits them alike; the ratio is also taken round by round.
  const node0 = [], ossl = [], xnd = [], xsrc = [], paired = [];
  for (let i = 0; i < RUNS; i++) {
    const n = time(process.execPath, ['-e', '0']).ms;
    const o = time('openssl', ['s_client', '-starttls', 'xmpp-server', '-xmpphost', 'b.test', '-connect', '127.0.0.3:5269', '-servername', 'b.test', '-CAfile', lab.caFile, '-brief'], { input: '', anyExit: true }).ms;
    const x = (await xf(['probe', 'b.test', '--no-dialback', '--json', ...dns])).ms;
    xsrc.push((await xf(['probe', 'b.test', '--no-dialback', '--json', ...dns], { XFED_UNBUNDLED: '1' })).ms);
    node0.push(n);
    ossl.push(o);
    xnd.push(x);
    paired.push(x / (n + o));
  }
  const floor = median(node0) + median(ossl);
  console.log(`load average at the start: ${(await import('node:os')).loadavg()[0].toFixed(2)} (2 cores)`);
  console.log(`1. probe --no-dialback vs the floor (median of ${RUNS} paired rounds)`);
  console.log(`   node -e 0                      ${median(node0).toFixed(1)} ms`);
  console.log(`   openssl s_client -starttls     ${median(ossl).toFixed(1)} ms`);
  console.log(`   xfed probe b.test --no-dialback ${median(xnd).toFixed(1)} ms  = ${(median(xnd) / floor).toFixed(2)}x the sum, ${median(paired).toFixed(2)}x round by round (target <= 1.5x)`);
  console.log(`   the same from tsc's output     ${median(xsrc).toFixed(1)} ms  = ${(median(xsrc) / floor).toFixed(2)}x (XFED_UNBUNDLED=1)`);
  if (FLOOR_ONLY) process.exit(0);

  console.log(`2. full probe with dialback (median of ${RUNS}), where the time goes`);
  for (const [peer, from, secret] of [['a.test', 'b.test', EJABBERD_SECRET], ['b.test', 'a.test', PROSODY_SECRET]]) {
    const total = [], phases = {};
    for (let i = 0; i < RUNS; i++) {
      const r = await xf(['probe', peer, '--from', from, '--json', ...dns], { XFED_DIALBACK_SECRET: secret });
      total.push(r.ms);
      const t = JSON.parse(r.stdout).targets[0];
      if (t.data.probe.dialback?.outcome !== 'valid') throw new Error(`${peer}: dialback ${t.data.probe.dialback?.outcome}`);
      for (const [k, v] of Object.entries(t.timings)) (phases[k] ??= []).push(v);
    }
    const parts = Object.entries(phases).map(([k, v]) => `${k} ${median(v).toFixed(1)}`).join(', ');
    console.log(`   ${peer} (${peer === 'a.test' ? 'Prosody' : 'ejabberd'}, callback to ${from}): ${median(total).toFixed(0)} ms process; phases ms: ${parts}`);
  }

  await peersBench(Math.max(3, Math.floor(RUNS / 2)), PEERS, lab.dir);
  await targetsBench(Math.max(3, Math.floor(RUNS / 2)));
}
