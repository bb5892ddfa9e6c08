/**
 * The deadline of a whole doctor run (issue 10): a check that stalls past it is reported as
 * doctor.deadline.exceeded with what it left unchecked, and the run ends on time, with what
 * finished. No Debian server: a silent TCP peer and a resolver address nobody answers, on loopback.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { json, xfed } from '../helpers/cli.js';

describe('doctor: the deadline of the whole run', () => {
  let dir: string;
  let silent: Server;
  const sockets = new Set<Socket>();
  let port = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xfed-deadline-'));
    // Accepts TCP and never says a word: a stream phase that only its own timeout would end.
    silent = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    port = (silent.address() as { port: number }).port;
  });
  after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function config(extra = ''): string {
    const f = join(dir, `doctor-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      f,
      [
        'domains: [a.example]',
        `expressway_e: ["127.0.0.1:${port}"]`,
        // No resolver answers on this loopback port: DNS ends fast, with findings.
        'dns: { resolvers: ["127.0.0.1:9"] }',
        'probe: { dialback: false }',
        'timeouts: { dns: 300, probe: 20000 }',
        extra,
        '',
      ].join('\n'),
    );
    return f;
  }

  test('a stalled probe past --deadline: doctor.deadline.exceeded names it, the rest is reported, the run ends on time', async () => {
    const r = await xfed(['doctor', '--config', config(), '--deadline', '1500', '--json'], { timeoutMs: 15_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.ms < 6_000, `${r.ms} ms`);
    const doc = json(r);
    const cut = doc.targets.filter((t: { findings: Array<{ id: string }> }) => t.findings.some((f) => f.id === 'doctor.deadline.exceeded'));
    assert.equal(cut.length, 1);
    assert.equal(cut[0].data.check, 'probe');
    assert.deepEqual(
      cut[0].findings[0].evidence.map((e: { value: string }) => e.value),
      [`a.example via 127.0.0.1:${port}`],
    );
    assert.match(cut[0].findings[0].title, /did not finish within the run's deadline \(1500 ms\)$/);
    // What finished before the deadline is there: the DNS check of a.example.
    assert.ok(doc.targets.some((t: { data: { check: string } }) => t.data.check === 'dns'));
    assert.equal(doc.options.timeouts.total, 1500);
  });

  test('the config key timeouts.total sets it too; --deadline below 1000 ms is a usage error', async () => {
    const cfg = config();
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('timeouts: { dns: 300, probe: 20000 }', 'timeouts: { dns: 300, probe: 20000, total: 1200 }'));
    const t = await xfed(['doctor', '--config', cfg, '--json'], { timeoutMs: 15_000 });
    assert.equal(t.code, 1, t.stderr);
    assert.ok(t.ms < 6_000, `${t.ms} ms`);
    assert.equal(json(t).options.timeouts.total, 1200);
    const u = await xfed(['doctor', '--config', cfg, '--deadline', '10']);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /^xfed: .*--deadline must be between 1000 and 86400000/);
  });
});
