// @needs-servers: starts Debian servers (unbound, Prosody, ejabberd); `npm run test:unit` leaves this file out.
/**
 * `xfed probe` and `xfed dialback verify` end to end (the real binary) against real XMPP
 * servers on loopback: Prosody (a.test, 127.0.0.2) and ejabberd (b.test, 127.0.0.3), with a
 * real DNS server for `test.` (unbound, 127.0.0.10). See test/lab/lab.ts.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { dialbackKey } from '../../src/xmpp/dialback.js';
import { XFED_BIN } from '../helpers/servers.js';
import { EJABBERD_SECRET, labMissing, PROSODY_SECRET, startLab, type Lab } from './lab.js';

const skip = labMissing();
let lab: Lab;

interface Out {
  code: number;
  json: { targets: Array<{ target: string; verdict: string; findings: Array<{ id: string; severity: string; title: string }>; data: any; timings: Record<string, number> }>; exitCode: number };
  stderr: string;
}

/** Runs the binary; `json` is undefined when stdout is not JSON (never a throw inside the callback). */
function run(args: string[], env: Record<string, string>): Promise<{ code: number; json: Out['json'] | undefined; raw: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [XFED_BIN, ...args, '--json'], { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 99) : 0;
      let json: Out['json'] | undefined;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, json, raw: stdout, stderr });
    });
  });
}

/** As `run`, asserting (in the awaiting test) that stdout was JSON. */
async function xfed(args: string[], env: Record<string, string> = {}): Promise<Out> {
  const { code, json, raw, stderr } = await run(args, env);
  assert.ok(json, `no JSON (exit ${code}): ${raw}\n${stderr}`);
  return { code, json, stderr };
}

const ids = (o: Out, i = 0) => o.json.targets[i]!.findings.map((f) => `${f.severity}:${f.id}`);

describe('federation lab (Prosody a.test, ejabberd b.test)', { skip }, () => {
  let dnsArgs: string[];
  before(async () => {
    lab = await startLab();
    dnsArgs = ['--resolver', lab.resolver, '--ca', lab.caFile];
  });

  it('Prosody verifies a key made with ejabberd\'s secret against ejabberd: valid', async () => {
    const o = await xfed(['probe', 'a.test', '--from', 'b.test', '--secret-file', lab.ejabberdSecretFile, ...dnsArgs]);
    assert.deepEqual(ids(o), ['info:probe.dialback.valid'], JSON.stringify(o.json.targets[0]?.findings));
    assert.equal(o.code, 0);
    const d = o.json.targets[0]!.data.probe;
    assert.equal(d.connected.address, '127.0.0.2');
    assert.equal(d.tls.identity.method, 'srv-id');
    assert.equal(d.tls.authorized, true);
    assert.equal(d.dialback.outcome, 'valid');
    for (const p of ['dns', 'tcp', 'stream', 'tls', 'features', 'dialback']) assert.equal(typeof o.json.targets[0]!.timings[p], 'number', p);
    assert.ok(!JSON.stringify(o.json).includes(EJABBERD_SECRET), 'the secret never reaches the output');
  });

  it('ejabberd verifies a key made with Prosody\'s secret against Prosody: valid (secret from the environment)', async () => {
    const o = await xfed(['probe', 'b.test', '--from', 'a.test', ...dnsArgs], { XFED_DIALBACK_SECRET: PROSODY_SECRET });
    assert.deepEqual(ids(o), ['info:probe.dialback.valid'], JSON.stringify(o.json.targets[0]?.findings));
    const d = o.json.targets[0]!.data.probe;
    assert.match(d.secureStream.id, /^\d+$/, 'ejabberd stream ids are decimal');
    assert.ok(d.saslMechanisms.includes('EXTERNAL'));
  });

  it('a wrong secret: both servers say invalid (exit 1)', async () => {
    const o = await xfed(['probe', 'a.test', '--from', 'b.test', ...dnsArgs], { XFED_DIALBACK_SECRET: 'wrong' });
    assert.deepEqual(ids(o), ['error:probe.dialback.invalid']);
    assert.equal(o.code, 1);
    const ev = (o.json.targets[0]!.findings[0] as unknown as { evidence: Array<{ label: string; value: string }> }).evidence;
    assert.ok(ev.some((e) => e.label === 'callback' && e.value === 'a.test verifies via xmpp-b.test:5269 (_xmpp-server)'), JSON.stringify(ev));
    const e = await xfed(['probe', 'b.test', '--from', 'a.test', ...dnsArgs], { XFED_DIALBACK_SECRET: 'wrong' });
    assert.equal(e.json.targets[0]!.data.probe.dialback.outcome, 'invalid');
  });

  it('an unknown domain: host-unknown from Prosody', async () => {
    const o = await xfed(['probe', 'unknown.test', ...dnsArgs]);
    assert.deepEqual(ids(o), ['error:probe.stream.error']);
    assert.equal(o.json.targets[0]!.data.probe.streamError.condition, 'host-unknown');
  });

  it('TLS required by both servers: --no-tls', async () => {
    const o = await xfed(['probe', 'a.test', 'b.test', '--no-tls', ...dnsArgs]);
    assert.deepEqual(ids(o, 0), ['error:probe.tls.required-missing']);
    assert.deepEqual(ids(o, 1), ['error:probe.tls.required-missing']);
  });

  it('a certificate for another name, and an expired one', async () => {
    const o = await xfed(['probe', 'wrong.test', 'expired.test', '--no-dialback', ...dnsArgs]);
    assert.deepEqual(ids(o, 0), ['error:probe.cert.name-mismatch']);
    assert.deepEqual(ids(o, 1), ['error:probe.cert.expired']);
  });

  it('direct TLS via _xmpps-server (XEP-0368)', async () => {
    const o = await xfed(['probe', 'direct.test', '--no-dialback', ...dnsArgs]);
    const d = o.json.targets[0]!.data.probe;
    // Prosody's direct-TLS port picks its certificate by SNI; without SNI it may serve another host's
    // (which one depends on its certificate index): then, and only then, probe.cert.sni-required.
    const noSni = d.handshakes.find((h: { kind: string }) => h.kind === 'no-sni');
    const other = noSni.ok && noSni.leaf.sha256 !== d.tls.chain[0].sha256 && !noSni.leaf.covers;
    assert.deepEqual(ids(o), other ? ['warning:probe.cert.sni-required'] : []);
    assert.equal(d.connected.port, 5270);
    assert.equal(d.tls.mode, 'direct');
    assert.equal(d.tls.identity.matched, true);
  });

  it('no target: no SRV and no address; the fallback refused; no direct-TLS record', async () => {
    const o = await xfed(['probe', 'missing.test', 'nothing.test', ...dnsArgs]);
    assert.deepEqual(ids(o, 0), ['error:probe.dns.no-target']);
    assert.deepEqual(ids(o, 1), ['error:probe.tcp.refused']);
    const a = o.json.targets[1]!.data.probe.attempts[0];
    assert.deepEqual([a.address, a.port, a.source, a.code], ['127.0.0.4', 5269, 'fallback', 'ECONNREFUSED']);
    const d = await xfed(['probe', 'a.test', '--direct-tls', ...dnsArgs]);
    assert.deepEqual(ids(d), ['error:probe.dns.no-target']);
  });

  it('the default --from: ejabberd reports remote-server-not-found (info)', async () => {
    const o = await xfed(['probe', 'b.test', ...dnsArgs]);
    assert.deepEqual(ids(o), ['info:probe.dialback.error']);
    assert.equal(o.json.targets[0]!.data.probe.dialback.condition, 'remote-server-not-found');
    assert.equal(o.code, 0);
  });

  it('dialback verify: Prosody confirms a key made with its secret, and rejects another', async () => {
    const key = dialbackKey(PROSODY_SECRET, 'x.test', 'a.test', 'replayed-id-1');
    const f = join(lab.dir, 'key.txt');
    writeFileSync(f, `${key}\n`);
    const ok = await xfed(['dialback', 'verify', '127.0.0.2', '--from', 'x.test', '--to', 'a.test', '--stream-id', 'replayed-id-1', '--key-file', f, '--ca', lab.caFile]);
    assert.deepEqual(ids(ok), ['info:dialback.verify.valid'], JSON.stringify(ok.json.targets[0]?.findings));
    assert.ok(!JSON.stringify(ok.json).includes(key), 'the key is redacted');
    const bad = await xfed(['dialback', 'verify', '127.0.0.2', '--from', 'x.test', '--to', 'a.test', '--stream-id', 'other-id', '--key-file', f, '--ca', lab.caFile]);
    assert.deepEqual(ids(bad), ['error:dialback.verify.invalid']);
    assert.equal(bad.code, 1);
  });
});

describe('the lab test helper', () => {
  it('output that is not JSON resolves (json undefined) instead of throwing in the callback', async () => {
    // --json makes even a usage error a JSON document (issue 13); --format human (it wins over
    // the --json run() appends) keeps stdout empty.
    const o = await run(['probe', 'a.test', '--format', 'human', '--no-such-option'], {});
    assert.equal(o.json, undefined);
    assert.equal(o.code, 2);
    await assert.rejects(xfed(['probe', 'a.test', '--format', 'human', '--no-such-option']), /no JSON \(exit 2\)/);
  });
});
