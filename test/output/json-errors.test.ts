/**
 * `--json` (and `--format json`) writes one JSON document on stdout whatever happens: a usage
 * error (exit 2) and an internal error (exit 3) are `{schema, tool, version, exitCode, error}`,
 * valid against schema/xfed.schema.json, with the same sentence on stderr. Without JSON asked
 * for, stdout stays empty.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { errorDocument, wantsJson } from '../../src/cli/main.js';
import { UsageError } from '../../src/core/errors.js';
import { schemaErrors } from '../doctor/schema.js';
import { json, xfed } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'xfed-json-errors-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface ErrorDoc {
  schema: number;
  tool: string;
  exitCode: number;
  command?: string;
  error: { code: string; message: string };
}

describe('usage errors are one JSON document on stdout when JSON was asked for', { concurrency: true }, () => {
  const cases: Array<[string, string[], string, string]> = [
    ['a config that does not exist', ['--json', 'doctor', '-c', join(tmp, 'missing.yaml')], 'doctor', 'XFED_FILE_UNREADABLE'],
    ['an unknown option, --format json', ['--format', 'json', 'probe', '--bogus'], 'probe', 'XFED_USAGE'],
    ['no domain, --format=json', ['--format=json', 'check-dns'], 'check-dns', 'XFED_NO_DOMAIN'],
    ['a bad resolver, --json after the command', ['check-dns', '--json', '--resolver', 'nope', 'x.example'], 'check-dns', 'XFED_DNS_RESOLVER_INVALID'],
  ];
  for (const [name, args, command, code] of cases) {
    test(name, async () => {
      const r = await xfed(args);
      assert.equal(r.code, 2, r.stderr);
      const doc = json<ErrorDoc>(r);
      assert.deepEqual(schemaErrors(doc), []);
      assert.deepEqual([doc.tool, doc.exitCode, doc.command, doc.error.code], ['xfed', 2, command, code]);
      // The same sentence, once, on stderr.
      assert.equal(r.stderr, `xfed: ${doc.error.message}\n`);
    });
  }

  test('no command: the help on stderr, and the error document', async () => {
    const r = await xfed(['--json']);
    assert.equal(r.code, 2);
    const doc = json<ErrorDoc>(r);
    assert.deepEqual(schemaErrors(doc), []);
    assert.deepEqual(doc.error, { code: 'XFED_USAGE', message: 'no command given: xfed --help lists them' });
    assert.match(r.stderr, /^Usage: xfed /);
  });

  test('without --json a usage error writes nothing on stdout', async () => {
    const r = await xfed(['doctor', '-c', join(tmp, 'missing.yaml')]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
  });

  test('--format human wins over an earlier --json; --json after `--` is an operand', () => {
    assert.equal(wantsJson(['node', 'xfed', '--json', '--format', 'human', 'probe']), false);
    assert.equal(wantsJson(['node', 'xfed', 'diagnose', '--', '--json']), false);
    assert.equal(wantsJson(['node', 'xfed', '--format', 'junit', 'probe']), false);
    assert.equal(wantsJson(['node', 'xfed', 'probe', '--json']), true);
  });
});

describe('the error document', () => {
  test('an internal error is exit 3 with XFED_INTERNAL, and validates', () => {
    const doc = JSON.parse(errorDocument(3, new TypeError('boom'), 'probe')) as ErrorDoc;
    assert.deepEqual(schemaErrors(doc), []);
    assert.deepEqual(doc.error, { code: 'XFED_INTERNAL', message: 'internal error: boom' });
  });

  test('the schema refuses an error document with another exit code or extra keys', () => {
    const doc = JSON.parse(errorDocument(2, new UsageError('bad'), undefined)) as ErrorDoc & Record<string, unknown>;
    assert.deepEqual(schemaErrors(doc), []);
    assert.equal(doc.command, undefined);
    assert.ok(schemaErrors({ ...doc, exitCode: 0 }).length > 0);
    assert.ok(schemaErrors({ ...doc, targets: [] }).length > 0);
    assert.ok(schemaErrors({ ...doc, error: { code: 'XFED_USAGE' } }).length > 0);
  });
});

describe('a streamed report that fails half-way stays one JSON document', () => {
  test('stdout gets the targets done and options.error (exit 3); the -o file keeps its previous version', async () => {
    const { spawnSync } = await import('node:child_process');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const file = join(tmp, 'previous.json');
    writeFileSync(file, 'previous report\n');
    const stream = new URL('../../src/cli/stream.js', import.meta.url).href;
    const result = new URL('../../src/core/result.js', import.meta.url).href;
    const script = `
      import { streamRun, reportOnStdout } from ${JSON.stringify(stream)};
      import { targetResult } from ${JSON.stringify(result)};
      const g = { format: 'json', json: true, outputs: [{ format: 'json', file: ${JSON.stringify(file)} }], timeout: undefined, color: false, quiet: false, verbose: false, strict: false };
      const r = await streamRun('check-dns', { resolver: '127.0.0.1:53' }, 3, new Date(), g);
      r.add(0, targetResult('a.example', [], { dns: {} }));
      r.add(2, targetResult('c.example', [], { dns: {} }));
      await new Promise((ok) => setTimeout(ok, 80)); // the first batch is on stdout before the failure
      await r.abort(new TypeError('boom'));
      process.stderr.write('claimed=' + reportOnStdout());
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stderr, 'claimed=true');
    const doc = JSON.parse(child.stdout) as { exitCode: number; targets: Array<{ target: string }>; options: { error?: unknown }; summary: { targets: number } };
    assert.equal(doc.exitCode, 3);
    assert.deepEqual(doc.targets.map((t) => t.target), ['a.example', 'c.example']);
    assert.deepEqual(doc.options.error, { code: 'XFED_INTERNAL', message: 'internal error: boom' });
    assert.equal(doc.summary.targets, 2);
    assert.equal(readFileSync(file, 'utf8'), 'previous report\n');
  });
});
