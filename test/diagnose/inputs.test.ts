/**
 * Inputs: .gz files, .tar / .tar.gz bundles (built here from the plain fixtures),
 * stdin, in-memory results, and hostile inputs that must end in a finding, never a crash.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { RunResult } from '../../src/core/result.js';
import { diagnose } from '../../src/diagnose/index.js';
import { LineScanner, parseTime, type Candidate } from '../../src/diagnose/lines.js';
import { compileRules } from '../../src/diagnose/compile.js';
import { BUILTIN_RULES } from '../../src/diagnose/rules/index.js';
import { json, xfed } from '../helpers/cli.js';
import { FIXTURES, ROOT } from '../helpers/servers.js';

const LOGS = join(FIXTURES, 'logs');
const tmp = mkdtempSync(join(tmpdir(), 'xfed-diagnose-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function tarOf(files: Array<{ name: string; body: Buffer }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const f of files) pack.entry({ name: f.name, size: f.body.length }, f.body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const ids = (t: { findings: Array<{ id: string }> }) => t.findings.map((f) => f.id).sort();
const log401 = readFileSync(join(LOGS, 'expc-axl-401.log'));

test('a .gz file is read like the plain file: same findings, same line numbers', async () => {
  const p = join(tmp, 'expc.log.gz');
  writeFileSync(p, gzipSync(log401));
  const [t] = await diagnose({ paths: [p] });
  assert.deepEqual(ids(t!), ['diagnose.axl.http-401']);
  assert.equal(t!.findings[0]!.evidence[0]!.line, 10);
  assert.equal(t!.findings[0]!.evidence[0]!.count, 2);
  assert.deepEqual(t!.data.diagnose.inputs.map((i) => [i.kind, i.gzip]), [['log', true]]);
});

test('a .tar.gz diagnostic bundle with nested .gz logs and a pcap', async () => {
  const b = 'bundle-router-restart-needed';
  const expc = readFileSync(join(LOGS, b, 'expc/loggingsnapshot_expc01_20261124.txt'));
  const rtr = readFileSync(join(LOGS, b, 'imp/epas/trace/xcp/log/rtr-jsm-1.log'));
  const pcap = Buffer.concat([Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0]), Buffer.alloc(2000)]);
  const bundle = gzipSync(
    await tarOf([
      { name: 'expc/loggingsnapshot_expc01_20261124.txt', body: expc },
      { name: 'imp/epas/trace/xcp/log/rtr-jsm-1.log.gz', body: gzipSync(rtr) },
      { name: 'expc/eth0_diagnostic_logging_tcpdump00_expc01_20261124.pcap', body: pcap },
    ]),
  );
  const p = join(tmp, 'diagnostic_log_expc01.tgz');
  writeFileSync(p, bundle);
  const [t] = await diagnose({ paths: [p] });
  assert.deepEqual(ids(t!), ['diagnose.axl.http-401', 'diagnose.input.binary', 'diagnose.xcp.router-restart-needed']);
  const ev = t!.findings.find((f) => f.id === 'diagnose.axl.http-401')!.evidence[0]!;
  assert.equal(ev.source, `${p}!expc/loggingsnapshot_expc01_20261124.txt`);
  assert.equal(t!.data.diagnose.inputsTotal, 3);
});

test('a plain .tar bundle', async () => {
  const p = join(tmp, 'plain.tar');
  writeFileSync(p, await tarOf([{ name: 'expe.log', body: readFileSync(join(LOGS, 'expe-dialback-invalid.log')) }]));
  const [t] = await diagnose({ paths: [p] });
  assert.deepEqual(ids(t!), ['diagnose.dialback.invalid']);
});

test('a truncated .gz: the lines before the cut are diagnosed, and the cut is a finding', async () => {
  const filler = readFileSync(join(LOGS, 'expc-alarm-lowered-only.log'));
  const big = Buffer.concat([log401, ...Array.from({ length: 2000 }, () => filler)]);
  const gz = gzipSync(big);
  const p = join(tmp, 'cut.log.gz');
  writeFileSync(p, gz.subarray(0, Math.floor(gz.length / 2)));
  const [t] = await diagnose({ paths: [p] });
  assert.deepEqual(ids(t!), ['diagnose.axl.http-401', 'diagnose.input.truncated']);
});

test('a truncated .tar.gz bundle', async () => {
  const body = Buffer.concat([log401, Buffer.alloc(300_000, 'x\n')]);
  const gz = gzipSync(await tarOf([{ name: 'a.log', body }, { name: 'b.log', body }]));
  const p = join(tmp, 'cut.tgz');
  writeFileSync(p, gz.subarray(0, Math.floor(gz.length * 0.7)));
  const [t] = await diagnose({ paths: [p] });
  assert.ok(ids(t!).includes('diagnose.input.truncated'), ids(t!).join());
  assert.ok(ids(t!).includes('diagnose.axl.http-401'));
});

test('corrupt gzip data is unreadable (exit 1), binary files are skipped', async () => {
  const bad = join(tmp, 'bad.gz');
  writeFileSync(bad, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(500, 0xff)]));
  const bin = join(tmp, 'image.bin');
  writeFileSync(bin, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  const [t] = await diagnose({ paths: [bad, bin] });
  assert.deepEqual(ids(t!), ['diagnose.input.binary', 'diagnose.input.unreadable', 'diagnose.no-match']);
  assert.equal(t!.verdict, 'error');
});

test('a 100 MB line is cut, counted as one line, and memory stays bounded', async () => {
  const p = join(tmp, 'long.log');
  const fd = openSync(p, 'w');
  const lines = log401.toString().split('\n');
  writeSync(fd, `${lines[0]}\n`);
  const mb = Buffer.alloc(1 << 20, 'a');
  for (let i = 0; i < 100; i++) writeSync(fd, mb);
  writeSync(fd, `\n${lines[9]}\n`);
  closeSync(fd);
  const script = `import { diagnose } from ${JSON.stringify(join(ROOT, 'dist/src/diagnose/index.js'))};
    const [t] = await diagnose({ paths: [${JSON.stringify(p)}] });
    console.log(JSON.stringify({ ids: t.findings.map((f) => f.id).sort(), line: t.findings.find((f) => f.id === 'diagnose.axl.http-401')?.evidence[0].line, lines: t.data.diagnose.totals.lines, rss: process.resourceUsage().maxRSS }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { ids: string[]; line: number; lines: number; rss: number };
  assert.deepEqual(out.ids, ['diagnose.axl.http-401', 'diagnose.input.long-line']);
  assert.equal(out.line, 3);
  assert.equal(out.lines, 3);
  assert.ok(out.rss < 150 * 1024, `peak RSS ${Math.round(out.rss / 1024)} MB`);
});

test('an 80 MB log whose first character is "[" is read as lines without buffering it as JSON', async () => {
  const p = join(tmp, 'bracket.log');
  const fd = openSync(p, 'w');
  const block = Buffer.from(Array.from({ length: 8192 }, (_, i) => `[2026-11-24 09:14:00,000] worker-${i % 7} heartbeat {"queue": ${i}}\n`).join(''));
  for (let n = 0; n < 80 * 1024 * 1024; n += block.length) writeSync(fd, block);
  writeSync(fd, log401);
  closeSync(fd);
  const script = `import { diagnose } from ${JSON.stringify(join(ROOT, 'dist/src/diagnose/index.js'))};
    const [t] = await diagnose({ paths: [${JSON.stringify(p)}] });
    console.log(JSON.stringify({ ids: t.findings.map((f) => f.id).sort(), kind: t.data.diagnose.inputs[0].kind, rss: process.resourceUsage().maxRSS }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { ids: string[]; kind: string; rss: number };
  assert.deepEqual(out.ids, ['diagnose.axl.http-401']);
  assert.equal(out.kind, 'log');
  // Buffering 64 MiB as possible JSON took ~140 MB; streamed lines take ~75 MB.
  assert.ok(out.rss < 110 * 1024, `peak RSS ${Math.round(out.rss / 1024)} MB`);
});

test('directory loops, dangling links and unreadable files are findings', async () => {
  const d = join(tmp, 'tree');
  mkdirSync(join(d, 'a', 'b'), { recursive: true });
  writeFileSync(join(d, 'a', 'b', 'expe.log'), readFileSync(join(LOGS, 'expe-federation-disabled.log')));
  symlinkSync(d, join(d, 'a', 'b', 'loop'));
  symlinkSync(join(d, 'nowhere'), join(d, 'a', 'dangling.log'));
  // The dangling link is unreadable; so is a mode-000 file for a normal user (root reads everything).
  const expected = ['diagnose.federation.disabled', 'diagnose.input.loop', 'diagnose.input.unreadable'];
  if (process.getuid?.() !== 0) {
    writeFileSync(join(d, 'secret.log'), 'x\n');
    chmodSync(join(d, 'secret.log'), 0);
  }
  const [t] = await diagnose({ paths: [d] });
  assert.deepEqual(ids(t!), expected.sort());
  const un = t!.findings.find((f) => f.id === 'diagnose.input.unreadable')!;
  assert.ok(un.evidence.some((e) => e.source?.endsWith('dangling.log')));
  assert.ok(t!.findings.find((f) => f.id === 'diagnose.input.loop')!.evidence.some((e) => e.source?.endsWith('loop')));
});

test('a missing path is a usage error', async () => {
  await assert.rejects(diagnose({ paths: [join(tmp, 'no-such-file.log')] }), (e: Error) => e.name === 'UsageError' && /no such file/.test(e.message));
  await assert.rejects(diagnose({ paths: [] }), (e: Error) => e.name === 'UsageError');
});

test('in-memory results (as xfed doctor passes them) and xfed JSON that does not parse', async () => {
  const run = JSON.parse(readFileSync(join(LOGS, 'results-check-dns.json'), 'utf8')) as RunResult;
  const [t] = await diagnose({ paths: [], results: [run] });
  assert.deepEqual(ids(t!), ['diagnose.dns.srv-misconfigured', 'diagnose.dns.srv-missing', 'diagnose.dns.srv-private']);
  const p = join(tmp, 'cut.json');
  writeFileSync(p, readFileSync(join(LOGS, 'results-check-dns.json'), 'utf8').slice(0, 300));
  const [u] = await diagnose({ paths: [p] });
  assert.deepEqual(ids(u!), ['diagnose.input.bad-json', 'diagnose.no-match']);
});

test('info findings in results are facts, never causes (e.g. a private target allowed by --allow-private)', async () => {
  const run = JSON.parse(readFileSync(join(LOGS, 'results-check-dns.json'), 'utf8')) as RunResult;
  for (const t of run.targets) for (const f of t.findings) f.severity = 'info';
  const [t] = await diagnose({ paths: [], results: [run] });
  assert.ok(!ids(t!).some((id) => id.startsWith('diagnose.dns.')), ids(t!).join(' '));
});

test('line numbers and continuation headers survive any chunking', () => {
  const { prefilter } = compileRules(BUILTIN_RULES);
  const text = ['expe-dialback-ok.log', 'expe-dialback-invalid.log', 'expe-stream-errors.log']
    .map((f) => readFileSync(join(LOGS, f), 'utf8'))
    .join('')
    .replace(/\n/g, (m, i: number) => (i % 3 ? m : '\r\n'));
  const whole: Candidate[] = [];
  const s1 = new LineScanner(prefilter, (c) => whole.push(c));
  s1.push(Buffer.from(text));
  s1.end();
  assert.ok(whole.length >= 10, String(whole.length));
  assert.ok(whole.some((c) => c.header && c.line.startsWith('DBVerify Packet Received')));
  let seed = 7;
  for (let round = 0; round < 20; round++) {
    const got: Candidate[] = [];
    const s = new LineScanner(prefilter, (c) => got.push(c));
    const buf = Buffer.from(text);
    for (let i = 0; i < buf.length; ) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const n = 1 + (seed % (round < 10 ? 40 : 900));
      s.push(buf.subarray(i, i + n));
      i += n;
    }
    s.end();
    assert.deepEqual(
      got.map((c) => [c.lineNo, c.line]),
      whole.map((c) => [c.lineNo, c.line]),
    );
    assert.equal(s.lines, s1.lines);
  }
});

test('timestamps: Expressway UTCTime, ISO with offset, ejabberd, Prosody (no year)', () => {
  assert.equal(parseTime('2016-03-09T09:48:35+05:30 VCSECOL tvcs: UTCTime="2016-03-09 04:18:35,399" Module="network.dns"'), Date.UTC(2016, 2, 9, 4, 18, 35, 399));
  assert.equal(parseTime('2020-08-12T14:57:43.771-05:00 expc01 alarm: Level="WARN"'), Date.UTC(2020, 7, 12, 19, 57, 43, 771));
  assert.equal(parseTime('2026-11-24 09:15:02.123456+00:00 [warning] <0.1.0>'), Date.UTC(2026, 10, 24, 9, 15, 2, 123));
  const now = Date.UTC(2026, 10, 25);
  assert.equal(parseTime('Nov 24 09:15:00 s2sin1\tinfo\tx', now), Date.UTC(2026, 10, 24, 9, 15));
  assert.equal(parseTime('Dec 31 23:59:59 s2sin1\tinfo\tx', now), Date.UTC(2025, 11, 31, 23, 59, 59));
  assert.equal(parseTime('no time here'), undefined);
});

test('CLI: stdin ("-") with JSON results and a log directory in one call', async () => {
  const r = await xfed(['--json', 'diagnose', '-', join(LOGS, 'expc-axl-401.log')], { input: readFileSync(join(LOGS, 'results-check-dns.json'), 'utf8') });
  assert.equal(r.code, 1, r.stderr);
  const doc = json(r);
  assert.deepEqual(doc.targets[0].findings.map((f: { id: string }) => f.id).sort(), ['diagnose.axl.http-401', 'diagnose.dns.srv-misconfigured', 'diagnose.dns.srv-missing', 'diagnose.dns.srv-private']);
  assert.equal(r.stderr, '');
});
