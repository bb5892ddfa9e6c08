/**
 * The `serve:` section of the config file and what `xfed serve` makes of a config: modules,
 * unavailable modules and why, secrets read from files or the environment (never the config).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/doctor/config.js';
import { STARTER_CONFIG } from '../../src/doctor/init.js';
import { resolveServe } from '../../src/serve/setup.js';
import { probeOptions, targetProblem } from '../../src/serve/modules.js';
import { parseListen, isLoopback } from '../../src/cli/commands/serve.js';

const usage = (text: string) => {
  try {
    parseConfig(text, 'x.yaml', { requireChecks: false });
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('the serve section', () => {
  it('parses named modules and the bound', () => {
    const cfg = parseConfig('serve:\n  max_concurrent: 4\n  modules:\n    - { name: e1, check: dialback, host: "[::1]", port: 5269, timeout: 3000 }\n    - { name: d, check: dns }\n', 'x.yaml', { requireChecks: false });
    assert.deepEqual(cfg.serve, { maxConcurrent: 4, modules: [{ name: 'e1', check: 'dialback', host: '::1', port: 5269, timeout: 3000 }, { name: 'd', check: 'dns' }] });
  });
  it('refuses bad modules with the key and line', () => {
    assert.equal(usage('serve:\n  modules:\n    - { name: a, check: ping }\n'), 'config x.yaml line 3: serve.modules[0].check: "ping": not a check: one of dns, probe, dialback, axl');
    assert.equal(usage('serve:\n  modules:\n    - { name: a, check: dns }\n    - { name: a, check: probe }\n'), 'config x.yaml: serve.modules: the name "a" is given twice');
    assert.equal(usage('serve:\n  modules:\n    - { name: a, check: dns, host: h.example }\n'), 'config x.yaml: serve.modules: a: host, port and dialback are for the probe and dialback checks');
    assert.equal(usage('serve:\n  modules:\n    - { name: a, check: probe, host: "h.example:5269" }\n'), 'config x.yaml line 3: serve.modules[0].host: "h.example:5269": expected a host name or address (the port goes in "port")');
    assert.equal(usage('serve:\n  modules:\n    - { check: probe }\n'), 'config x.yaml line 3: serve.modules[0]: "name" is required here');
    assert.equal(usage('serve:\n  max_concurrent: 0\n'), 'config x.yaml line 2: serve.max_concurrent: must be between 1 and 1024');
  });
  it('doctor still refuses a config that checks nothing', () => {
    assert.throws(() => parseConfig('serve:\n  max_concurrent: 2\n', 'x.yaml'), /nothing to check: give domains, partners, axl or logs/);
  });
  it('the starter config documents it and stays valid with it uncommented', () => {
    assert.match(STARTER_CONFIG, /^# serve:$/m);
    const uncommented = STARTER_CONFIG.replace(/^# (serve:|  max_concurrent|  modules|    - \{ name)/gm, '$1');
    assert.equal(parseConfig(uncommented, 'x.yaml').serve?.modules.length, 2);
  });
});

describe('resolveServe', () => {
  it('without a config: dns and probe run; dialback and axl say why not', async () => {
    const s = await resolveServe(undefined, {});
    assert.deepEqual([...s.modules.keys()], ['dns', 'probe', 'dialback', 'axl']);
    assert.deepEqual([...s.unavailable.keys()], ['dialback', 'axl']);
    assert.match(s.unavailable.get('dialback')!, /XFED_DIALBACK_SECRET or probe\.secret_file/);
  });
  it('the dialback secret from the environment, with our domain; never in a module', async () => {
    const cfg = parseConfig('domains: [us.example]\nserve:\n  modules:\n    - { name: db, check: dialback }\n', 'x.yaml', { requireChecks: false });
    const s = await resolveServe(cfg, { XFED_DIALBACK_SECRET: 'env-secret' });
    assert.deepEqual(s.dialback, { from: 'us.example', secret: 'env-secret' });
    assert.deepEqual([...s.unavailable.keys()], ['axl']);
    const o = probeOptions(s.modules.get('db')!, 'peer.example', s, 2500);
    assert.deepEqual([o.from, o.secret, o.deadline, o.timeouts?.dialback, o.timeouts?.tcp], ['us.example', 'env-secret', 2500, 2500, 2500]);
    const p = probeOptions(s.modules.get('probe')!, 'peer.example', s, 20_000);
    assert.deepEqual([p.from, p.secret, p.timeouts?.dialback, p.timeouts?.tcp], [undefined, undefined, 5000, 5000], 'the probe module never sends our key');
  });
  it('axl: the password from its file; the module only targets axl.server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xfed-serve-'));
    writeFileSync(join(dir, 'pw'), 'file-password\n');
    const cfg = parseConfig('axl:\n  server: imp.example:8443\n  user: u\n  password_file: pw\n', join(dir, 'x.yaml'), { requireChecks: false });
    const s = await resolveServe(cfg, {});
    assert.equal(s.axl?.password, 'file-password');
    const axl = s.modules.get('axl')!;
    assert.equal(targetProblem(axl, 'imp.example:8443', s), undefined);
    assert.equal(targetProblem(axl, 'IMP.example', s), undefined, 'port 8443 is the default');
    assert.equal(targetProblem(axl, 'https://imp.example:8443/axl/', s), undefined);
    assert.equal(targetProblem(axl, 'evil.example:8443', s), 'target is not the configured AXL server (axl.server)');
    await assert.rejects(resolveServe(parseConfig('axl:\n  server: imp.example\n  user: u\n', 'x.yaml'), {}), /axl: no password: set XFED_AXL_PASSWORD or axl.password_file/);
  });
});

describe('--listen', () => {
  it('parses host:port, [v6]:port and :port; knows loopback', () => {
    assert.deepEqual(parseListen('127.0.0.1:9469'), { host: '127.0.0.1', port: 9469 });
    assert.deepEqual(parseListen('[::1]:9469'), { host: '::1', port: 9469 });
    assert.deepEqual(parseListen(':9469'), { host: '0.0.0.0', port: 9469 });
    assert.throws(() => parseListen('127.0.0.1'), /is not host:port/);
    assert.throws(() => parseListen('127.0.0.1:70000'), /is not host:port/);
    assert.deepEqual(['127.0.0.1', '127.9.9.9', '::1', 'localhost', '0.0.0.0', '::', '192.0.2.1', 'example.com'].map(isLoopback), [true, true, true, true, false, false, false, false]);
  });
});
