/**
 * `xfed explain <id>` and its alias `xfed rules show <id>` through the real binary:
 * finding ids and rule ids, text and --json, unknown ids (exit 2, one line, suggestions).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BUILTIN_RULES } from '../../src/diagnose/rules/index.js';
import { FINDINGS } from '../../src/findings/index.js';
import { lookupId, suggestIds } from '../../src/findings/lookup.js';
import { json, xfed } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'xfed-explain-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('lookup', () => {
  it('every catalogued id and every rule id explains; a rule id also without its diagnose. prefix', () => {
    for (const e of FINDINGS) assert.deepEqual(lookupId(e.id, BUILTIN_RULES), { kind: 'finding', finding: e });
    for (const r of BUILTIN_RULES) {
      assert.deepEqual(lookupId(r.id, BUILTIN_RULES), { kind: 'rule', rule: r });
      assert.deepEqual(lookupId(r.id.replace(/^diagnose\./, ''), BUILTIN_RULES), { kind: 'rule', rule: r });
    }
    assert.equal(lookupId('dns.srv', BUILTIN_RULES), undefined);
    assert.deepEqual(suggestIds('diagnose.axl.http-410', BUILTIN_RULES)[0], 'diagnose.axl.http-401');
  });
});

describe('xfed explain', () => {
  it('a finding id: title, command, severities, meaning, fix, references', async () => {
    const r = await xfed(['explain', 'probe.cert.untrusted']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'probe.cert.untrusted  ERROR');
    assert.equal(lines[1], '  The certificate chain is not trusted');
    assert.match(r.stdout, /^ {2}Emitted by: xfed probe$/m);
    assert.match(r.stdout, /^ {2}Severity: error; info with --insecure/m);
    assert.match(r.stdout, /^ {2}Meaning:\n {4}The chain did not verify/m);
    assert.match(r.stdout, /^ {2}Fix:\n {4}Install a certificate/m);
    assert.match(r.stdout, /^ {2}References:\n {4}https:\/\/www\.rfc-editor\.org\/rfc\/rfc9525$/m);
  });

  it('--json: the envelope of every command, one target whose data.explain has kind and the catalogue entry (variants always a list)', async () => {
    const r = await xfed(['--json', 'explain', 'dns.srv.ok']);
    assert.equal(r.code, 0, r.stderr);
    const doc = json(r);
    assert.deepEqual([doc.schema, doc.tool, doc.command, doc.exitCode, doc.targets.length], [1, 'xfed', 'explain', 0, 1]);
    assert.match(doc.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual([doc.targets[0].target, doc.targets[0].findings, Object.keys(doc.targets[0].data.explain)], ['dns.srv.ok', [], ['kind', 'finding']]);
    const e = FINDINGS.find((x) => x.id === 'dns.srv.ok')!;
    assert.deepEqual(doc.targets[0].data.explain.finding, { ...e, variants: [] });
    const v = json(await xfed(['--json', 'explain', 'dns.srv.target-private'])).targets[0].data.explain;
    assert.deepEqual(
      v.finding.variants.map((x: { severity: string }) => x.severity),
      ['warning', 'info'],
    );
  });

  it('a rule id, with or without its prefix: the rule, as rules show prints it', async () => {
    const r = await xfed(['explain', 'diagnose.dialback.timeout']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^diagnose\.dialback\.timeout {2}ERROR\n/);
    assert.match(r.stdout, /Fix:\n\s+1\. /);
    const doc = json(await xfed(['--json', 'explain', 'axl.http-401']));
    const x = doc.targets[0].data.explain;
    assert.deepEqual([doc.command, x.kind, x.rule.id, doc.targets[0].target], ['explain', 'rule', 'diagnose.axl.http-401', 'diagnose.axl.http-401']);
    assert.deepEqual(Object.keys(x), ['kind', 'rule']);
  });

  it('a rule from --rules <file> explains too', async () => {
    const file = join(tmp, 'site.yaml');
    writeFileSync(file, 'rules:\n  - id: site.quarantine\n    title: Quarantined by the proxy\n    severity: warning\n    products: [expressway]\n    match: [{ line: { keywords: ["quarantine"] } }]\n    cause: The proxy holds the partner.\n    fix: [Release it.]\n');
    const r = await xfed(['explain', 'site.quarantine', '--rules', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^site\.quarantine {2}WARN\n {2}Quarantined by the proxy/);
  });

  it('an unknown id: exit 2, one line on stderr with the close matches, nothing on stdout', async () => {
    const r = await xfed(['explain', 'probe.cert.untrustd']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'xfed: unknown finding or rule id "probe.cert.untrustd" (did you mean probe.cert.untrusted, probe.cert.sni-required, probe.cert.delegated?)\n');
    // With --json the same error is also one JSON document on stdout (issue 13).
    const none = await xfed(['--json', 'explain', 'zzz']);
    assert.equal(none.code, 2);
    assert.deepEqual(JSON.parse(none.stdout).error, { code: 'XFED_UNKNOWN_ID', message: 'unknown finding or rule id "zzz"; docs/findings.md and `xfed rules` list them' });
    assert.equal(none.stderr, 'xfed: unknown finding or rule id "zzz"; docs/findings.md and `xfed rules` list them\n');
    const missing = await xfed(['explain']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  });
});

describe('xfed rules show (alias of explain)', () => {
  it('prints the same as explain, for rule ids and finding ids', async () => {
    for (const id of ['diagnose.stream.host-unknown', 'axl.s2snode.empty']) {
      const [a, b] = await Promise.all([xfed(['rules', 'show', id]), xfed(['explain', id])]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(a.stdout, b.stdout);
    }
    const doc = json(await xfed(['--json', 'rules', 'show', 'dialback.invalid']));
    const x = doc.targets[0].data.explain;
    assert.deepEqual([doc.command, x.kind, x.rule.id], ['rules show', 'rule', 'diagnose.dialback.invalid']);
  });
});

describe('xfed --help', () => {
  it('lists explain', async () => {
    const r = await xfed(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^ {2}explain \[options\] <id> +explain a finding id or a diagnose rule id/m);
  });
});
