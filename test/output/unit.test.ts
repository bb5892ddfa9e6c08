/**
 * The output path without servers or child processes: the schema strict on structure and
 * open on finding ids, `--output` parsing, rendering (redaction once, for every format), and
 * report files (refused inputs, temporary file and rename).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { UsageError } from '../../src/core/errors.js';
import { registerSecret } from '../../src/core/redact.js';
import { buildRun, finding, targetResult } from '../../src/core/result.js';
import { FORMATS, checkOutputs, parseOutput, renderRun, writeOutputs } from '../../src/report/output.js';
import { schemaErrors } from '../doctor/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'xfed-output-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A minimal valid run of `command` with one target carrying `data`. */
function run(command: string, data: Record<string, unknown>, findings: unknown[] = []): any {
  return {
    schema: 1,
    tool: 'xfed',
    version: '0.1.0',
    command,
    startedAt: '2026-11-25T12:00:00.000Z',
    durationMs: 1,
    options: {},
    targets: [{ target: 't.example', verdict: 'ok', findings, data }],
    summary: { targets: 1, errors: 0, warnings: 0, info: 0 },
    exitCode: 0,
  };
}

const DIAGNOSE = { rules: 1, inputs: [], inputsTotal: 0, totals: { bytes: 0, lines: 0, matched: 0, skipped: 0, results: 0 }, causes: [] };
const FINDING = { id: 'some.future.check', severity: 'info', title: 't', detail: '', evidence: [{ label: 'l', value: 'v' }], fix: '', target: 't.example' };

describe('the schema is strict on structure, open on finding ids', () => {
  test('accepts well-formed documents, whatever the finding id', () => {
    assert.deepEqual(schemaErrors(run('diagnose', { diagnose: DIAGNOSE }, [FINDING])), []);
    assert.deepEqual(schemaErrors(run('doctor', { check: 'diagnose', diagnose: DIAGNOSE })), []);
    assert.deepEqual(schemaErrors(run('doctor', { check: 'probe' })), [], 'a check that could not run carries its name only');
    assert.deepEqual(schemaErrors(run('dialback key', { dialback: { from: 'a', to: 'b', streamId: 'x', algorithm: 'xep-0185', key: '[redacted]' } })), []);
  });

  test('refuses unknown keys, misplaced facts and wrong types', () => {
    const cases: Array<[string, any]> = [
      ['unknown top-level key', { ...run('diagnose', { diagnose: DIAGNOSE }), extra: 1 }],
      ['unknown command', run('frobnicate', {})],
      ['unknown key in a target', (() => { const r = run('diagnose', { diagnose: DIAGNOSE }); r.targets[0].extra = 1; return r; })()],
      ['unknown key in a finding', run('diagnose', { diagnose: DIAGNOSE }, [{ ...FINDING, colour: 'red' }])],
      ['finding id without a dot', run('diagnose', { diagnose: DIAGNOSE }, [{ ...FINDING, id: 'nodots' }])],
      ['unknown severity', run('diagnose', { diagnose: DIAGNOSE }, [{ ...FINDING, severity: 'fatal' }])],
      ['evidence without a value', run('diagnose', { diagnose: DIAGNOSE }, [{ ...FINDING, evidence: [{ label: 'l' }] }])],
      ['diagnose facts not under data.diagnose', run('diagnose', DIAGNOSE)],
      ['probe facts flat in data', run('probe', { peer: 'p', from: 'f', attempts: [] })],
      ['axl facts flat in data', run('axl-verify', { url: 'u', user: 'u', versionsTried: [], sql: 's', expected: [], unexpected: [], tls: { verify: true }, http: { requests: 0, ms: [] } })],
      ['an unknown key next to the facts', run('diagnose', { diagnose: DIAGNOSE, extra: 1 })],
      ['an unknown fact', run('diagnose', { diagnose: { ...DIAGNOSE, extra: 1 } })],
      ['a fact of the wrong type', run('diagnose', { diagnose: { ...DIAGNOSE, rules: 'many' } })],
      ['a doctor target with another check\'s facts', run('doctor', { check: 'dns', diagnose: DIAGNOSE })],
      ['rules without data.rule', run('rules', {})],
      ['exit code 3 in a document', { ...run('diagnose', { diagnose: DIAGNOSE }), exitCode: 3 }],
      ['schema 2', { ...run('diagnose', { diagnose: DIAGNOSE }), schema: 2 }],
    ];
    for (const [name, doc] of cases) assert.ok(schemaErrors(doc).length > 0, name);
  });
});

describe('--output specs', () => {
  test('format=file, or a known extension', () => {
    assert.deepEqual(parseOutput('json=r.json'), { format: 'json', file: 'r.json' });
    assert.deepEqual(parseOutput('junit=out/r'), { format: 'junit', file: 'out/r' });
    assert.deepEqual(parseOutput('github=a=b.txt'), { format: 'github', file: 'a=b.txt' });
    assert.deepEqual(parseOutput('r.xml'), { format: 'junit', file: 'r.xml' });
    assert.deepEqual(parseOutput('R.TXT'), { format: 'human', file: 'R.TXT' });
    assert.throws(() => parseOutput('yaml=r.yaml'), UsageError);
    assert.throws(() => parseOutput('report.pdf'), /say the format/);
  });
});

describe('rendering and report files', () => {
  const SECRET = 'unit-output-secret-Zq9';
  registerSecret(SECRET);
  const run = buildRun(
    'diagnose',
    {},
    [targetResult('logs', [finding({ id: 'diagnose.dialback.invalid', severity: 'error', title: `key ${SECRET} refused`, target: 'logs', evidence: [{ label: 'log', value: `secret=${SECRET}` }] })], { diagnose: {} })],
    new Date(),
    false,
  );

  test('every format is rendered from the redacted run', async () => {
    for (const format of FORMATS) {
      const text = await renderRun(format, run, { strict: false, verbose: true, quiet: false, color: false });
      assert.ok(text.includes('diagnose.dialback.invalid'), format);
      assert.ok(!text.includes(SECRET), format);
    }
    assert.ok(JSON.stringify(run).includes(SECRET), 'the run itself is left as it was');
  });

  test('files are written through a temporary file and renamed; a failure is reported per file', async () => {
    const d = join(dir, 'write');
    mkdirSync(d);
    writeFileSync(join(d, 'r.json'), 'old');
    const failed = await writeOutputs(
      [
        { format: 'json', file: join(d, 'r.json') },
        { format: 'junit', file: join(d, 'missing', 'r.xml') },
        { format: 'github', file: join(d, 'r.txt') },
      ],
      run,
      { strict: false, verbose: false, quiet: false, color: true },
    );
    assert.deepEqual(failed, [`cannot write --output ${join(d, 'missing', 'r.xml')}: ENOENT`]);
    assert.equal(JSON.parse(readFileSync(join(d, 'r.json'), 'utf8')).command, 'diagnose');
    assert.match(readFileSync(join(d, 'r.txt'), 'utf8'), /^::error title=xfed diagnose logs%3A diagnose\.dialback\.invalid::/);
    assert.deepEqual(readdirSync(d).sort(), ['r.json', 'r.txt']);
  });

  test('an output that is an input, given twice, or unwritable is refused', async () => {
    const d = join(dir, 'check');
    mkdirSync(d);
    const input = join(d, 'in.log');
    writeFileSync(input, 'x');
    await assert.rejects(checkOutputs([{ format: 'json', file: join(d, '.', 'in.log') }], [{ label: '--file', file: input }]), /--output .*in\.log is also --file .*in\.log: refused/);
    await assert.rejects(checkOutputs([{ format: 'json', file: join(d, 'a') }, { format: 'human', file: join(d, 'x', '..', 'a') }], []), /is given twice/);
    await assert.rejects(checkOutputs([{ format: 'json', file: d }], []), /EISDIR/);
    await checkOutputs([{ format: 'json', file: join(d, 'new.json') }], [{ label: '--file', file: input }, { label: 'the input', file: '-' }]);
  });
});
