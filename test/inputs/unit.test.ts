/**
 * src/inputs and the wording of input errors, without servers: the secret-file rule, pipes
 * (with and without a writer), sockets and devices refused, size caps, and field -> flag /
 * config key names.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FileContentError, FileKindError, FileReadError, FileTooLargeError, InputError, PipeNoWriterError, UsageError } from '../../src/core/errors.js';
import { configKeyOf, flagOf, inConfigTerms, scrubUsageMessage, wordedFor } from '../../src/cli/flags.js';
import { isStdinAlias, readInput, readPemFile, readSecretFile, readText, secretFromText } from '../../src/inputs/index.js';

const dir = mkdtempSync(join(tmpdir(), 'xfed-inputs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

function fifo(name: string): string {
  const p = join(dir, name);
  execFileSync('mkfifo', [p]);
  return p;
}

describe('the secret-file rule', () => {
  test('the whole file, without a leading BOM and one trailing \\n or \\r\\n', () => {
    assert.equal(secretFromText('s3cret\n', 'f', 'p'), 's3cret');
    assert.equal(secretFromText('s3cret\r\n', 'f', 'p'), 's3cret');
    assert.equal(secretFromText('s3cret', 'f', 'p'), 's3cret');
    assert.equal(secretFromText('\uFEFFs3cret\n', 'f', 'p'), 's3cret');
    assert.equal(secretFromText('  spaces kept \t\n', 'f', 'p'), '  spaces kept \t');
    assert.equal(secretFromText('a\n\n', 'f', 'p'), 'a\n');
    assert.equal(secretFromText('line one\r\nline two\n', 'f', 'p'), 'line one\r\nline two');
  });
  test('an empty secret is refused', () => {
    for (const text of ['', '\n', '\r\n', '\uFEFF\n']) {
      assert.throws(() => secretFromText(text, 'axl.password_file', '/x'), (e: Error) => e instanceof FileContentError && e.code === 'XFED_SECRET_EMPTY' && e.field === 'axl.password_file' && e.message === 'axl.password_file /x: the file is empty', JSON.stringify(text));
    }
  });
  test('read from a file; larger than 64 KiB refused', async () => {
    assert.equal(await readSecretFile(file('pw', 'pw-1\r\n'), 'probe.secret_file'), 'pw-1');
    await assert.rejects(readSecretFile(file('big', 'x'.repeat(65 * 1024)), 'probe.secret_file'), (e: Error) => e instanceof FileTooLargeError && e.code === 'XFED_FILE_TOO_LARGE');
    await assert.rejects(readSecretFile(join(dir, 'nope'), 'probe.secret_file'), (e: Error) => e instanceof FileReadError && e.errno === 'ENOENT' && e.message === `cannot read probe.secret_file ${join(dir, 'nope')}: no such file`);
  });
  test('PEM files must hold a certificate', async () => {
    await assert.rejects(readPemFile(file('not.pem', 'hello\n'), 'axl.ca'), (e: Error) => e instanceof FileContentError && e.code === 'XFED_PEM_NO_CERTIFICATE' && /holds no PEM certificate$/.test(e.message));
    assert.match(await readPemFile(file('ok.pem', '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n'), 'axl.ca'), /BEGIN/);
  });
});

describe('pipes, sockets and devices', () => {
  test('a named pipe is read once a writer comes, even a late one', async () => {
    const p = fifo('late');
    const writer = spawn('sh', ['-c', `sleep 0.3; printf 'late line\\n' > '${p}'`]);
    const closed = new Promise((r) => writer.on('close', r));
    assert.equal(await readText(p, 'diagnose.input', { pipeWaitMs: 5000 }), 'late line\n');
    await closed;
  });
  test('a named pipe with no writer: PipeNoWriterError after the wait, the event loop never blocked', async () => {
    const p = fifo('none');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const t0 = Date.now();
    await assert.rejects(readText(p, 'diagnose.input', { pipeWaitMs: 400 }), (e: Error) => e instanceof PipeNoWriterError && e.code === 'XFED_PIPE_NO_WRITER' && /nothing writes to this pipe/.test(e.message));
    clearInterval(timer);
    assert.ok(Date.now() - t0 < 2000);
    assert.ok(ticks >= 5, `timers ran while waiting (${ticks})`);
  });
  test('a socket and a device are refused; the stdin aliases are not', async () => {
    const sock = join(dir, 'sock');
    const srv = createServer().listen(sock);
    await new Promise((r) => srv.once('listening', r));
    try {
      await assert.rejects(readText(sock, 'diagnose.input'), (e: Error) => e instanceof FileKindError && e.kind === 'socket' && e.code === 'XFED_FILE_KIND');
    } finally {
      srv.close();
    }
    await assert.rejects(readText('/dev/zero', 'diagnose.input'), (e: Error) => e instanceof FileKindError && e.kind === 'device');
    await assert.rejects(readText(dir, 'axl.ca'), (e: Error) => e instanceof FileKindError && e.kind === 'directory');
    assert.deepEqual(['/dev/stdin', '/dev/fd/0', '/dev/fd/63', '/proc/self/fd/3'].map(isStdinAlias), [true, true, true, true]);
    assert.deepEqual(['/dev/zero', '/dev/tty', '/dev/fd/x', '/tmp/dev/stdin'].map(isStdinAlias), [false, false, false, false]);
  });
  test('a stream larger than the cap stops with FileTooLargeError', async () => {
    const { Readable } = await import('node:stream');
    const big = Readable.from((function* () {
      for (let i = 0; i < 100; i++) yield Buffer.alloc(1024, 0x61);
    })());
    await assert.rejects(readInput('-', { field: 'dns.file', maxBytes: 10 * 1024, stdin: big }), (e: Error) => e instanceof FileTooLargeError && /larger than 10 KiB/.test(e.message));
  });
});

describe('input errors worded by field', () => {
  test('flags and config keys', () => {
    const pairs: Array<[string, string, string]> = [
      ['axl.server', '--server', 'axl.server'],
      ['axl.expect', '--expect', 'axl.expect'],
      ['axl.sql', '--sql', 'axl.sql'],
      ['axl.version', '--axl-version', 'axl.version'],
      ['axl.password_file', '--password-file', 'axl.password_file'],
      ['axl.ca', '--ca', 'axl.ca'],
      ['dns.doh', '--doh', 'dns.doh'],
      ['dns.resolver', '--resolver', 'dns.resolvers'],
      ['probe.secret_file', '--secret-file', 'probe.secret_file'],
      ['probe.deadline', '--deadline', 'probe.deadline'],
      ['probe.ca', '--ca', 'probe.ca'],
      ['diagnose.rules', '--rules', 'rules_file'],
      ['diagnose.input', 'input', 'logs'],
    ];
    assert.deepEqual(pairs.map(([f]) => [f, flagOf(f), configKeyOf(f)]), pairs);
  });
  test('the CLI words an InputError with the flag, doctor with the config key; other errors are unchanged', () => {
    const e = new InputError('dns.doh', 'needs an https:// URL', 'XFED_DNS_DOH');
    assert.equal(wordedFor(e, 'check-dns'), '--doh: needs an https:// URL');
    assert.equal(wordedFor(e, 'doctor'), 'dns.doh: needs an https:// URL');
    const r = new FileReadError('axl.password_file', '/etc/pw', 'EACCES', 'permission denied');
    assert.equal(wordedFor(r, 'axl-verify'), 'cannot read --password-file /etc/pw: permission denied');
    assert.equal(wordedFor(r, 'doctor'), 'cannot read axl.password_file /etc/pw: permission denied');
    const d = inConfigTerms(new InputError('dns.resolver', '"x" is not an IP address')) as UsageError;
    assert.ok(d instanceof UsageError && !(d instanceof InputError));
    assert.equal(d.message, 'dns.resolvers: "x" is not an IP address');
    const plain = new UsageError('use either --ca or --insecure, not both');
    assert.equal(wordedFor(plain, 'doctor'), plain.message);
  });
  test('usage messages never echo option values', () => {
    assert.equal(scrubUsageMessage("xfed: unknown option '--passwrod=hunter2'\n(Did you mean --password?)\n"), "xfed: unknown option '--passwrod'\n(Did you mean --password?)\n");
    assert.equal(scrubUsageMessage("xfed: option '--secret-file <path>' argument 'x' is invalid."), "xfed: option '--secret-file <path>' argument (value not shown) is invalid.");
    assert.equal(scrubUsageMessage("xfed: option '--port <n>' argument 'abc' is invalid."), "xfed: option '--port <n>' argument 'abc' is invalid.");
  });
});
