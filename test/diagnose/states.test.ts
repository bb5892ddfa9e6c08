/**
 * Issue 12: states, not lines (a cause that a later line clears is info, "raised at …,
 * cleared at …"), root causes ranked before their consequences, the product of a
 * line from its shape, reason-aware ejabberd patterns, and an empty xmpp-cm log.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compileRules } from '../../src/diagnose/compile.js';
import { diagnose, type RuleSpec } from '../../src/diagnose/index.js';
import { lineProduct, pathProduct } from '../../src/diagnose/lines.js';

const tmp = mkdtempSync(join(tmpdir(), 'xfed-diag-states-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function logFile(name: string, lines: string[]): string {
  const p = join(tmp, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, lines.length ? `${lines.join('\n')}\n` : '');
  return p;
}

const alarm = (t: string, event: 'Raised' | 'Lowered', host = 'expc01') =>
  `2026-11-24T${t}.000+00:00 ${host} alarm: Level="WARN" Event="Alarm ${event}" Id="20004" UUID="3bca6888-f622-11df-93be-07cc953d7b99" Severity="warning" Detail="Cluster communication failure: The system is unable to communicate with one or more of the cluster peers" UTCTime="2026-11-24 ${t},000"`;

test('an alarm raised then lowered is info "raised at …, cleared at …"; raised again, it is an error', async () => {
  const [t] = await diagnose({ paths: [logFile('cleared.log', [alarm('09:00:00', 'Raised'), alarm('09:05:00', 'Lowered')])] });
  assert.deepEqual(
    t!.findings.map((f) => [f.id, f.severity]),
    [['diagnose.cluster.communication-failure', 'info']],
  );
  const f = t!.findings[0]!;
  assert.match(f.detail, /^Cleared: was raised at 2026-11-24T09:00:00\.000Z, cleared at 2026-11-24T09:05:00\.000Z \(.*cleared\.log:2\)/);
  assert.deepEqual(
    f.evidence.map((e) => [e.label, e.line]),
    [
      ['expc01', 1],
      ['cleared', 2],
    ],
  );
  assert.equal(t!.verdict, 'ok');
  assert.deepEqual(t!.data.diagnose.causes, [{ id: 'diagnose.cluster.communication-failure', severity: 'info', count: 1 }]);

  const [again] = await diagnose({ paths: [logFile('again.log', [alarm('09:00:00', 'Raised'), alarm('09:05:00', 'Lowered'), alarm('09:10:00', 'Raised')])] });
  assert.deepEqual(
    again!.findings.map((f) => [f.id, f.severity]),
    [['diagnose.cluster.communication-failure', 'error']],
  );
  assert.doesNotMatch(again!.findings[0]!.detail, /Cleared/);
});

test('a clear with a key clears only that key: another peer still raised keeps the error', async () => {
  const [t] = await diagnose({ paths: [logFile('two-peers.log', [alarm('09:00:00', 'Raised', 'expc01'), alarm('09:01:00', 'Raised', 'expc02'), alarm('09:05:00', 'Lowered', 'expc01')])] });
  assert.deepEqual(
    t!.findings.map((f) => [f.id, f.severity]),
    [['diagnose.cluster.communication-failure', 'error']],
  );
});

test('a failed ejabberd dialback, then a successful one with the same peer: cleared', async () => {
  const line = (t: string, s: string) => `2026-11-24 ${t}.000000+00:00 [info] <0.534.0>@ejabberd_s2s_in:handle_auth_failure/4:200 (tls|<0.534.0>) ${s}`;
  const [t] = await diagnose({
    paths: [
      logFile('db.log', [
        line('09:00:00', 'Failed inbound s2s dialback authentication liar.example -> b.test (198.51.100.7): invalid dialback key'),
        line('09:10:00', 'Accepted inbound s2s dialback authentication liar.example -> b.test (198.51.100.7)'),
        line('09:11:00', 'Failed inbound s2s dialback authentication other.example -> b.test (198.51.100.9): invalid dialback key'),
      ]),
    ],
  });
  // other.example was never cleared: still an error, with both keys as evidence.
  assert.deepEqual(
    t!.findings.map((f) => [f.id, f.severity]),
    [['diagnose.dialback.invalid', 'error']],
  );
  assert.deepEqual(t!.findings[0]!.evidence.map((e) => e.label), ['liar.example -> b.test', 'other.example -> b.test']);
});

test('the reason after the colon decides: remote-server-not-found is DNS, remote-server-timeout a dialback timeout, an invalid key a secret mismatch', async () => {
  const line = (reason: string) => `Failed inbound s2s dialback authentication jabber.sk -> suchat.org (::FFFF:80.94.54.36): ${reason}`;
  const cases: Array<[string, string]> = [
    ['remote-server-not-found', 'diagnose.dns.peer-unresolvable'],
    ['remote-server-timeout', 'diagnose.dialback.timeout'],
    ['invalid dialback key', 'diagnose.dialback.invalid'],
  ];
  for (const [reason, id] of cases) {
    const [t] = await diagnose({ paths: [logFile(`reason-${id}.log`, [line(reason)])] });
    assert.deepEqual(
      t!.findings.filter((f) => !f.id.startsWith('diagnose.input.')).map((f) => f.id),
      [id],
      reason,
    );
  }
});

test('Use of STARTTLS required is a TLS mode mismatch, not the privacy policy; a plain policy-violation stays a policy', async () => {
  const [t] = await diagnose({
    paths: [logFile('starttls.log', ['2026-11-24 09:15:05.123456+00:00 [warning] <0.533.0>@ejabberd_s2s_out:process_closed/2:157 Failed to establish outbound s2s connection b.test -> picky.example: Stream closed by peer: Use of STARTTLS required (policy-violation); bouncing for 10 seconds'])],
  });
  assert.deepEqual(
    t!.findings.map((f) => f.id),
    ['diagnose.tls.mode-mismatch'],
  );
  const [p] = await diagnose({
    paths: [logFile('policy.log', ['2026-11-24 09:15:05.123456+00:00 [warning] <0.533.0>@ejabberd_s2s_out:process_closed/2:157 Failed to establish outbound s2s connection b.test -> picky.example: Stream closed by peer: policy-violation; bouncing for 10 seconds'])],
  });
  assert.deepEqual(
    p!.findings.map((f) => f.id),
    ['diagnose.stream.policy-violation'],
  );
});

test('ranking: the root cause comes first and names its consequences; the consequence names its root', async () => {
  const ex = (t: string, detail: string) => `2026-11-24T${t}.000+00:00 expe01 XCP_CM2[22992]: UTCTime="2026-11-24 ${t},000" Module="XMPPFederation" Level="INFO " CodeLocation="x" Detail="${detail}"`;
  const [t] = await diagnose({
    paths: [
      logFile('rank.log', [
        // The dialback timeout starts first in time, yet the DNS failure explains it.
        ex('09:00:00', '(00000000-0000-0000-0000-000000000000, coluc.com:vngtp.lab, OUT) xcoder=34A9B60C8 Scheduling dialback timeout in 30 secs.'),
        ex('09:00:10', "Starting resolver lookup for 'vngtp.lab:puny=vngtp.lab:service=_xmpp-server._tcp:defport=0'"),
        ex('09:05:00', 'idle'),
      ]),
    ],
  });
  assert.deepEqual(
    t!.findings.map((f) => f.id),
    ['diagnose.dns.peer-unresolvable', 'diagnose.dialback.timeout'],
  );
  assert.match(t!.findings[0]!.detail, /Explains: diagnose\.dialback\.timeout \(consequences of this cause\)\./);
  assert.match(t!.findings[1]!.detail, /Probably a consequence of: diagnose\.dns\.peer-unresolvable \(reported above\)\./);
});

test('a cleared root cause explains nothing: its former consequence ranks on its own', async () => {
  const a = (id: string, extra: Partial<RuleSpec>): RuleSpec => ({
    id,
    title: id,
    severity: 'error',
    products: ['any'] as unknown as RuleSpec['products'],
    logs: '',
    match: [{ line: { keywords: [`${id}-RAISE`] } }],
    cause: 'A cause long enough to explain what this test rule is about.',
    fix: ['Nothing.'],
    references: [],
    ...extra,
  });
  const rules = [a('site.root', { explains: ['site.leaf'], clears: [{ keywords: ['site.root-CLEAR'] }] }), a('site.leaf', {})];
  const at = (m: number, s: string) => `2026-11-24 09:0${m}:00,000 INFO ${s}`;
  const [t] = await diagnose({ paths: [logFile('cleared-root.log', [at(0, 'site.leaf-RAISE'), at(1, 'site.root-RAISE'), at(2, 'site.root-CLEAR')])], rules });
  assert.deepEqual(
    t!.findings.map((f) => [f.id, f.severity]),
    [
      ['site.leaf', 'error'],
      ['site.root', 'info'],
    ],
  );
  assert.doesNotMatch(t!.findings[0]!.detail, /consequence/);
});

test('rules: clears and explains are validated like the rest', () => {
  const base = { id: 'site.x', title: 't', severity: 'error', products: ['any'], match: [{ line: { keywords: ['abc'] } }], cause: 'c', fix: [] };
  assert.throws(() => compileRules([{ ...base, clears: 'nope' } as unknown as RuleSpec]), /clears: must be a list of patterns/);
  assert.throws(() => compileRules([{ ...base, clears: [{ keywords: ['ab'] }] } as unknown as RuleSpec]), /too short/);
  assert.throws(() => compileRules([{ ...base, explains: [1] } as unknown as RuleSpec]), /explains: must be a list of strings/);
});

test('an empty xmpp-cm log does not prove that federation runs on IM&P; one with content does', async () => {
  const empty = logFile('imp-empty/epas/trace/xcp/log/xmpp-cm-4_00000001.log', []);
  const [t] = await diagnose({ paths: [empty] });
  assert.deepEqual(
    t!.findings.map((f) => f.id),
    ['diagnose.no-match'],
  );
  const full = logFile('imp-full/epas/trace/xcp/log/xmpp-cm-4_00000001.log', ['10:15:00.123 |debug xmpp-cm-4 started']);
  const [u] = await diagnose({ paths: [full] });
  assert.deepEqual(
    u!.findings.filter((f) => !f.id.startsWith('diagnose.input.')).map((f) => f.id),
    ['diagnose.imp.federation-enabled'],
  );
});

test('the product of a line, from its shape or the path', () => {
  const cases: Array<[string, string | undefined]> = [
    ['2017-04-25 19:49:53.972 [info] <0.23091.0>@ejabberd_s2s_out:init:292 Outbound s2s connection started: a -> b', 'ejabberd'],
    ['2018-09-20 11:18:19.868 [info] <0.1398.0>@mongoose_tcp_listener:accept_loop:78 Accepted connection', 'mongooseim'],
    ['Nov 24 09:15:03 s2sin55d8a9001111\twarn\tForbidding insecure connection to/from x', 'prosody'],
    ['apr 30 09:19:31 idea.xxx.cc prosody[1127318]: c2s5632c4b44610   info   Client connected', 'prosody'],
    ['Sep  9 18:30:05 xkh0g1 jabberd/s2s[8570]: [67] [178.33.33.232, port=5269] dialback verify request timed out', 'jabberd2'],
    ['Tue Apr 14 20:30:49 2015 [notice] [8] packet sent before session start, closing stream', 'jabberd2'],
    ['2015.09.29 17:38:01 Closing session due to incorrect hostname in stream header. Host: thor.manne.eu.', 'openfire'],
    ['[2026-11-24 09:15:00:123] [FINER  ] [            in_3-s2s ] Dialback.processAuth(): TLS is required', 'tigase'],
    ['xwayc XCP_JABBERD[23843]: UTCTime="2014-03-25 17:19:45,847" Module="Jabber"', 'expressway'],
    ['just some text', undefined],
  ];
  for (const [line, want] of cases) assert.equal(lineProduct(line, undefined), want, line);
  assert.equal(lineProduct('Nov 24 09:15:03 s2sin1\twarn\tx', 'metronome'), 'metronome');
  assert.equal(pathProduct('/var/log/metronome/metronome.log'), 'metronome');
  assert.equal(pathProduct('/opt/mongooseim/log/ejabberd.log'), 'mongooseim');
  assert.equal(pathProduct('/var/log/openfire/warn.log'), 'openfire');
});
