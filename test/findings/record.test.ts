/**
 * The record of emitted findings: `finding()` appends to XFED_RECORD_FINDINGS (and only
 * then), and the check scripts/run-tests.mjs runs on it after the whole suite.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BUILTIN_RULES } from '../../src/diagnose/rules/index.js';
import { checkRecorded, formatProblems, knownSeverities } from '../../src/findings/check.js';
import { allowedSeverities, FINDINGS } from '../../src/findings/index.js';
import { xfed } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/servers.js';

const tmp = mkdtempSync(join(tmpdir(), 'xfed-record-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('XFED_RECORD_FINDINGS', () => {
  it('a command appends one JSON line per finding it builds', async () => {
    const file = join(tmp, 'rec.jsonl');
    const r = await xfed(['--json', 'diagnose', join(FIXTURES, 'logs', 'expc-axl-401.log')], { env: { XFED_RECORD_FINDINGS: file } });
    assert.equal(r.code, 1, r.stderr);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const emitted = JSON.parse(r.stdout).targets[0].findings.map((f: { id: string; severity: string }) => ({ id: f.id, severity: f.severity }));
    assert.deepEqual(lines, emitted);
    assert.deepEqual(lines, [{ id: 'diagnose.axl.http-401', severity: 'error' }]);
  });
});

/** A record in which every catalogued id was emitted with each of its severities, and every rule fired. */
function fullRecord(): string[] {
  return [...FINDINGS.flatMap((e) => allowedSeverities(e).map((severity) => ({ id: e.id, severity }))), ...BUILTIN_RULES.map((r) => ({ id: r.id, severity: r.severity }))].map((x) => JSON.stringify(x));
}

describe('checkRecorded', () => {
  it('all catalogued ids with allowed severities, user rule ids aside: no problem', () => {
    const lines = [...fullRecord(), '{"id":"dns.srv.target-private","severity":"info"}', '{"id":"site.partner.quarantined","severity":"warning"}', ''];
    const r = checkRecorded(lines.join('\n'), []);
    assert.deepEqual(r.problems, []);
    assert.equal(r.emitted, knownSeverities().size);
    assert.deepEqual(r.foreign, ['site.partner.quarantined']);
  });

  it('an uncatalogued id in an xfed namespace, and a severity the catalogue does not allow, are problems', () => {
    const lines = [...fullRecord(), '{"id":"probe.tls.brand-new","severity":"error"}', '{"id":"dns.xmpps.absent","severity":"warning"}'];
    assert.deepEqual(checkRecorded(lines.join('\n'), []).problems, [
      'emitted with a severity the catalogue does not allow: dns.xmpps.absent as warning (catalogue: info)',
      'emitted but not catalogued: probe.tls.brand-new (error): add it to src/findings/catalogue-<check>.ts',
    ]);
  });

  it('a rule may be emitted milder than its severity (a cause seen only in results), not more severe', () => {
    const lines = [...fullRecord(), '{"id":"diagnose.axl.http-401","severity":"warning"}', '{"id":"diagnose.result.other","severity":"error"}'];
    assert.deepEqual(checkRecorded(lines.join('\n'), []).problems, ['emitted with a severity the catalogue does not allow: diagnose.result.other as error (catalogue: warning, info)']);
  });

  it('an id (or one of its severities) no test emits is a problem, unless pending with a reason; a pending id that is emitted is one too', () => {
    const lines = fullRecord().filter(
      (l) => !l.includes('"probe.tcp.timeout"') && !l.includes('"axl.throttled"') && l !== '{"id":"dns.srv.target-private","severity":"info"}' && l !== '{"id":"probe.cert.expired","severity":"info"}' && !l.includes('"diagnose.privacy.blocked"'),
    );
    const r = checkRecorded(lines.join('\n'), [
      { id: 'axl.throttled', reason: 'needs a throttling IM&P' },
      { id: 'probe.cert.expired', severity: 'info', reason: 'pending' },
      { id: 'dns.srv.ok', reason: 'stale' },
      { id: 'probe.cert.untrusted', severity: 'info', reason: 'stale too' },
      { id: 'nope.nothing', reason: 'x' },
    ]);
    assert.deepEqual(r.problems, [
      'test/findings/pending.json lists dns.srv.ok, but a test emits it now: remove it from the list',
      'test/findings/pending.json lists probe.cert.untrusted as info, but a test emits it now: remove it from the list',
      'test/findings/pending.json lists nope.nothing, which is not catalogued',
      'catalogued but emitted by no test as info: dns.srv.target-private (with --allow-private (config: dns.allow_private))',
      'catalogued but emitted by no test: probe.tcp.timeout',
      'a diagnose rule no test fires: diagnose.privacy.blocked',
    ]);
    assert.match(formatProblems(r), /^finding catalogue check failed \(6 problems\):\n {2}- /);
  });
});
