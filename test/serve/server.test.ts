/**
 * `xfed serve` over real HTTP on loopback, against real s2s peers (xfed's in-process server),
 * the AXL emulator and the check-dns unbound: what /probe answers for each module, bad requests
 * (400 with one line, and the exporter keeps serving), 429 over the bound, the scrape timeout,
 * /metrics, basic auth and TLS, secrets never in an answer, and `promtool check metrics`.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { loadConfig } from '../../src/doctor/config.js';
import { resolveServe, type ServeSetup } from '../../src/serve/setup.js';
import { startExporter, type Exporter } from '../../src/serve/server.js';
import { loadWebConfig } from '../../src/serve/web-config.js';
import { startS2sServer } from '../../src/xmpp/server.js';
import { hasBinary } from '../helpers/servers.js';
import { startExampleDns } from '../dns/dns-server.js';
import { makeLeaf } from '../lab/certs.js';
import { AXL_PASSWORD, DIALBACK_SECRET, startServeLab, type ServeLab } from './fixture.js';

let lab: ServeLab;
let setup: ServeSetup;
let exp: Exporter;
const logs: string[] = [];

before(async () => {
  lab = await startServeLab();
  const dns = await startExampleDns();
  const cfgFile = join(lab.dir, 'xfed-dns.yaml');
  // The same config plus the check-dns unbound as resolver (for the dns module).
  writeFileSync(cfgFile, `${(await import('node:fs')).readFileSync(lab.config, 'utf8')}dns:\n  resolvers: ["${dns.resolver}"]\n`);
  setup = await resolveServe(await loadConfig(cfgFile, { requireChecks: false }), {});
  exp = await startExporter({ setup, host: '127.0.0.1', port: 0, log: (l) => logs.push(l) });
});
after(async () => {
  await exp?.close(100);
  await lab?.close();
});

async function get(path: string, headers: Record<string, string> = {}, base = exp.url) {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
}

const sample = (body: string, name: string) => body.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
const findings = (body: string) =>
  body
    .split('\n')
    .filter((l) => l.startsWith('xfed_findings{'))
    .map((l) => /id="([^"]+)",severity="([^"]+)"/.exec(l)!.slice(1).join(':'))
    .sort();

describe('/probe', () => {
  it('dialback module against the healthy peer: success, dialback valid, certificate date, phases', async () => {
    const r = await get('/probe?target=good.test&module=good_dialback');
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/plain; version=0\.0\.4/);
    assert.equal(sample(r.body, 'xfed_up'), 'xfed_up 1');
    assert.equal(sample(r.body, 'xfed_check_success'), 'xfed_check_success 1');
    assert.match(r.body, /^xfed_dialback_result\{result="valid"\} 1$/m);
    assert.deepEqual(findings(r.body), ['probe.dialback.valid:info']);
    const notAfter = Number(sample(r.body, 'xfed_cert_not_after_timestamp_seconds')!.split(' ')[1]);
    assert.ok(notAfter * 1000 > Date.now() + 300 * 86_400_000, 'the lab certificate is valid for a year');
    for (const p of ['tcp', 'stream', 'tls', 'dialback', 'total']) assert.match(r.body, new RegExp(`^xfed_phase_duration_seconds\\{phase="${p}"\\} [0-9.e-]+$`, 'm'), p);
  });

  it('dialback module against the broken peer: failure, dialback invalid', async () => {
    const r = await get('/probe?target=broken.test&module=broken_dialback');
    assert.equal(sample(r.body, 'xfed_up'), 'xfed_up 1');
    assert.equal(sample(r.body, 'xfed_check_success'), 'xfed_check_success 0');
    assert.match(r.body, /^xfed_dialback_result\{result="invalid"\} 1$/m);
    assert.deepEqual(findings(r.body), ['probe.dialback.invalid:error']);
  });

  it('dns module: SRV targets of a healthy domain, dns.srv.missing for one without', async () => {
    const good = await get('/probe?target=good.example&module=dns');
    assert.equal(sample(good.body, 'xfed_check_success'), 'xfed_check_success 1');
    assert.equal(sample(good.body, 'xfed_dns_srv_targets'), 'xfed_dns_srv_targets 2');
    const none = await get('/probe?target=nosrv.example&module=dns');
    assert.equal(sample(none.body, 'xfed_dns_srv_targets'), 'xfed_dns_srv_targets 0');
    // A warning (the domain's own address is the fallback): not a failed check, but the alert's series is there.
    assert.equal(sample(none.body, 'xfed_check_success'), 'xfed_check_success 1');
    assert.deepEqual(findings(none.body), ['dns.dnssec.resolver-not-validating:info', 'dns.srv.missing:warning']);
  });

  it('axl module: the configured server only; a wrong password is axl.auth.failed, never shown', async () => {
    const ok = await get(`/probe?target=${encodeURIComponent(lab.axlServer)}&module=axl`);
    assert.equal(ok.status, 200);
    assert.equal(sample(ok.body, 'xfed_up'), 'xfed_up 1');
    assert.ok(!findings(ok.body).includes('axl.auth.failed:error'), ok.body);
    const elsewhere = await get('/probe?target=attacker.example:8443&module=axl');
    assert.deepEqual([elsewhere.status, elsewhere.body], [400, 'target is not the configured AXL server (axl.server)\n']);
    const wrongSetup = await resolveServe(await loadConfig(lab.wrongAxlConfig, { requireChecks: false }), {});
    const wrong = await startExporter({ setup: wrongSetup, host: '127.0.0.1', port: 0, log: (l) => logs.push(l) });
    try {
      const r = await get(`/probe?target=${encodeURIComponent(lab.axlServer)}&module=axl`, {}, wrong.url);
      assert.equal(sample(r.body, 'xfed_check_success'), 'xfed_check_success 0');
      assert.deepEqual(findings(r.body), ['axl.auth.failed:error']);
      assert.ok(!r.body.includes(AXL_PASSWORD.slice(5)) && !r.body.includes(`not-${AXL_PASSWORD}`));
    } finally {
      await wrong.close(100);
    }
  });

  it('bad requests get 400 with one line, and the exporter keeps serving', async () => {
    const count400 = async () => Number(/^xfed_exporter_requests_total\{path="\/probe",code="400"\} (\d+)$/m.exec((await get('/metrics')).body)?.[1] ?? 0);
    const before400 = await count400();
    const cases: Array<[string, string]> = [
      ['/probe', 'target parameter is missing'],
      ['/probe?module=dns', 'target parameter is missing'],
      ['/probe?target=a.example&target=b.example', 'target parameter given more than once'],
      ['/probe?target=good.test&module=nope', 'unknown module "nope" (modules: dns, probe, dialback, axl, good_dialback, broken_dialback, slow_dialback, good_probe)'],
      ['/probe?target=good.test&module=%3Cscript%3E', 'unknown module (modules: dns, probe, dialback, axl, good_dialback, broken_dialback, slow_dialback, good_probe)'],
      ['/probe?target=not_a%20domain&module=probe', 'target is not a domain: '],
      ['/probe?target=localhost&module=dns', 'target is not a domain: '],
      ['/probe?target=127.0.0.1&module=probe', 'target is not a domain: '],
      [`/probe?target=${'a'.repeat(10_000)}.example`, 'request target longer than 2048 characters'],
      [`/probe?target=good.test&pad=${'x'.repeat(10_240)}`, 'request target longer than 2048 characters'],
    ];
    for (const [path, reason] of cases) {
      const r = await get(path);
      assert.equal(r.status, 400, path.slice(0, 80));
      assert.ok(r.body.startsWith(reason), `${path.slice(0, 80)}: ${r.body}`);
      assert.equal(r.body.split('\n').length, 2, 'one line');
    }
    assert.equal((await get('/-/healthy')).status, 200);
    assert.equal((await get('/nowhere')).status, 404);
    assert.equal((await fetch(`${exp.url}/probe?target=good.test`, { method: 'POST' })).status, 405);
    assert.equal(await count400(), before400 + cases.length);
  });

  it('over the bound: 429, counted; the scrape timeout cuts a stalled check', async () => {
    const stall = await startS2sServer({ domains: ['stall.test'], misbehave: 'stall' });
    const s = await resolveServe(await loadConfig(lab.config, { requireChecks: false }), {});
    s.modules.set('stall', { name: 'stall', check: 'probe', host: '127.0.0.1', port: stall.port });
    const small = await startExporter({ setup: s, host: '127.0.0.1', port: 0, maxConcurrent: 1, log: () => undefined });
    try {
      const t0 = Date.now();
      const first = get('/probe?target=stall.test&module=stall', { 'X-Prometheus-Scrape-Timeout-Seconds': '1.5' }, small.url);
      await new Promise((r) => setTimeout(r, 100));
      const second = await get('/probe?target=good.test&module=good_probe', {}, small.url);
      assert.deepEqual([second.status, second.body], [429, 'too many checks in flight (1); retry later\n']);
      const r = await first;
      const ms = Date.now() - t0;
      assert.ok(ms < 1500, `answered within the scrape timeout (${ms} ms)`);
      assert.equal(sample(r.body, 'xfed_check_success'), 'xfed_check_success 0');
      assert.deepEqual(findings(r.body), ['probe.deadline.exceeded:error']);
      const m = await get('/metrics', {}, small.url);
      assert.match(m.body, /^xfed_exporter_checks_rejected_total 1$/m);
      assert.match(m.body, /^xfed_exporter_requests_total\{path="\/probe",code="429"\} 1$/m);
    } finally {
      await small.close(100);
      await stall.close();
    }
  });

  it('no secret in any answer, error body, metric or log line', async () => {
    const bodies = [
      (await get(`/probe?target=good.test&module=${DIALBACK_SECRET}`)).body,
      (await get(`/probe?target=${DIALBACK_SECRET}.example&module=good_dialback`)).body,
      (await get('/probe?target=good.test&module=good_dialback')).body,
      (await get('/probe?target=broken.test&module=broken_dialback')).body,
      (await get(`/probe?target=${encodeURIComponent(lab.axlServer)}&module=axl`)).body,
      (await get('/metrics')).body,
      (await get('/')).body,
    ];
    for (const b of [...bodies, ...logs]) {
      assert.ok(!b.includes(DIALBACK_SECRET), b);
      assert.ok(!b.includes(AXL_PASSWORD), b);
    }
  });

  it('the exposition and /metrics pass promtool check metrics', { skip: hasBinary('promtool') ? false : 'promtool is not installed (bash scripts/setup.sh)' }, async () => {
    for (const path of ['/probe?target=good.test&module=good_dialback', '/probe?target=broken.test&module=broken_dialback', '/probe?target=good.example&module=dns', '/metrics']) {
      const body = (await get(path)).body;
      const r = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
      assert.equal(r.status, 0, `${path}: ${r.stdout}${r.stderr}`);
    }
  });
});

describe('the listener: basic auth and TLS (exporter-toolkit web config)', () => {
  it('refuses without credentials, serves with them, over HTTPS', async () => {
    const cert = makeLeaf({ cn: '127.0.0.1', dns: ['localhost'] });
    writeFileSync(join(lab.dir, 'web.crt'), cert.cert);
    writeFileSync(join(lab.dir, 'web.key'), cert.key);
    writeFileSync(join(lab.dir, 'web.yml'), `tls_server_config:\n  cert_file: web.crt\n  key_file: web.key\nbasic_auth_users:\n  prom: ${bcrypt.hashSync('scrape-pw', 4)}\n`);
    const web = await loadWebConfig(join(lab.dir, 'web.yml'));
    const tlsExp = await startExporter({ setup, host: '127.0.0.1', port: 0, web, log: () => undefined });
    const req = (auth?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const r = httpsRequest(`${tlsExp.url}/-/healthy`, { ca: cert.cert, servername: 'localhost', headers: auth ? { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {} }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        r.on('error', reject);
        r.end();
      });
    try {
      assert.ok(tlsExp.url.startsWith('https://'));
      assert.equal((await req()).status, 401);
      assert.equal((await req('prom:wrong')).status, 401);
      assert.equal((await req('nobody:scrape-pw')).status, 401);
      assert.deepEqual(await req('prom:scrape-pw'), { status: 200, body: 'Healthy\n' });
      assert.deepEqual(await req('prom:scrape-pw'), { status: 200, body: 'Healthy\n' }, 'cached');
    } finally {
      await tlsExp.close(100);
    }
  });

  it('refuses a plain password or an unknown key in the web config (exit 2 wording)', async () => {
    writeFileSync(join(lab.dir, 'web-bad.yml'), 'basic_auth_users:\n  prom: hunter2\n');
    await assert.rejects(loadWebConfig(join(lab.dir, 'web-bad.yml')), (e: Error) => /basic_auth_users\.prom: not a bcrypt hash/.test(e.message) && !e.message.includes('hunter2'));
    writeFileSync(join(lab.dir, 'web-bad2.yml'), 'http_server_config:\n  http2: false\n');
    await assert.rejects(loadWebConfig(join(lab.dir, 'web-bad2.yml')), /http_server_config: not supported by xfed serve/);
  });
});

describe('xfed serve (the command)', () => {
  const bin = join(process.cwd(), 'bin', 'xfed.js');

  it('refuses a non-loopback address without --allow-remote, and a bad --listen (exit 2, one line)', () => {
    const r = spawnSync(process.execPath, [bin, 'serve', '--listen', '0.0.0.0:0'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^xfed: --listen 0\.0\.0\.0: not a loopback address; .* add --allow-remote/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    const bad = spawnSync(process.execPath, [bin, 'serve', '--listen', 'nonsense'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'xfed: --listen: "nonsense" is not host:port (e.g. 127.0.0.1:9469 or [::1]:9469)\n');
  });

  it('serves, then SIGTERM closes the listener and exits 0', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'serve', '--listen', '127.0.0.1:0', '--config', lab.config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no listening line: ${err}`)), 10_000);
      child.stderr.on('data', (d) => {
        err += d;
        const m = /listening on (http:\/\/[^ ]+)/.exec(err);
        if (m) (clearTimeout(t), resolve(m[1]!));
      });
    });
    assert.match(err, /modules: dns, probe, dialback, axl, good_dialback, broken_dialback, slow_dialback, good_probe\)/);
    assert.equal((await get('/-/healthy', {}, url)).status, 200);
    const t0 = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 3000);
    assert.match(err, /SIGTERM: closing the listener/);
    await assert.rejects(fetch(`${url}/-/healthy`));
    assert.ok(!err.includes(DIALBACK_SECRET));
    void execFileSync;
  });
});
