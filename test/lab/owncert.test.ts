/**
 * Our certificate as real partners see it, and the every-target / SNI / chain checks, against
 * the lab (test/lab/lab.ts): ejabberd (b.test) trusts the lab CA, so SASL EXTERNAL as a.test
 * succeeds with a lab-signed certificate with clientAuth, and fails with an untrusted one or a
 * serverAuth-only one (ejabberd 23.01 checks the purpose: "unsupported certificate purpose").
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { XFED_BIN } from '../helpers/servers.js';
import { EJABBERD_SECRET, labMissing, PROSODY_SECRET, startLab, type Lab } from './lab.js';

const skip = labMissing();
if (skip) console.log(`# test/lab/owncert: skipped: ${skip}`);
let lab: Lab;

interface Target {
  target: string;
  findings: Array<{ id: string; severity: string; title: string }>;
  data: { probe: any };
}

function xfed(args: string[], env: Record<string, string> = {}): Promise<{ code: number; targets: Target[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [XFED_BIN, ...args, '--format', 'json'], { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      try {
        resolve({ code: err ? ((err as { code?: number }).code ?? 99) : 0, targets: JSON.parse(stdout).targets, stderr });
      } catch {
        reject(new Error(`no JSON (${String(err)}): ${stdout}\n${stderr}`));
      }
    });
  });
}

const ids = (t: Target) => t.findings.map((f) => `${f.severity}:${f.id}`).sort();

describe('our certificate and every target, against the lab', { skip }, () => {
  let dns: string[];
  const cert = (name: string) => ['--cert', join(lab.certs, `${name}.crt`), '--key', join(lab.certs, `${name}.key`)];
  before(async () => {
    lab = await startLab();
    dns = ['--resolver', lab.resolver, '--ca', lab.caFile];
  });

  it('ejabberd accepts our lab-signed certificate with clientAuth (SASL EXTERNAL as a.test)', async () => {
    const r = await xfed(['probe', 'b.test', '--from', 'a.test', ...dns, ...cert('a-client')]);
    const t = r.targets[0]!;
    assert.deepEqual(ids(t), ['info:probe.sasl.external-ok'], JSON.stringify(t.data.probe.sasl));
    assert.equal(t.data.probe.sasl.outcome, 'success');
  });
  it('ejabberd refuses a certificate from an untrusted CA; dialback still works: a warning', async () => {
    const r = await xfed(['probe', 'b.test', '--from', 'a.test', ...dns, ...cert('a-untrusted')], { XFED_DIALBACK_SECRET: PROSODY_SECRET });
    const t = r.targets[0]!;
    const sasl = t.data.probe.sasl;
    // ejabberd offers EXTERNAL for any certificate presented, then verifies it against ca_file.
    assert.deepEqual(ids(t), ['info:probe.dialback.valid', 'warning:probe.sasl.external-failed'], JSON.stringify(sasl));
    assert.equal(sasl.text, 'unable to verify the first certificate');
  });
  it('ejabberd 23.01 refuses a serverAuth-only certificate ("unsupported certificate purpose")', async () => {
    const r = await xfed(['probe', 'b.test', '--from', 'a.test', ...dns, ...cert('a-serveronly')], { XFED_DIALBACK_SECRET: PROSODY_SECRET });
    const t = r.targets[0]!;
    const sasl = t.data.probe.sasl;
    assert.deepEqual(ids(t), ['info:probe.dialback.valid', 'warning:probe.own-cert.no-client-auth', 'warning:probe.sasl.external-failed'], JSON.stringify(sasl));
    assert.equal(sasl.text, 'unsupported certificate purpose');
  });
  it('a dead first SRV target: target.failed (warning), the session runs on Prosody', async () => {
    const r = await xfed(['probe', 'dead.test', '--from', 'b.test', ...dns], { XFED_DIALBACK_SECRET: EJABBERD_SECRET });
    const t = r.targets[0]!;
    assert.deepEqual(ids(t), ['info:probe.dialback.valid', 'warning:probe.target.failed']);
    assert.deepEqual(t.data.probe.targets.map((x: { port: number; ok: boolean }) => [x.port, x.ok]), [[5299, false], [5269, true]]);
    assert.equal(r.code, 0);
  });
  it('Prosody serving chain.test without its intermediate: chain-incomplete with the intermediate in --ca', async () => {
    const r = await xfed(['probe', 'chain.test', '--no-dialback', '--resolver', lab.resolver, '--ca', lab.caWithIntermediateFile]);
    const t = r.targets[0]!;
    assert.deepEqual(ids(t), ['error:probe.cert.chain-incomplete'], JSON.stringify(t.data.probe.tls?.authorizationError));
    assert.match(t.findings[0]!.title, /xfed lab intermediate CA/);
  });
  it('Prosody: TLS 1.2 and 1.3 offered, legacy refused, the same certificate without SNI', async () => {
    const r = await xfed(['probe', 'a.test', '--no-dialback', ...dns]);
    const hs = r.targets[0]!.data.probe.handshakes as Array<{ kind: string; ok: boolean; version?: string }>;
    assert.deepEqual(ids(r.targets[0]!), []);
    assert.equal(hs.find((h) => h.kind === 'legacy')?.ok, false);
    assert.ok(hs.find((h) => h.kind === 'no-sni')?.ok);
  });
});
