#!/usr/bin/env node
// axl-verify benchmark (not a test). Needs `npm run build`, openssl and curl.
// Prints figures measured in the same run, against the AXL emulator (HTTPS, 127.0.0.30) running
// in its own process:
//   1. N sequential executeSQLQuery calls (xmpps2snodes, one row) by xfed's AxlClient over one
//      keep-alive connection, each answer parsed, vs `curl` doing the same call with a fresh
//      process per call (as shell scripts do): total, per query, ratio;
//   2. one whole `xfed axl-verify` run (process start to exit) vs one `curl` call.
// Usage: node bench/axl.mjs [calls=1000]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = (p) => join(root, 'dist/src', p);
const HOST = '127.0.0.30';
const USER = 'benchuser';
const PASSWORD = 'bench-password';

if (process.argv[2] === '--serve') {
  // The emulator, alone in this process so that its work is not charged to the client.
  const { startAxlEmulator, makeSelfSignedCert, TAC_ROW } = await import(dist('axl/emulator.js'));
  const tls = makeSelfSignedCert({ ips: [HOST] });
  const emu = await startAxlEmulator({ host: HOST, port: 0, tls, users: { [USER]: PASSWORD }, rows: [TAC_ROW] });
  process.stdout.write(JSON.stringify({ port: emu.port, url: emu.url, ca: tls.cert }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => emu.close().then(() => process.exit(0)));
} else {
  const N = Number(process.argv[2] ?? 1000);
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const info = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]));
    });
    child.once('exit', (c) => reject(new Error(`emulator exited ${c}`)));
  });
  const dir = mkdtempSync(join(tmpdir(), 'xfed-bench-axl-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, info.ca);
  const { AxlClient } = await import(dist('axl/client.js'));
  const { parseAxlResponse, buildExecuteSqlQuery } = await import(dist('axl/soap.js'));
  const SQL = 'SELECT pkid, cp_id FROM xmpps2snodes';
  const VERSION = '15.0';

  // 1a. xfed: one client, one keep-alive connection, N sequential queries.
  const client = new AxlClient({ origin: `https://${HOST}:${info.port}`, user: USER, password: PASSWORD, ca: info.ca, timeoutMs: 10_000 });
  for (let i = 0; i < 20; i++) await client.executeSqlQuery(SQL, VERSION); // warm-up (JIT, TLS session)
  const per = [];
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const s = process.hrtime.bigint();
    const r = await client.executeSqlQuery(SQL, VERSION);
    const a = parseAxlResponse(r.body);
    if (r.status !== 200 || a.kind !== 'rows' || a.rows.length !== 1) throw new Error(`unexpected answer ${r.status}`);
    per.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  const xfedTotal = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const xfedCpu = (cpu.user + cpu.system) / 1000;
  await client.close();

  // 1b. curl: a fresh process per call, same request.
  const bodyFile = join(dir, 'body.xml');
  writeFileSync(bodyFile, buildExecuteSqlQuery(SQL, VERSION, 1));
  const curlArgs = [
    '-sS', '--fail-with-body', '-o', '/dev/null', '--cacert', caFile, '-u', `${USER}:${PASSWORD}`,
    '-H', 'Content-Type: text/xml; charset=utf-8', '-H', `SOAPAction: "CUCM:DB ver=${VERSION} executeSQLQuery"`,
    '--data-binary', `@${bodyFile}`, info.url,
  ];
  const curlN = N;
  const c0 = process.hrtime.bigint();
  for (let i = 0; i < curlN; i++) {
    const r = spawnSync('curl', curlArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`curl exited ${r.status}: ${r.stderr}`);
  }
  const curlTotal = Number(process.hrtime.bigint() - c0) / 1e6;

  // 2. one whole CLI run vs one curl call (median of 7).
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const timeOnce = (cmd, args, env) => {
    const s = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${r.stderr}`);
    return Number(process.hrtime.bigint() - s) / 1e6;
  };
  const cli = median(Array.from({ length: 7 }, () =>
    timeOnce(process.execPath, [join(root, 'bin/xfed.js'), 'axl-verify', '--server', `${HOST}:${info.port}`, '--user', USER, '--ca', caFile, '--axl-version', VERSION, '--json'], { XFED_AXL_PASSWORD: PASSWORD })));
  const curlOne = median(Array.from({ length: 7 }, () => timeOnce('curl', curlArgs)));

  child.stdin.end();
  rmSync(dir, { recursive: true, force: true });
  const sorted = [...per].sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const f = (n) => (n < 10 ? n.toFixed(2) : n.toFixed(0));
  console.log(`axl-verify bench: ${N} sequential executeSQLQuery calls against the AXL emulator (HTTPS on ${HOST}, own process)`);
  console.log(`  xfed (undici, 1 keep-alive connection, answers parsed): ${f(xfedTotal)} ms total, ${f(xfedTotal / N)} ms/query (p50 ${f(pct(50))}, p99 ${f(pct(99))})`);
  console.log(`  curl (fresh process + TLS handshake per call):           ${f(curlTotal)} ms total, ${f(curlTotal / curlN)} ms/query`);
  console.log(`  ratio curl/xfed: ${(curlTotal / curlN / (xfedTotal / N)).toFixed(1)}x`);
  console.log(`  xfed per-query overhead: ${f(xfedCpu / N)} ms CPU in xfed's process (build, send, read, parse); ${f(xfedTotal / N)} ms wall with the server's work (target < 2 ms)`);
  console.log(`  one whole run: xfed axl-verify ${f(cli)} ms vs one curl call ${f(curlOne)} ms (median of 7)`);
}
