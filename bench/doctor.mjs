#!/usr/bin/env node
// xfed doctor benchmarks (not tests). Needs `npm run build`; no root, no Debian package.
// Prints figures measured in the same run:
//   1. a deployment of 200 partner domains (plus ours) served by a loopback DNS server (dns2) and
//      4 in-process XMPP s2s servers (STARTTLS, dialback answered after 50 ms like a callback),
//      the AXL emulator and the log fixtures, all in a separate process: `xfed doctor` vs each of
//      its single checks run alone (check-dns, probe, axl-verify, diagnose), median of N runs.
//      Target: doctor <= 1.5x the slowest single check (not the sum).
//   2. `xfed doctor --demo` wall time, median of N runs. Target: < 5 s.
// Usage: node bench/doctor.mjs [runs=5] [partners=200]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const BIN = join(root, 'bin/xfed.js');
const RUNS = Number(process.argv[2] ?? 5);
const PARTNERS = Number(process.argv[3] ?? 200);
const SERVERS = 4;
const OURS = 'ours.example';
const SECRET = 'bench-doctor-dialback-secret';
const AXL_PASSWORD = 'bench-axl-password';

if (process.argv[2] === '--serve') {
  // The deployment, alone in this process so that its work is not charged to xfed.
  const n = Number(process.argv[3]);
  const { makeDemoPki } = await import(join(root, 'dist/src/doctor/demo/certs.js'));
  const { startDemoDns } = await import(join(root, 'dist/src/doctor/demo/dns.js'));
  const { startS2sServer } = await import(join(root, 'dist/src/xmpp/server.js'));
  const { startAxlEmulator, TAC_ROW } = await import(join(root, 'dist/src/axl/emulator.js'));
  const partners = Array.from({ length: n }, (_, i) => `partner${i + 1}.example`);
  const pki = await makeDemoPki('xfed bench CA');
  const servers = [];
  for (let s = 0; s < SERVERS; s++) {
    const hosted = partners.filter((_, i) => i % SERVERS === s);
    if (s === 0) hosted.push(OURS);
    const tls = await pki.issue({ cn: `xmpp${s}.example`, dns: hosted });
    servers.push(await startS2sServer({ host: '127.0.0.1', port: 0, domains: hosted, tls: { ...tls, ca: pki.ca.cert }, secret: SECRET, dialbackDelayMs: 50 }));
  }
  const zone = [];
  const add = (domain, s) => {
    zone.push({ name: `_xmpp-server._tcp.${domain}`, type: 'SRV', priority: 0, weight: 0, port: servers[s].port, target: `xmpp${s}.example` });
  };
  partners.forEach((p, i) => add(p, i % SERVERS));
  add(OURS, 0);
  for (let s = 0; s < SERVERS; s++) zone.push({ name: `xmpp${s}.example`, type: 'A', address: '127.0.0.1' });
  const dns = await startDemoDns(zone, ['example']);
  const axlTls = await pki.issue({ cn: 'imp.example', ips: ['127.0.0.1'] });
  const axl = await startAxlEmulator({ host: '127.0.0.1', port: 0, tls: axlTls, users: { axl: AXL_PASSWORD }, rows: [TAC_ROW] });
  process.stdout.write(JSON.stringify({ resolver: dns.resolver, ca: pki.ca.cert, axlPort: axl.port, partners }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await Promise.all([...servers.map((s) => s.close()), dns.close(), axl.close()]);
    process.exit(0);
  });
} else {
  const dir = mkdtempSync(join(tmpdir(), 'xfed-bench-doctor-'));
  const server = spawn(process.execPath, [new URL(import.meta.url).pathname, '--serve', String(PARTNERS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const info = await new Promise((resolve, reject) => {
    let buf = '';
    server.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(JSON.parse(buf));
    });
    server.once('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  const ca = join(dir, 'ca.pem');
  const secretFile = join(dir, 'secret');
  const domains = join(dir, 'partners.txt');
  writeFileSync(ca, info.ca);
  writeFileSync(secretFile, SECRET);
  writeFileSync(domains, info.partners.join('\n') + '\n');
  const logs = join(root, 'fixtures', 'logs');
  const config = join(dir, 'xfed.yaml');
  writeFileSync(
    config,
    [
      `domains: [${OURS}]`,
      `partners: [${info.partners.join(', ')}]`,
      `dns: { resolvers: ["${info.resolver}"], allow_private: true }`,
      `probe: { from: ${OURS}, secret_file: "${secretFile}", ca: ["${ca}"] }`,
      `axl: { server: "127.0.0.1:${info.axlPort}", user: axl, ca: "${ca}", expect: [eft-xwye-a.coluc.com] }`,
      `logs: ["${logs}"]`,
      'concurrency: 16',
    ].join('\n') + '\n',
  );
  const env = { ...process.env, XFED_AXL_PASSWORD: AXL_PASSWORD, NO_COLOR: '1' };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  // Children run while this process only waits: the servers live in their own process.
  const time = (args) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const c = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      c.stdout.on('data', (d) => (out += d));
      c.stderr.on('data', (d) => (err += d));
      c.on('exit', (code) => {
        const ms = performance.now() - t0;
        if (code !== 0 && code !== 1) reject(new Error(`xfed ${args.join(' ')} exited ${code}: ${err}`));
        else resolve({ ms, out, code });
      });
    });
  const checks = {
    'check-dns': ['check-dns', '--resolver', info.resolver, '--file', domains, OURS, '--allow-private', '--concurrency', '16', '--json'],
    probe: ['probe', '--resolver', info.resolver, '--file', domains, OURS, '--from', OURS, '--secret-file', secretFile, '--ca', ca, '--concurrency', '16', '--json'],
    'axl-verify': ['axl-verify', '--server', `127.0.0.1:${info.axlPort}`, '--user', 'axl', '--ca', ca, '--expect', 'eft-xwye-a.coluc.com', '--json'],
    diagnose: ['diagnose', logs, '--json'],
    doctor: ['doctor', '--config', config, '--json'],
  };
  const times = Object.fromEntries(Object.keys(checks).map((k) => [k, []]));
  let sanity;
  for (let i = 0; i < RUNS; i++) {
    for (const [k, args] of Object.entries(checks)) {
      const r = await time(args);
      times[k].push(r.ms);
      if (k === 'doctor') sanity = JSON.parse(r.out);
    }
  }
  const demo = [];
  for (let i = 0; i < RUNS; i++) demo.push((await time(['doctor', '--demo', '--json'])).ms);
  server.stdin.end();
  rmSync(dir, { recursive: true, force: true });

  const probes = sanity.targets.filter((t) => t.data.check === 'probe');
  const valid = probes.filter((t) => t.data.probe.dialback?.outcome === 'valid').length;
  console.log(`xfed doctor bench: ${PARTNERS} partners + 1 own domain, ${SERVERS} s2s servers, ${RUNS} runs (medians), node ${process.version}`);
  console.log(`  sanity: doctor saw ${sanity.targets.length} targets, ${probes.length} probes (${valid} with dialback valid), exit ${sanity.exitCode}`);
  const rows = Object.entries(times).map(([k, xs]) => [k, median(xs)]);
  for (const [k, ms] of rows) console.log(`  ${k.padEnd(11)} ${ms.toFixed(0).padStart(6)} ms`);
  const singles = rows.filter(([k]) => k !== 'doctor');
  const slowest = singles.reduce((a, b) => (b[1] > a[1] ? b : a));
  const sum = singles.reduce((a, [, ms]) => a + ms, 0);
  const doctor = median(times.doctor);
  console.log(`  doctor / slowest single check (${slowest[0]}): ${(doctor / slowest[1]).toFixed(2)}x (target <= 1.5x)`);
  console.log(`  doctor / sum of the single checks:            ${(doctor / sum).toFixed(2)}x`);
  console.log(`  doctor --demo: median ${median(demo).toFixed(0)} ms, max ${Math.max(...demo).toFixed(0)} ms (target < 5000 ms)`);
}
