/**
 * A real Prometheus (Debian package) scraping a real `xfed serve` process with a scrape config
 * derived from the shipped deploy/prometheus/prometheus.yml (its relabelling and alert rules,
 * our targets and a 1 s interval), against a healthy and a broken s2s peer. The test asks
 * Prometheus's HTTP API for xfed_check_success and the dialback result, and whether the shipped
 * dialback alert is pending for the broken peer only. Also: promtool check config/rules and the
 * rule unit tests on deploy/prometheus as shipped.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { hasBinary, LAB, registerStop, ROOT, sleep, XFED_BIN } from '../helpers/servers.js';
import { startServeLab, type ServeLab } from './fixture.js';

const DEPLOY = join(ROOT, 'deploy', 'prometheus');
const missing = !hasBinary('prometheus') || !hasBinary('promtool') ? 'prometheus/promtool are not installed (bash scripts/setup.sh)' : false;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The shipped config with our exporter, targets and a fast schedule. */
export function derivedConfig(exporter: string, jobs: Array<{ name: string; module: string; target: string }>): string {
  const shipped = parse(readFileSync(join(DEPLOY, 'prometheus.yml'), 'utf8')) as any;
  const template = shipped.scrape_configs.find((j: any) => j.job_name === 'xfed_dialback');
  const relabel = template.relabel_configs.map((r: any) => (r.target_label === '__address__' ? { ...r, replacement: exporter } : r));
  assert.equal(relabel.filter((r: any) => r.replacement === exporter).length, 1, 'the shipped relabelling sends the scrape to the exporter');
  const cfg = {
    global: { ...shipped.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: shipped.rule_files.map((f: string) => join(DEPLOY, f)),
    scrape_configs: [
      ...jobs.map((j) => ({ ...template, job_name: j.name, params: { module: [j.module] }, static_configs: [{ targets: [j.target] }], relabel_configs: relabel })),
      { ...shipped.scrape_configs.find((j: any) => j.job_name === 'xfed_exporter'), static_configs: [{ targets: [exporter] }] },
    ],
  };
  return stringify(cfg);
}

describe('deploy/prometheus as shipped', { skip: missing }, () => {
  for (const args of [['check', 'config', 'prometheus.yml'], ['check', 'rules', 'xfed-alerts.yml'], ['test', 'rules', 'xfed-alerts.test.yml']]) {
    it(`promtool ${args.join(' ')}`, () => {
      const r = spawnSync('promtool', args, { cwd: DEPLOY, encoding: 'utf8' });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    });
  }
  it('the Grafana dashboard is JSON whose every query uses an xfed metric', () => {
    const d = JSON.parse(readFileSync(join(DEPLOY, 'grafana-dashboard.json'), 'utf8'));
    const exprs: string[] = d.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
    assert.ok(exprs.length >= 8);
    for (const e of exprs) assert.match(e, /xfed_/);
    for (const m of ['xfed_check_success', 'xfed_cert_not_after_timestamp_seconds', 'xfed_dialback_result', 'xfed_dns_srv_targets', 'xfed_phase_duration_seconds', 'xfed_findings']) {
      assert.ok(exprs.some((e) => e.includes(m)), m);
    }
  });
});

describe('a real Prometheus scraping xfed serve', { skip: missing }, () => {
  let lab: ServeLab;
  let serve: ChildProcess;
  let prom: ChildProcess;
  let api = '';
  let promLog = '';

  before(async () => {
    lab = await startServeLab(`serve-prom-${process.pid}`);
    serve = spawn(process.execPath, [XFED_BIN, 'serve', '--listen', '127.0.0.1:0', '--config', lab.config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const exporter = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`xfed serve did not start: ${err}`)), 15_000);
      serve.stderr!.on('data', (d) => {
        err += d;
        const m = /listening on http:\/\/([^ ]+)/.exec(err);
        if (m) (clearTimeout(t), resolve(m[1]!));
      });
    });
    const dir = join(lab.dir, 'prometheus');
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'prometheus.yml');
    writeFileSync(
      conf,
      derivedConfig(exporter, [
        { name: 'xfed_dialback_good', module: 'good_dialback', target: 'good.test' },
        { name: 'xfed_dialback_broken', module: 'broken_dialback', target: 'broken.test' },
      ]),
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prom = spawn('prometheus', [`--config.file=${conf}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    prom.stdout!.on('data', (d) => (promLog += d));
    prom.stderr!.on('data', (d) => (promLog += d));
    registerStop(`serve-prometheus-${process.pid}`, `kill ${prom.pid} ${serve.pid} 2>/dev/null || true\n`);
    for (let i = 0; ; i++) {
      const ok = await fetch(`${api}/-/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      if (i > 200 || prom.exitCode !== null) throw new Error(`prometheus did not become ready:\n${promLog}`);
      await sleep(100);
    }
  });
  after(async () => {
    prom?.kill('SIGTERM');
    serve?.kill('SIGTERM');
    await Promise.all([prom, serve].map((p) => (p && p.exitCode === null ? new Promise((r) => p.once('close', r)) : undefined)));
    // Both are gone: the safety net for a crashed test is not needed (and must not kill a reused pid).
    rmSync(join(LAB, 'stop.d', `serve-prometheus-${process.pid}.sh`), { force: true });
    await lab?.close();
  });

  /** Polls an instant query until it returns `n` series (Prometheus needs a scrape or two). */
  async function query(q: string, n: number, ms = 30_000): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const until = Date.now() + ms;
    for (;;) {
      const r = (await (await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as any;
      assert.equal(r.status, 'success', JSON.stringify(r));
      if (r.data.result.length >= n) return r.data.result;
      if (Date.now() > until) throw new Error(`${q}: ${r.data.result.length} series after ${ms} ms\n${promLog}`);
      await sleep(250);
    }
  }

  it('xfed_check_success is 1 for the healthy peer and 0 for the broken one', async () => {
    const good = await query('xfed_check_success{target="good.test"}', 1);
    const broken = await query('xfed_check_success{target="broken.test"}', 1);
    assert.deepEqual([good.length, good[0]!.value[1], good[0]!.metric.module, good[0]!.metric.instance], [1, '1', 'good_dialback', 'good.test']);
    assert.deepEqual([broken.length, broken[0]!.value[1], broken[0]!.metric.module], [1, '0', 'broken_dialback']);
  });

  it('the dialback result: valid for the healthy peer, invalid for the broken one', async () => {
    const seen = await query('xfed_dialback_result == 1', 2);
    assert.deepEqual(seen.map((s) => `${s.metric.target}=${s.metric.result}`).sort(), ['broken.test=invalid', 'good.test=valid']);
    const cert = await query('xfed_cert_not_after_timestamp_seconds - time() > 300 * 86400', 2);
    assert.equal(cert.length, 2);
  });

  it('the shipped dialback alert is pending for the broken peer only; the exporter job is up', async () => {
    const alerts = await query('ALERTS{alertname="XfedDialbackInvalid"}', 1);
    assert.deepEqual(alerts.map((a) => [a.metric.target, a.metric.alertstate]), [['broken.test', 'pending']]);
    const up = await query('up', 3);
    assert.deepEqual(up.map((u) => `${u.metric.job}=${u.value[1]}`).sort(), ['xfed_dialback_broken=1', 'xfed_dialback_good=1', 'xfed_exporter=1']);
    const self = await query('xfed_exporter_requests_total{path="/probe",code="200"} > 0', 1);
    assert.equal(self.length, 1);
  });
});
