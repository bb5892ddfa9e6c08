/**
 * Where output goes (issue 10, items 7 and 10): a reader that leaves (`| head -1`) keeps the
 * exit code the findings decided; a full disk is exit 3 with one line; `--output` files are
 * written through a temporary file and renamed after the run; an output that is one of the
 * run's inputs is refused before anything runs. These need no server.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { xfed } from '../helpers/cli.js';
import { XFED_BIN } from '../helpers/servers.js';
import { LOG_ERROR, LOG_OK } from './setup.js';

const dir = mkdtempSync(join(tmpdir(), 'xfed-output-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function sub(name: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Runs xfed with stdout on `fd` (a file descriptor) or on a pipe whose reader is gone before xfed writes. */
function runWithStdout(args: string[], stdout: number | 'closed-pipe'): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [XFED_BIN, ...args], { stdio: ['ignore', stdout === 'closed-pipe' ? 'pipe' : stdout, 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    if (stdout === 'closed-pipe') child.stdout!.destroy();
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error('xfed did not finish'))), 30_000);
    child.on('close', (code) => (clearTimeout(timer), resolve({ code, stderr })));
  });
}

describe('stdout write errors', { concurrency: true }, () => {
  test('EPIPE: the reader left before the report; the exit code is still the findings\' (1, or 0)', async () => {
    let r = await runWithStdout(['diagnose', LOG_ERROR, '--verbose'], 'closed-pipe');
    assert.deepEqual(r, { code: 1, stderr: '' });
    r = await runWithStdout(['diagnose', LOG_ERROR, '--format', 'junit'], 'closed-pipe');
    assert.deepEqual(r, { code: 1, stderr: '' });
    r = await runWithStdout(['diagnose', LOG_OK], 'closed-pipe');
    assert.deepEqual(r, { code: 0, stderr: '' });
    // The report files are written all the same.
    const f = join(sub('epipe'), 'r.json');
    r = await runWithStdout(['diagnose', LOG_ERROR, '-o', `json=${f}`], 'closed-pipe');
    assert.deepEqual(r, { code: 1, stderr: '' });
    assert.equal(JSON.parse(readFileSync(f, 'utf8')).exitCode, 1);
  });

  test('a pipefail pipeline into head -1 fails when the run has error findings', () => {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${XFED_BIN}" diagnose "${LOG_ERROR}" --verbose | head -1`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout.split('\n').length, 2, 'one line');
    assert.equal(r.stderr, '');
  });

  test('ENOSPC (/dev/full): exit 3 and one line on stderr, in every format', { skip: existsSync('/dev/full') ? undefined : 'no /dev/full' }, async () => {
    for (const format of ['human', 'json', 'junit', 'github']) {
      const fd = openSync('/dev/full', 'w');
      try {
        const r = await runWithStdout(['diagnose', LOG_ERROR, '--format', format], fd);
        assert.deepEqual(r, { code: 3, stderr: 'xfed: cannot write to stdout: ENOSPC\n' }, format);
      } finally {
        closeSync(fd);
      }
    }
  });
});

describe('--output files', { concurrency: true }, () => {
  test('a run that fails (bad config, missing input) leaves the previous report as it was, and no temporary file', async () => {
    const d = sub('keep');
    const prev = join(d, 'report.json');
    const prevXml = join(d, 'report.xml');
    writeFileSync(prev, '{"previous":true}\n');
    writeFileSync(prevXml, '<previous/>\n');
    const cfg = join(d, 'bad.yaml');
    writeFileSync(cfg, 'partner: [b.example]\n');
    let r = await xfed(['doctor', '-c', cfg, '-o', `json=${prev}`, '-o', `junit=${prevXml}`]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^xfed: config .*bad\.yaml line 1: partner: unknown key/);
    r = await xfed(['diagnose', join(d, 'missing.log'), '-o', `json=${prev}`]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(readFileSync(prev, 'utf8'), '{"previous":true}\n');
    assert.equal(readFileSync(prevXml, 'utf8'), '<previous/>\n');
    assert.deepEqual(readdirSync(d).sort(), ['bad.yaml', 'report.json', 'report.xml']);
  });

  test('a finished run replaces the report in one rename: permissions kept, symbolic links followed', async () => {
    const d = sub('replace');
    const report = join(d, 'report.json');
    writeFileSync(report, 'old');
    chmodSync(report, 0o600);
    const target = join(d, 'real.xml');
    writeFileSync(target, 'old');
    symlinkSync(target, join(d, 'link.xml'));
    const r = await xfed(['diagnose', LOG_ERROR, '-o', `json=${report}`, '-o', `junit=${join(d, 'link.xml')}`]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(JSON.parse(readFileSync(report, 'utf8')).command, 'diagnose');
    assert.equal(statSync(report).mode & 0o777, 0o600);
    assert.match(readFileSync(target, 'utf8'), /^<\?xml/);
    assert.ok(statSync(join(d, 'link.xml')).isFile() && readdirSync(d).includes('link.xml'));
    assert.deepEqual(readdirSync(d).sort(), ['link.xml', 'real.xml', 'report.json']);
  });

  test('a device is written in place, never replaced: /dev/null works, /dev/full is exit 3 after the run', { skip: existsSync('/dev/full') ? undefined : 'no /dev/full' }, async () => {
    let r = await xfed(['diagnose', LOG_ERROR, '-o', 'json=/dev/null']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    r = await xfed(['diagnose', LOG_ERROR, '-o', 'json=/dev/full', '-o', `junit=${join(sub('device'), 'r.xml')}`]);
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'xfed: cannot write --output /dev/full: ENOSPC\n');
    assert.match(r.stdout, /^diagnose: 1 target, 1 error/m, 'the report still reaches stdout');
    assert.match(readFileSync(join(dir, 'device', 'r.xml'), 'utf8'), /^<\?xml/, 'the other files are written');
    assert.ok(statSync('/dev/full').isCharacterDevice() && statSync('/dev/null').isCharacterDevice());
    assert.ok(!readdirSync('/dev').some((f) => f.endsWith('.xfed-tmp')));
  });

  test('an output that is one of the run\'s inputs is refused before anything runs (exit 2), the input untouched', async () => {
    const d = sub('refuse');
    const log = join(d, 'expe.log');
    writeFileSync(log, readFileSync(LOG_ERROR));
    const before = readFileSync(log, 'utf8');
    const list = join(d, 'domains.txt');
    writeFileSync(list, 'good.example\n');
    const rules = join(d, 'rules.yaml');
    writeFileSync(rules, 'rules: []\n');
    const secret = join(d, 'secret');
    writeFileSync(secret, 'abc-secret\n');
    const cfg = join(d, 'xfed.yaml');
    writeFileSync(cfg, `logs: ["${log}"]\n`);
    linkSync(log, join(d, 'hardlink.log'));
    symlinkSync(log, join(d, 'symlink.log'));
    const cases: Array<[string[], string]> = [
      [['diagnose', log, '-o', `json=${log}`], `the input ${log}`],
      [['diagnose', log, '-o', log], `the input ${log}`],
      [['diagnose', log, '-o', `junit=${join(d, 'hardlink.log')}`], `the input ${log}`],
      [['diagnose', log, '-o', `human=${join(d, 'symlink.log')}`], `the input ${log}`],
      [['diagnose', LOG_OK, '--rules', rules, '-o', `json=${rules}`], `--rules ${rules}`],
      [['doctor', '-c', cfg, '-o', `json=${cfg}`], `--config ${cfg}`],
      [['doctor', '-c', cfg, '--output', `human=${log}`], `logs: ${log}`],
      [['check-dns', '--file', list, '--resolver', '127.0.0.1:9', '-o', `json=${list}`], `--file ${list}`],
      [['probe', '--file', list, '-o', `json=${list}`], `--file ${list}`],
      [['rules', '--rules', rules, '-o', `json=${rules}`], `--rules ${rules}`],
      [['dialback', 'key', '--from', 'a.example', '--to', 'b.example', '--stream-id', 'x', '--secret-file', secret, '-o', `json=${secret}`], `--secret-file ${secret}`],
      [['axl-verify', '--server', '127.0.0.1:9', '--user', 'u', '--password-file', secret, '-o', `json=${secret}`], `--password-file ${secret}`],
    ];
    for (const [args, what] of cases) {
      const r = await xfed(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      const out = args[args.length - 1]!.replace(/^[a-z]+=/, '');
      assert.equal(r.stderr, `xfed: --output ${out} is also ${what}: refused (the report would overwrite it)\n`);
    }
    assert.equal(readFileSync(log, 'utf8'), before);
    assert.equal(readFileSync(cfg, 'utf8'), `logs: ["${log}"]\n`);
    assert.equal(readFileSync(list, 'utf8'), 'good.example\n');
    assert.equal(readFileSync(rules, 'utf8'), 'rules: []\n');
    assert.equal(readFileSync(secret, 'utf8'), 'abc-secret\n');
  });

  test('an output given twice, in a missing directory, or that is a directory: exit 2 before the run', async () => {
    const d = sub('bad');
    const f = join(d, 'r.json');
    let r = await xfed(['diagnose', LOG_ERROR, '-o', `json=${f}`, '-o', `junit=${f}`]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `xfed: --output ${f} is given twice\n`);
    r = await xfed(['diagnose', LOG_ERROR, '-o', `json=${join(d, 'nope', 'r.json')}`]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `xfed: cannot write --output ${join(d, 'nope', 'r.json')}: ENOENT\n`);
    r = await xfed(['diagnose', LOG_ERROR, '-o', `json=${d}`]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `xfed: cannot write --output ${d}: EISDIR\n`);
    r = await xfed(['diagnose', LOG_ERROR, '-o', 'yaml=r.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^xfed: --output yaml=r\.yaml: unknown format "yaml" \(use human, json, junit, github, html\)\n$/);
    r = await xfed(['init', join(d, 'x.yaml'), '-o', `json=${f}`]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'xfed: init writes a config file, not a report: --format, --json and --output do not apply\n');
    r = await xfed(['diagnose', LOG_ERROR, '--format', 'xml']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.deepEqual(readdirSync(d), []);
  });
});

describe('the envelope of rules and dialback key', { concurrency: true }, () => {
  test('dialback key: the key on stdout in human form only; every other format and file has it redacted', async () => {
    const d = sub('key');
    const secret = join(d, 'secret');
    writeFileSync(secret, 's3cr3tf0rd14lb4ck');
    const key = 'b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3';
    const args = ['dialback', 'key', '--from', 'capulet.example', '--to', 'montague.example', '--stream-id', 'D60000229F', '--secret-file', secret];
    const files = ['json=k.json', 'junit=k.xml', 'github=k.txt', 'human=h.txt'].map((x) => x.replace('=', `=${d}/`));
    const r = await xfed([...args, ...files.flatMap((f) => ['-o', f])]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${key}\n`);
    const j = await xfed([...args, '--json']);
    const doc = JSON.parse(j.stdout);
    assert.equal(doc.command, 'dialback key');
    assert.deepEqual(doc.targets[0].data, { dialback: { from: 'capulet.example', to: 'montague.example', streamId: 'D60000229F', algorithm: 'xep-0185', key: '[redacted]' } });
    assert.deepEqual(doc.options, { from: 'capulet.example', to: 'montague.example', streamId: 'D60000229F', secret: 'file' });
    for (const f of ['k.json', 'k.xml', 'k.txt']) {
      const text = readFileSync(join(d, f), 'utf8');
      assert.ok(!text.includes(key) && !text.includes('s3cr3tf0rd14lb4ck'), f);
    }
    assert.equal(readFileSync(join(d, 'h.txt'), 'utf8'), `${key}\n`);
    for (const format of ['junit', 'github']) {
      const o = await xfed([...args, '--format', format]);
      assert.equal(o.code, 0);
      assert.ok(!o.stdout.includes(key), format);
    }
  });

  test('rules: one target per rule, the rule under data.rule, unchanged; rules show: the rule under data.explain', async () => {
    const { BUILTIN_RULES } = await import('../../src/diagnose/index.js');
    const r = await xfed(['rules', '--json']);
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.command, 'rules');
    assert.deepEqual(doc.targets.map((t: { data: { rule: unknown } }) => t.data.rule), JSON.parse(JSON.stringify(BUILTIN_RULES)));
    assert.deepEqual(doc.targets.map((t: { target: string }) => t.target), BUILTIN_RULES.map((x) => x.id));
    assert.deepEqual(doc.summary, { targets: BUILTIN_RULES.length, errors: 0, warnings: 0, info: 0 });
    const show = JSON.parse((await xfed(['rules', 'show', 'dialback.timeout', '--format', 'json'])).stdout);
    assert.equal(show.command, 'rules show');
    assert.deepEqual(show.targets.map((t: { data: { explain: { kind: string; rule: { id: string } } } }) => [t.data.explain.kind, t.data.explain.rule.id]), [['rule', 'diagnose.dialback.timeout']]);
    const junit = await xfed(['rules', '--format', 'junit']);
    assert.equal(junit.code, 0);
    assert.match(junit.stdout, new RegExp(`<testsuite name="xfed\\.rules" tests="${BUILTIN_RULES.length}" failures="0"`));
  });
});
