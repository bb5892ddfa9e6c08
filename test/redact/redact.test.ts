/**
 * Redaction (src/core/redact.ts): registered secrets as whole tokens in any length and in
 * escaped forms, secret shapes by context, and ids / enum fields never touched.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { clearSecrets, REDACTED, redactEvidence, redactRun, redactText, registerSecret } from '../../src/core/redact.js';
import { buildRun, finding, targetResult, type Finding } from '../../src/core/result.js';
import { SECRET_SHAPES } from './shapes.js';

afterEach(() => clearSecrets());

describe('secret shapes by context', () => {
  for (const shape of SECRET_SHAPES) {
    it(shape.name, () => {
      const out = redactEvidence(shape.line);
      for (const s of shape.secrets) assert.ok(!out.includes(s), `${s} leaked: ${out}`);
      assert.ok(out.includes(REDACTED), out);
      for (const k of shape.keeps ?? []) assert.ok(out.includes(k), `${k} lost: ${out}`);
      // Redacting twice changes nothing more.
      assert.equal(redactEvidence(out), out);
    });
  }

  it('leaves ordinary text and near misses alone', () => {
    const plain = [
      "<db:result from='a.test' to='b.test' type='invalid'/> next",
      'password_file: /etc/xfed/axl.pass',
      'Pass the secret the authoritative server uses (Prosody: dialback_secret; ejabberd: the Erlang cookie).',
      'https://cups.example:8443/axl/',
      'Status="401" Reason="None"',
      'the bearer of bad news',
      '{"key": "xep-0220", "outcome": "valid"}',
    ];
    for (const p of plain) assert.equal(redactText(p), p);
  });
});

describe('registered secrets', () => {
  it('are masked as whole tokens, whatever their length', () => {
    registerSecret('a');
    registerSecret('Zz9');
    assert.equal(redactText('a b a-c cab a'), `${REDACTED} b ${REDACTED}-c cab ${REDACTED}`);
    assert.equal(redactText('Zz9 xZz9 Zz9x (Zz9)'), `${REDACTED} xZz9 Zz9x (${REDACTED})`);
  });

  it('are masked in XML-, URL- and JSON-escaped forms', () => {
    registerSecret('p&ss "w<rd"/x y');
    const s = 'p&ss "w<rd"/x y';
    for (const form of [s, 'p&amp;ss "w&lt;rd"/x y', 'p&amp;ss &quot;w&lt;rd&quot;/x y', encodeURIComponent(s), encodeURIComponent(s).toLowerCase(), JSON.stringify(s).slice(1, -1)]) {
      const out = redactText(`before ${form} after`);
      assert.equal(out, `before ${REDACTED} after`, form);
    }
  });

  it('a secret whose edges are not letters or digits is masked anywhere', () => {
    registerSecret('-x-');
    assert.equal(redactText('a-x-b'), `a${REDACTED}b`);
  });
});

describe('redactRun never corrupts ids, enum fields, numbers or booleans', () => {
  for (const secret of ['error', 'axl', 'ok', 'a']) {
    it(`with the secret "${secret}"`, () => {
      registerSecret(secret);
      const f = finding({
        id: 'axl.auth.failed',
        severity: 'error',
        title: `AXL login refused: ${secret}`,
        detail: 'The server said error.',
        evidence: [{ label: 'axl.status', value: `password ${secret}`, source: 'https://cups.test:8443/axl/', line: 3, count: 2 }],
        fix: 'Correct the AXL password.',
        target: 'cups.test',
        phase: 'axl',
        references: ['https://developer.cisco.com/docs/axl/', 'https://www.rfc-editor.org/rfc/rfc6120#section-4.9.3'],
      });
      // A plain object, not finding(): a made-up id must not count as emitted by xfed (XFED_RECORD_FINDINGS).
      const info: Finding = { id: 'probe.ok', severity: 'info', title: 'ok', detail: '', evidence: [], fix: '', target: 'a' };
      const run = buildRun('axl-verify', { secret: 'given', strict: false }, [
        targetResult('cups.test', [f], { check: 'axl', dir: 'out', status: 'ok', outcome: 'error', key: 'given', tls: 'direct' }),
        targetResult('a.test', [info], { check: 'probe' }),
      ], new Date(), false);
      const before = structuredClone(run);
      const out = redactRun(run);
      assert.deepEqual(run, before, 'the input is not modified');
      const g = out.targets[0]!.findings[0]!;
      assert.equal(g.id, 'axl.auth.failed');
      assert.equal(g.severity, 'error');
      assert.equal(g.phase, 'axl');
      assert.equal(g.evidence[0]!.label, 'axl.status');
      assert.equal(g.evidence[0]!.line, 3);
      assert.deepEqual(g.references, f.references);
      assert.equal(out.targets[0]!.verdict, 'error');
      assert.equal(out.targets[1]!.verdict, 'ok');
      assert.equal(out.targets[1]!.findings[0]!.id, 'probe.ok');
      assert.equal(out.targets[1]!.findings[0]!.severity, 'info');
      assert.deepEqual(out.targets[0]!.data, { check: 'axl', dir: 'out', status: 'ok', outcome: 'error', key: 'given', tls: 'direct' });
      assert.equal(out.command, 'axl-verify');
      assert.equal(out.tool, 'xfed');
      assert.equal(out.schema, run.schema);
      assert.deepEqual(out.summary, run.summary);
      assert.equal(out.exitCode, run.exitCode);
      // ...while the secret itself, in free text, is masked.
      assert.equal(g.title, `AXL login refused: ${REDACTED}`);
      assert.ok(g.evidence[0]!.value.endsWith(REDACTED), g.evidence[0]!.value);
      const json = JSON.stringify(out);
      assert.ok(json.includes('"severity":"error"'));
      assert.ok(!new RegExp(`(?<![\\p{L}\\p{N}])${secret}(?![\\p{L}\\p{N}])`, 'u').test(JSON.stringify(out.targets.map((t) => t.findings.map((x) => [x.title, x.detail, x.fix, x.evidence.map((e) => e.value)])))));
    });
  }

  it('returns a clean run unchanged (no copy, no cost)', () => {
    const run = buildRun('check-dns', {}, [targetResult('x.test', [], { dns: { domain: 'x.test' } })], new Date(), false);
    assert.equal(redactRun(run), run);
  });
});

describe('hostile input cannot make redaction slow', () => {
  it('200 kB of each near-miss pattern takes well under a second (no quadratic scans)', () => {
    registerSecret('a');
    const N = 200_000;
    const inputs = [
      '<db:a '.repeat(N / 6),
      '&lt;db:a '.repeat(N / 9),
      `${'a.'.repeat(N / 2)}://`,
      '<password '.repeat(N / 10),
      'password="'.repeat(N / 10),
      `Authorization: Digest ${'a=b, '.repeat(N / 5)}`,
      `Cookie: ${'a=b; '.repeat(N / 5)}`,
      `<${'a'.repeat(N)} pass`,
      'pass'.repeat(N / 4),
      `${'abcdef0123 '.repeat(N / 11)}d780f198ac34a6dbd795fcdaf8762eaf52ea9b03`,
      'a '.repeat(N / 2),
    ];
    for (const s of inputs) {
      const t0 = performance.now();
      redactEvidence(s);
      const ms = performance.now() - t0;
      assert.ok(ms < 1000, `${ms.toFixed(0)} ms for ${JSON.stringify(s.slice(0, 30))}…`);
    }
  });
});
