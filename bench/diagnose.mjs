#!/usr/bin/env node
// Benchmark of `xfed diagnose` (not a test): generates N MB (default 200) of realistic
// Expressway log lines in a temporary directory, gzips a copy, then times in paired runs
// (each round runs all four, RUNS rounds, medians):
//   - grep -cE with an alternation of every rule keyword over the plain file (LC_ALL=C),
//   - xfed diagnose --json on the plain file (target: >= 0.5x grep's throughput),
//   - zcat | grep -cE over the gzipped file,
//   - xfed diagnose --json on the gzipped file (target: at most 1.2x the zcat | grep time),
//   - peak RSS of each xfed run (flat whatever the size; /usr/bin/time -f %M).
// The temporary directory is deleted at the end, also on error or Ctrl-C.
// Usage: npm run build && node bench/diagnose.mjs [sizeMB=200] [runs=5]
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const XFED = join(root, 'bin', 'xfed.js');
const sizeMB = Number(process.argv[2] ?? 200);
const RUNS = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'xfed-bench-diagnose-'));
const cleanup = () => rmSync(dir, { recursive: true, force: true });
process.on('SIGINT', () => (cleanup(), process.exit(130)));

const { compileRules } = await import(join(root, 'dist/src/diagnose/compile.js'));
const { BUILTIN_RULES } = await import(join(root, 'dist/src/diagnose/rules/index.js'));

function stamp(sec) {
  const t = new Date(Date.UTC(2026, 10, 24, 0, 0, 0) + sec * 1000);
  const iso = t.toISOString().replace('Z', '+00:00');
  const utc = t.toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
  return [iso, utc];
}

// The everyday traffic of an Expressway-E/C pair; an AXL 401 once in ~18,000 lines.
function block(sec, withFailure) {
  const [iso, utc] = stamp(sec);
  const l = [
    `${iso} expe01 XCP_CM2[12122]: UTCTime="${utc}" ThreadID="140213377" Module="XMPPFederation" Level="VBOSE" CodeLocation="stanza.component.in" Detail="xcoder=05E295A2B received:: <presence from='alice@coluc.com/jabber_1' to='bob@vngtp.lab'/>"`,
    `${iso} expe01 tvcs: UTCTime="${utc}" Module="network.dns" Level="DEBUG":  Detail="Sending DNS query" Name="_xmpp-server._tcp.vngtp.lab" Type="SRV (IPv4 and IPv6)"`,
    `${iso} expc01 tvcs: UTCTime="${utc}" Module="network.sip" Level="DEBUG":  Action="Received" Local-ip="10.48.36.170" Local-port="5061" Src-ip="10.48.36.20" Src-port="25441" Msg-Hash="8127361836124"`,
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/TLS 10.48.36.20:5061;branch=z9hG4bK776asdhds;received=10.48.36.20',
    'Content-Length: 0',
    `${iso} expc01 httpd[2233]: web: Event="Login Successful" Src-ip="10.48.36.5" User="admin" Method="web" Level="1" UTCTime="${utc}"`,
    `${iso} expe01 XCP_CM2[12122]: UTCTime="${utc}" ThreadID="140213377" Module="XMPPFederation" Level="DEBUG" CodeLocation="stream.in" Detail="(5d1e0c2a-7b1f-4c59-9a55-3c6fd1c1a0b2, coluc.com:vngtp.lab, IN) xcoder=05E295A2B read 412 bytes"`,
    `${iso} expc01 tvcs: UTCTime="${utc}" Module="developer.clusterdb.restapi" Level="DEBUG":  Detail="GET /api/internal/xcp/configuration" Reason="OK"`,
  ];
  // A new S2S connection now and then: its CONNECTED line is a keyword hit (about 1 line in 100).
  if (sec % 10 === 0)
    l.push(`${iso} expe01 XCP_CM2[12122]: UTCTime="${utc}" ThreadID="140213377" Module="XMPPFederation" Level="INFO " CodeLocation="ConnInfoHistory" Detail="Connection state change: PENDING->CONNECTED: (00000000-0000-0000-0000-000000000000, coluc.com:vngtp.lab, OUT) xcoder=34A9B60C8"`);
  if (withFailure) l.push(`${iso} expc01 tvcs: UTCTime="${utc}" Module="network.axl" Level="INFO":  Action="Received" URL="https://cups.ciscotac.net:8443/axl/" Function="executeSQLQuery" Status="401" Reason="None"`);
  return l.join('\n') + '\n';
}

function generate(file, bytes) {
  const fd = openSync(file, 'w');
  let written = 0;
  let sec = 0;
  let parts = [];
  let len = 0;
  while (written < bytes) {
    const b = block(sec, sec % 2000 === 1999);
    sec++;
    parts.push(b);
    len += b.length;
    if (len >= 4 << 20) {
      written += writeSync(fd, parts.join(''));
      parts = [];
      len = 0;
    }
  }
  if (parts.length) writeSync(fd, parts.join(''));
  closeSync(fd);
}

const hasTime = existsSync('/usr/bin/time');
function timed(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = hasTime ? spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, ...opts }) : spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const rssKB = hasTime ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  return { s, out: r.stdout, rssMB: rssKB / 1024 };
}


const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

try {
  const file = join(dir, 'expressway.log');
  const t0 = Date.now();
  generate(file, sizeMB * 1024 * 1024);
  const size = statSync(file).size;
  const gb = size / 1e9;
  console.log(`generated ${(size / 1e6).toFixed(0)} MB of Expressway lines in ${((Date.now() - t0) / 1000).toFixed(1)} s (${dir})`);
  spawnSync('gzip', ['-1', '-k', file]);
  const gz = `${file}.gz`;
  console.log(`gzip -1: ${(statSync(gz).size / 1e6).toFixed(0)} MB`);

  const { keywords } = compileRules(BUILTIN_RULES);
  const ere = keywords.map((k) => Buffer.from(k, 'latin1').toString('utf8').replace(/[.[\]*+?^${}()|\\]/g, '\\$&')).join('|');
  const env = { ...process.env, LC_ALL: 'C', KW: ere, GZ: gz };
  const runs = { grep: [], plain: [], zgrep: [], gz: [] };
  let grepCount = '';
  let doc;
  let docGz;
  for (let i = 0; i < RUNS; i++) {
    const g = timed('grep', ['-cE', ere, file], { env });
    grepCount = g.out.trim();
    runs.grep.push(g);
    const x = timed(process.execPath, [XFED, '--json', 'diagnose', file]);
    doc = JSON.parse(x.out);
    runs.plain.push(x);
    runs.zgrep.push(timed('sh', ['-c', 'zcat "$GZ" | grep -cE "$KW"'], { env }));
    const xg = timed(process.execPath, [XFED, '--json', 'diagnose', gz]);
    docGz = JSON.parse(xg.out);
    runs.gz.push(xg);
  }
  const s = (k) => median(runs[k].map((r) => r.s));
  const rss = (k) => Math.max(...runs[k].map((r) => r.rssMB));
  const totals = doc.targets[0].data.diagnose.totals;
  const f401 = doc.targets[0].findings.find((f) => f.id === 'diagnose.axl.http-401');
  console.log(`medians of ${RUNS} paired runs:`);
  console.log(`grep -cE (${keywords.length} keywords):  ${s('grep').toFixed(2)} s, ${(gb / s('grep')).toFixed(2)} GB/s, ${grepCount} lines`);
  console.log(`xfed diagnose plain:        ${s('plain').toFixed(2)} s, ${(gb / s('plain')).toFixed(2)} GB/s, peak RSS ${rss('plain').toFixed(0)} MB, ${totals.matched} lines matched, 401 seen ${f401?.evidence[0]?.count ?? 0}x`);
  console.log(`  ratio xfed/grep throughput: ${(s('grep') / s('plain')).toFixed(2)}x (target >= 0.5x)`);
  console.log(`zcat | grep -cE:            ${s('zgrep').toFixed(2)} s`);
  console.log(`xfed diagnose .gz:          ${s('gz').toFixed(2)} s, peak RSS ${rss('gz').toFixed(0)} MB, ${docGz.targets[0].data.diagnose.totals.matched} lines matched`);
  console.log(`  ratio xfed .gz / zcat|grep time: ${(s('gz') / s('zgrep')).toFixed(2)}x (target <= 1.2x)`);
} finally {
  cleanup();
}
