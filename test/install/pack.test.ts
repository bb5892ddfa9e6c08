// @needs-servers — not a server test, but slow (npm pack + npm install): left out of --unit.
/**
 * The install path users take: `npm pack` of this checkout, the tarball installed into an
 * empty prefix as `npm install -g` would, and the installed `xfed` run from another directory
 * (the demo, and real commands); and `npm install git+file://<this checkout>`, which runs the
 * `prepare` build (the README's CI recipes install from a git URL). Also what the production install holds: xfed alone
 * (scripts/bundle.mjs bundles its dependencies into dist/bundle/), at most 8 MB, no source maps.
 */
import { strict as assert } from 'node:assert';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../helpers/servers.js';

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'xfed-install-'));
const prefix = join(tmp, 'prefix');
const elsewhere = mkdtempSync(join(tmp, 'cwd-'));
const modules = join(prefix, 'node_modules');
after(() => rmSync(tmp, { recursive: true, force: true }));

const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

/** Runs the installed bin from a directory that holds no xfed file. */
function installed(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(modules, '.bin', 'xfed'), args, { cwd: elsewhere, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function bytesUnder(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += bytesUnder(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

function filesUnder(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p, suffix));
    else if (e.name.endsWith(suffix)) out.push(p);
  }
  return out;
}

describe('npm pack, installed into an empty prefix', { timeout: 300_000 }, () => {
  let tarball = '';
  before(async () => {
    // dist/ is built (the tests run from it): pack it as is, without running `prepare` again.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT, env: npmEnv, maxBuffer: 64 << 20 });
    tarball = join(tmp, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);
    const args = ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', tarball];
    // Offline first (the npm cache holds every dependency after `npm ci`); else the cache, then the registry.
    await run('npm', [...args.slice(0, 1), '--offline', ...args.slice(1)], { cwd: tmp, env: npmEnv }).catch(() =>
      run('npm', [...args.slice(0, 1), '--prefer-offline', ...args.slice(1)], { cwd: tmp, env: npmEnv }),
    );
  });

  it('ships the build and no source map pointing at an unshipped src/', () => {
    const pkg = join(modules, 'xfed');
    assert.ok(existsSync(join(pkg, 'dist', 'bundle', 'main.js')));
    // The bundle is what runs: tsc's per-file output and the TypeScript sources stay out.
    assert.equal(existsSync(join(pkg, 'dist', 'src')), false);
    assert.equal(existsSync(join(pkg, 'src')), false);
    // The ASN.1 libraries identity.ts requires on first use, bundled apart (scripts/bundle.mjs).
    const asn1 = createRequire(join(pkg, 'dist', 'bundle', 'main.js'))('./asn1.cjs') as Record<string, Record<string, unknown>>;
    assert.equal(typeof asn1['@peculiar/asn1-schema']?.AsnConvert, 'function');
    assert.equal(typeof asn1['@peculiar/asn1-x509']?.Certificate, 'function');
    // The licences of the bundled packages ship with it.
    assert.match(readFileSync(join(pkg, 'dist', 'THIRD-PARTY-NOTICES.txt'), 'utf8'), /^ {2}commander@\S+ {2}MIT$/m);
    assert.deepEqual(filesUnder(pkg, '.map'), []);
  });

  it('installs xfed alone (its dependencies are bundled), well under 8 MB', () => {
    const names = readdirSync(modules).flatMap((n) => (n.startsWith('@') ? readdirSync(join(modules, n)).map((m) => `${n}/${m}`) : [n]));
    assert.deepEqual(names.filter((n) => !n.startsWith('.')), ['xfed']);
    // 20 MB and 66 packages before issue 13, 8.5 MB and 54 packages before the bundle.
    const mb = bytesUnder(modules) / 1e6;
    assert.ok(mb <= 8, `production install is ${mb.toFixed(2)} MB`);
  });

  it('runs the demo from another directory (exit 1: the demo is broken on purpose)', async () => {
    const r = await installed(['--json', 'doctor', '--demo']);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { tool: string; command: string; exitCode: number; targets: unknown[] };
    assert.deepEqual([doc.tool, doc.command, doc.exitCode], ['xfed', 'doctor', 1]);
    assert.ok(doc.targets.length > 0);
  });

  it('runs real commands: explain, and check-dns against a resolver that does not answer', async () => {
    const explain = await installed(['explain', 'dns.srv.missing']);
    assert.equal(explain.code, 0, explain.stderr);
    assert.match(explain.stdout, /^dns\.srv\.missing\s+ERROR/);
    const dns = await installed(['--json', 'check-dns', '--resolver', '127.0.0.1:9', 'x.example', '--timeout', '300']);
    assert.equal(dns.code, 1, dns.stderr);
    assert.equal((JSON.parse(dns.stdout) as { exitCode: number }).exitCode, 1);
    const version = await installed(['--version']);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });

  it('runs the HTML report, completion and serve from the bundle', async () => {
    const html = await installed(['--format', 'html', 'doctor', '--demo']);
    assert.equal(html.code, 1, html.stderr);
    assert.match(html.stdout, /^<!doctype html>/i);
    assert.match(html.stdout, /globex\.example/);
    const completion = await installed(['completion', 'bash']);
    assert.equal(completion.code, 0, completion.stderr);
    assert.match(completion.stdout, /^complete .*-F _xfed xfed$/m);
    // serve: listens on a free loopback port, answers /metrics and /-/healthy, stops on SIGTERM (exit 0).
    const child = spawn(join(modules, '.bin', 'xfed'), ['serve', '--listen', '127.0.0.1:0'], { cwd: elsewhere, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (d) => {
          err += d;
          const m = /listening on (http:\/\/\S+?)[\s(]/.exec(err);
          if (m) resolve(m[1]!.replace(/\/$/, ''));
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
      });
      const healthy = await fetch(`${url}/-/healthy`);
      assert.equal(healthy.status, 200);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /^# (HELP|TYPE) xfed_/m);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });

  it('runs every other command from the bundle: probe, axl-verify, diagnose, report, dialback, init', async () => {
    const ids = (r: { stdout: string }) => (JSON.parse(r.stdout) as { targets: Array<{ findings: Array<{ id: string }> }> }).targets.flatMap((t) => t.findings.map((f) => f.id));
    const probe = await installed(['--json', 'probe', 'x.example', '--host', '127.0.0.1', '--port', '9', '--timeout', '300']);
    assert.equal(probe.code, 1, probe.stderr);
    assert.deepEqual(ids(probe), ['probe.tcp.refused']);
    const axl = await installed(['--json', 'axl-verify', '--server', '127.0.0.1:9', '--user', 'u', '--timeout', '300'], { XFED_AXL_PASSWORD: 'x' });
    assert.equal(axl.code, 1, axl.stderr);
    assert.deepEqual(ids(axl), ['axl.unreachable']);
    const logs = join(modules, 'xfed', 'fixtures', 'doctor', 'demo-logs');
    const diagnose = await installed(['--json', 'diagnose', logs]);
    assert.ok(diagnose.code === 0 || diagnose.code === 1, diagnose.stderr);
    assert.equal((JSON.parse(diagnose.stdout) as { command: string }).command, 'diagnose');
    const saved = join(tmp, 'diagnose.json');
    writeFileSync(saved, diagnose.stdout);
    const report = await installed(['report', saved, '--html', '-']);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /^<!doctype html>/i);
    const key = await installed(['dialback', 'key', '--originating', 'a.example', '--receiving', 'b.example', '--stream-id', 'abc'], { XFED_DIALBACK_SECRET: 's3cret' });
    assert.equal(key.code, 0, key.stderr);
    assert.match(key.stdout, /^[0-9a-f]{64}\n$/);
    const init = await installed(['init', '-']);
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /^# xfed doctor configuration/);
  });

  it('runs with npx (npm exec) from the tarball', async () => {
    const { stdout } = await run('npm', ['exec', '--yes', '--prefer-offline', '--package', tarball, '--', 'xfed', 'explain', 'dns.srv.missing'], { cwd: elsewhere, env: npmEnv });
    assert.match(stdout, /^dns\.srv\.missing\s+ERROR/);
  });
});

describe('npm install from a git URL builds through `prepare`', { timeout: 300_000 }, () => {
  it('installs the committed HEAD of this checkout and runs it', async (t) => {
    const head = await run('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).catch(() => undefined);
    if (!head) return t.skip('not a git checkout');
    const gitPrefix = join(tmp, 'git-prefix');
    const args = ['install', '--prefix', gitPrefix, '--no-audit', '--no-fund', '--no-save', `git+file://${ROOT.replace(/\/$/, '')}#${head.stdout.trim()}`];
    await run('npm', [...args.slice(0, 1), '--offline', ...args.slice(1)], { cwd: tmp, env: npmEnv }).catch(() =>
      run('npm', [...args.slice(0, 1), '--prefer-offline', ...args.slice(1)], { cwd: tmp, env: npmEnv }),
    );
    const bin = join(gitPrefix, 'node_modules', '.bin', 'xfed');
    const { stdout } = await run(bin, ['explain', 'dns.srv.missing'], { cwd: elsewhere });
    assert.match(stdout, /^dns\.srv\.missing\s+ERROR/);
    assert.deepEqual(filesUnder(join(gitPrefix, 'node_modules', 'xfed'), '.map'), []);
  });
});
