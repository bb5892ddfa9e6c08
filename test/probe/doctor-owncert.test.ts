/** Doctor's probe keys for our certificate (probe.cert_file, probe.key_file, probe.key_pass_file) and aliases per domain. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parseConfig } from '../../src/doctor/config.js';
import { resolvePlan } from '../../src/doctor/plan.js';
import { makeCa, makeLeaf, type Pem } from '../lab/certs.js';

let dir: string;
let ours: Pem;
let other: Pem;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'xfed-doctor-owncert-'));
  const ca = makeCa();
  ours = makeLeaf({ cn: 'example.com', dns: ['example.com'] }, ca);
  other = makeLeaf({ cn: 'example.com', dns: ['example.com'] }, ca);
  writeFileSync(join(dir, 'ours.crt'), ours.cert);
  writeFileSync(join(dir, 'ours.key'), ours.key);
  writeFileSync(join(dir, 'other.key'), other.key);
});

describe('doctor: our certificate and aliases', () => {
  it('reads the certificate and key files relative to the config, and the aliases per domain', async () => {
    const cfg = parseConfig('domains: [example.com]\npartners: [partner.example]\nprobe: { cert_file: ours.crt, key_file: ours.key }\naliases:\n  - domain: example.com\n    names: [conference.example.com]\n  - domain: partner.example\n    names: [chat.partner.example]\n', join(dir, 'xfed.yaml'));
    assert.deepEqual(cfg.aliases, { 'example.com': ['conference.example.com'], 'partner.example': ['chat.partner.example'] });
    assert.equal(cfg.probe.certFile, join(dir, 'ours.crt'));
    const plan = await resolvePlan(cfg, {});
    assert.equal(plan.probeCert?.cert, ours.cert);
    assert.equal(plan.probeCert?.key, ours.key);
  });
  it('a key that does not match: one message naming the config key and the file', async () => {
    const cfg = parseConfig('partners: [partner.example]\nprobe: { cert_file: ours.crt, key_file: other.key }\n', join(dir, 'xfed.yaml'));
    await assert.rejects(resolvePlan(cfg, {}), (e: Error) => e.message === `probe.key_file ${join(dir, 'other.key')}: does not match the certificate in ${join(dir, 'ours.crt')}`);
  });
  it('a certificate without a key: refused', async () => {
    const cfg = parseConfig('partners: [partner.example]\nprobe: { cert_file: ours.crt }\n', join(dir, 'xfed.yaml'));
    await assert.rejects(resolvePlan(cfg, {}), /probe\.cert_file needs probe\.key_file/);
  });
});
