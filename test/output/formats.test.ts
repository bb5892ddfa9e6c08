// @needs-servers: starts Debian servers (unbound, Prosody, ejabberd); `npm run test:unit` leaves this file out.
/**
 * Every check command in every format (issue 9: `--format junit|github` and `-o json=… -o
 * junit=…` for check-dns, probe, axl-verify and diagnose): each against a real server with
 * error findings, each format checked against the same run's JSON.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkJunitShape } from '../doctor/junit-shape.js';
import { json, xfed } from '../helpers/cli.js';
import { XFED_BIN } from '../helpers/servers.js';
import { AXL_PASSWORD, commandLines, skipServers, startServers, type Servers } from './setup.js';

let s: Servers;
before(async () => {
  if (!skipServers) s = await startServers();
});
after(async () => {
  await s?.stop();
});

interface Doc {
  command: string;
  exitCode: number;
  targets: Array<{ target: string; display?: string; findings: Array<{ id: string; severity: string }> }>;
}

/** `severity id` of every finding that is not info, sorted. */
const problems = (doc: Doc) =>
  doc.targets
    .flatMap((t) => t.findings.filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.id}`))
    .sort();

/** The same set read back from GitHub annotations (`::error title=xfed dns x.example%3A dns.srv.missing::…`). */
function annotated(stdout: string): string[] {
  const out: string[] = [];
  for (const line of stdout.trimEnd().split('\n')) {
    const m = /^::(error|warning|notice) title=([^:]*)::/.exec(line);
    assert.ok(m, `not a workflow command: ${line}`);
    if (m[1] !== 'notice') out.push(`${m[1]} ${m[2]!.split('%3A ').at(-1)}`);
  }
  return out.sort();
}

describe('every check in every format', { skip: skipServers, concurrency: true }, () => {
  for (const i of [0, 1, 2, 3]) {
    const name = ['check-dns', 'probe', 'axl-verify', 'diagnose'][i]!;
    test(`${name}: --json and --format json, junit, github, human; -o json= -o junit= -o github= -o human=`, async () => {
      const c = commandLines(s)[i]!;
      const ref = await xfed([...c.args, '--json'], { env: c.env });
      assert.equal(ref.code, 1, ref.stderr);
      const doc = json<Doc>(ref);
      assert.equal(doc.command, c.command);
      assert.equal(doc.exitCode, 1);
      assert.ok(problems(doc).some((p) => p.startsWith('error ')), 'the run has error findings');

      const fj = await xfed([...c.args, '--format', 'json'], { env: c.env });
      assert.equal(fj.code, 1);
      assert.deepEqual(problems(json<Doc>(fj)), problems(doc));

      const junit = await xfed([...c.args, '--format', 'junit'], { env: c.env });
      assert.equal(junit.code, 1, junit.stderr);
      const root = checkJunitShape(junit.stdout);
      assert.deepEqual(root.testsuite.map((x: { name: string }) => x.name), [`xfed.${c.check}`]);
      assert.equal(Number(root.tests), doc.targets.length);
      const failing = doc.targets.filter((t) => t.findings.some((f) => f.severity === 'error'));
      assert.equal(Number(root.failures), failing.length);
      const types = root.testsuite[0].testcase.flatMap((tc: { failure?: Array<{ type: string }> }) => (tc.failure ?? []).map((f) => f.type)).sort();
      assert.deepEqual(types, failing.map((t) => t.findings.find((f) => f.severity === 'error')!.id).sort());

      const gh = await xfed([...c.args, '--format', 'github'], { env: c.env });
      assert.equal(gh.code, 1, gh.stderr);
      assert.deepEqual(annotated(gh.stdout), problems(doc));
      assert.match(gh.stdout.trimEnd().split('\n').at(-1)!, new RegExp(`^::notice title=xfed ${c.command}::${doc.targets.length} targets?, `));

      const dir = join(s.dir, `files-${name}`);
      const files = { json: join(dir, 'a.json'), junit: join(dir, 'b.xml'), github: join(dir, 'c.txt'), human: join(dir, 'd.txt') };
      mkdirSync(dir, { recursive: true });
      const both = await xfed([...c.args, '-o', `json=${files.json}`, '--output', `junit=${files.junit}`, '-o', `github=${files.github}`, '-o', `human=${files.human}`], { env: c.env });
      assert.equal(both.code, 1, both.stderr);
      assert.equal(both.stderr, '');
      // stdout keeps the human report; the files hold the same run in their formats.
      assert.match(both.stdout, new RegExp(`^${c.command}: \\d+ targets?, `, 'm'));
      const fileDoc = JSON.parse(readFileSync(files.json, 'utf8')) as Doc;
      assert.deepEqual(problems(fileDoc), problems(doc));
      assert.equal(Number(checkJunitShape(readFileSync(files.junit, 'utf8')).failures), failing.length);
      assert.deepEqual(annotated(readFileSync(files.github, 'utf8')), problems(doc));
      const human = readFileSync(files.human, 'utf8');
      assert.match(human, new RegExp(`^${c.command}: \\d+ targets?, `, 'm'));
      assert.doesNotMatch(human, /\x1b\[/, 'no colours in files');
      assert.deepEqual(readdirSync(dir).sort(), ['a.json', 'b.xml', 'c.txt', 'd.txt'], 'no temporary file left');
      for (const text of [ref.stdout, junit.stdout, gh.stdout, both.stdout, human, readFileSync(files.json, 'utf8')]) assert.ok(!text.includes(AXL_PASSWORD) && !text.includes('wrong-password'));
    });
  }

  test('a human report file has the command\'s facts even when stdout gets JSON', async () => {
    const c = commandLines(s)[1]!;
    const f = join(s.dir, 'probe-human.txt');
    const r = await xfed([...c.args, '--json', '-o', `human=${f}`], { env: c.env });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(json<Doc>(r).command, 'probe');
    const text = readFileSync(f, 'utf8');
    assert.match(text, /^\s+dialback\s+invalid /m);
    assert.match(text, /^\s+certificate\s+/m);
  });

  test('every check behind a reader that left (`| head -1`): exit 1 as its findings decide, nothing on stderr', async () => {
    for (const c of commandLines(s)) {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [XFED_BIN, ...c.args, '--verbose'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...c.env } });
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      assert.deepEqual(r, { code: 1, stderr: '' }, c.command);
    }
  });
});
