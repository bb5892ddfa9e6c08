/**
 * A run written one target at a time (src/report/stream.ts, used by check-dns): the pieces
 * put together are, byte for byte, what renderRun() makes of the whole run, for json and the
 * generic human report, whatever the options; secrets are redacted in every piece.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { clearSecrets, registerSecret } from '../../src/core/redact.js';
import { buildRun, finding, targetResult, type RunResult, type TargetResult } from '../../src/core/result.js';
import { renderRun, type RenderOptions } from '../../src/report/output.js';
import { dnsSection } from '../../src/report/sections/check-dns.js';
import { streamRenderer } from '../../src/report/stream.js';

after(() => clearSecrets());

const SECRET = 'hunter2-dialback-Secret';

function target(i: number, kind: 'ok' | 'bad' | 'hostile'): TargetResult {
  const name = `d${i}.example`;
  const findings =
    kind === 'ok'
      ? [finding({ id: 'dns.srv.ok', severity: 'info', title: `1 federation target: ${name}:5269 (starttls)`, target: name, evidence: [{ label: '#1', value: `_xmpp-server._tcp.${name}. 300 IN SRV 0 0 5269 ${name}.`, source: '127.0.0.1:53' }] })]
      : [
          finding({ id: 'dns.srv.missing', severity: 'error', title: `No SRV for ${name}`, detail: 'Line one\nline two', target: name, fix: 'Publish it.', references: ['https://www.rfc-editor.org/rfc/rfc6120'] }),
          finding({ id: 'dns.srv.port-nonstandard', severity: 'warning', title: 'port 5270', target: name, evidence: Array.from({ length: 10 }, (_, j) => ({ label: 'SRV', value: `record ${j}`, source: 'r' })) }),
          finding({ id: 'dns.xmpps.absent', severity: 'info', title: 'no xmpps', target: name }),
        ];
  if (kind === 'hostile') {
    // Control characters, line separators, workflow commands, a registered secret and secret shapes.
    findings.push(
      finding({
        id: 'dns.resolver.failed',
        severity: 'error',
        title: `::error::boom \u2028 ##[group] \u001b[31mred\u001b[0m ${SECRET}`,
        detail: `password=${SECRET} and Authorization: Bearer abc.def`,
        target: name,
        evidence: [{ label: 'TXT', value: `"v=1 token=${SECRET}"\r\n::warning::x`, source: 'x\u2029y' }],
      }),
    );
  }
  return targetResult(name, findings, { dns: { domain: name, unicode: name, resolver: '127.0.0.1:53', services: [], domainAddresses: [], domainRcode: 'NOERROR', queries: [] } }, { display: kind === 'hostile' ? `bü${i}.example` : name, timings: { dns: 1.5 } });
}

function runOf(targets: TargetResult[]): RunResult {
  const run = buildRun('check-dns', { resolver: '127.0.0.1:53', note: `secret ${SECRET}` }, targets, new Date('2026-11-29T20:00:00Z'), false);
  return { ...run, durationMs: 1234.5 };
}

/** The text of `run` from the pieces of the stream renderer. */
async function streamed(format: 'json' | 'human', run: RunResult, o: RenderOptions): Promise<string> {
  const r = (await streamRenderer(format, { ...run, targets: [] }, run.targets.length, o))!;
  assert.ok(r, `${format} streams`);
  return r.begin() + run.targets.map((t) => r.target(t)).join('') + r.end({ ...run, targets: [] });
}

const base: RenderOptions = { strict: false, verbose: false, quiet: false, color: false, section: dnsSection, width: 80 };
const shapes: Record<string, TargetResult[]> = {
  none: [],
  one: [target(0, 'bad')],
  oneOk: [target(0, 'ok')],
  many: [target(0, 'ok'), target(1, 'bad'), target(2, 'hostile'), target(3, 'ok'), target(4, 'bad')],
};

test('json in pieces: the same bytes as the whole document, secrets redacted', async () => {
  registerSecret(SECRET);
  for (const [shape, targets] of Object.entries(shapes)) {
    const run = runOf(targets);
    const whole = await renderRun('json', run, base);
    assert.equal(await streamed('json', run, base), whole, shape);
    assert.doesNotMatch(whole, new RegExp(SECRET), shape);
    JSON.parse(whole);
  }
});

test('human in pieces: the same bytes as the whole report, for every option', async () => {
  registerSecret(SECRET);
  const variants: Array<[string, Partial<RenderOptions>]> = [
    ['plain', {}],
    ['verbose', { verbose: true }],
    ['quiet', { quiet: true }],
    ['color', { color: true }],
    ['narrow', { width: 40 }],
    ['no section', { section: undefined }],
  ];
  for (const [shape, targets] of Object.entries(shapes))
    for (const [name, o] of variants) {
      const run = runOf(targets);
      const whole = await renderRun('human', run, { ...base, ...o });
      assert.equal(await streamed('human', run, { ...base, ...o }), whole, `${shape}, ${name}`);
      assert.doesNotMatch(whole, new RegExp(SECRET), `${shape}, ${name}`);
    }
});

test('the formats that need the whole run do not stream', async () => {
  const run = runOf(shapes.many!);
  for (const format of ['junit', 'github', 'html'] as const) assert.equal(await streamRenderer(format, run, 5, base), undefined, format);
  assert.equal(await streamRenderer('human', run, 5, { ...base, human: () => 'own report' }), undefined, "a command's own human renderer");
});

test("json in pieces: a target's text is final when it is given (nothing of it waits for the end)", async () => {
  const run = runOf(shapes.many!);
  const r = (await streamRenderer('json', { ...run, targets: [] }, 5, base))!;
  const head = r.begin();
  const first = r.target(run.targets[0]!);
  // The head and the first target alone already hold the first target's whole JSON.
  assert.match(head + first, /"targets": \[\n {4}\{\n {6}"target": "d0\.example"/);
  assert.ok((head + first).endsWith('\n    }'), 'the first target is closed');
  assert.doesNotMatch(head, /durationMs|summary|exitCode/, 'what is known at the end comes after the targets');
});
