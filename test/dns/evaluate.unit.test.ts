/**
 * check-dns evaluation from recorded facts, no sockets: fixtures/dns/facts.json holds the
 * facts (data.dns) observed from unbound serving fixtures/dns/example.zone (re-record with
 * fixtures/dns/record-facts.mjs). Every dns.* finding id is produced here, compared as exact sets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_OPTION_NAMES, evaluateDns, type DnsFacts, type QueryLog } from '../../src/dns/check.js';
import { FIXTURES } from '../helpers/servers.js';

const recorded = JSON.parse(readFileSync(join(FIXTURES, 'dns', 'facts.json'), 'utf8')) as Record<string, DnsFacts>;
const ids = (fs: Array<{ id: string; severity: string }>) => fs.map((f) => `${f.id}:${f.severity}`).sort();
function judge(facts: DnsFacts, opts: Parameters<typeof evaluateDns>[1] = {}): string[] {
  return ids(evaluateDns(facts, opts));
}
function facts(domain: string): DnsFacts {
  const f = recorded[domain];
  assert.ok(f, `${domain} is recorded`);
  return structuredClone(f);
}

const EXPECTED: Record<string, string[]> = {
  'good.example': ['dns.srv.ok:info'],
  'xn--bcher-kva.example': ['dns.srv.ok:info', 'dns.xmpps.absent:info'],
  'nosrv.example': ['dns.srv.missing:warning'],
  'nothing.example': ['dns.srv.missing:error'],
  'decline.example': ['dns.srv.decline:error'],
  'mixdecline.example': ['dns.srv.decline:warning', 'dns.srv.ok:info', 'dns.xmpps.absent:info'],
  'cname.example': ['dns.srv.ok:info', 'dns.srv.target-cname:warning', 'dns.xmpps.absent:info'],
  'unres.example': ['dns.srv.target-unresolvable:error', 'dns.xmpps.absent:info'],
  'halfres.example': ['dns.srv.ok:info', 'dns.srv.target-unresolvable:warning', 'dns.xmpps.absent:info'],
  'private.example': ['dns.srv.ok:info', 'dns.srv.target-private:error', 'dns.xmpps.absent:info'],
  'mixedpriv.example': ['dns.srv.ok:info', 'dns.srv.target-private:warning', 'dns.xmpps.absent:info'],
  'cgnat.example': ['dns.srv.ok:info', 'dns.srv.target-private:error', 'dns.xmpps.absent:info'],
  'loop.example': ['dns.srv.ok:info', 'dns.srv.target-private:error', 'dns.xmpps.absent:info'],
  'port.example': ['dns.srv.ok:info', 'dns.srv.port-nonstandard:warning', 'dns.xmpps.absent:info'],
  'xmpps.example': ['dns.srv.ok:info', 'dns.xmpps.starttls-port:error'],
  'xmppsonly.example': ['dns.srv.missing:warning', 'dns.srv.ok:info'],
  'iptarget.example': ['dns.srv.target-ip:error', 'dns.xmpps.absent:info'],
  'nosuch.example': ['dns.domain.nxdomain:error'],
  'outside-the-zone.org': ['dns.resolver.failed:error'],
  'srvalias.example': ['dns.srv.ok:info', 'dns.xmpps.absent:info'],
  'weights.example': ['dns.srv.ok:info'],
  'noclient.example': ['dns.srv.ok:info', 'dns.xmpps.absent:info'],
  'big.example': ['dns.response.truncated:info', 'dns.srv.ok:info', 'dns.srv.target-unresolvable:warning', 'dns.xmpps.absent:info'],
  'portzero.example': ['dns.srv.port-zero:error', 'dns.xmpps.absent:info'],
  'mapped.example': ['dns.srv.ok:info', 'dns.srv.target-private:error', 'dns.xmpps.absent:info'],
  'nat64.example': ['dns.srv.ok:info', 'dns.srv.target-private:error', 'dns.xmpps.absent:info'],
};

for (const [domain, expected] of Object.entries(EXPECTED)) {
  test(`evaluateDns(recorded ${domain}) -> exactly ${expected.join(', ')}`, () => {
    assert.deepEqual(judge(facts(domain)), expected);
  });
}

test('evaluation is pure: the same facts give the same findings, and the facts are not changed', () => {
  const f = facts('halfres.example');
  const before = JSON.stringify(f);
  assert.deepEqual(evaluateDns(f), evaluateDns(f));
  assert.equal(JSON.stringify(f), before);
});

test('--client: client records are judged only when asked (dns.client.missing)', () => {
  assert.deepEqual(judge(facts('noclient.example'), { includeClient: true }), ['dns.client.missing:warning', 'dns.srv.ok:info', 'dns.xmpps.absent:info']);
  assert.deepEqual(judge(facts('good.example'), { includeClient: true }), ['dns.srv.ok:info']);
});

test('allowPrivate: private targets become info, worded with the option name the caller uses', () => {
  const cli = evaluateDns(facts('private.example'), { allowPrivate: true });
  assert.deepEqual(ids(cli), ['dns.srv.ok:info', 'dns.srv.target-private:info', 'dns.xmpps.absent:info']);
  assert.equal(cli.find((f) => f.id === 'dns.srv.target-private')!.detail, 'Allowed by --allow-private (lab or private federation).');
  const doctor = evaluateDns(facts('private.example'), { allowPrivate: true, optionNames: CONFIG_OPTION_NAMES });
  assert.equal(doctor.find((f) => f.id === 'dns.srv.target-private')!.detail, 'Allowed by dns.allow_private (lab or private federation).');
  assert.ok(!JSON.stringify(doctor).includes('--'), 'no CLI flag in doctor wording');
});

test('resolver failures are worded with the caller\'s option names', () => {
  const f = evaluateDns(facts('outside-the-zone.org'), { optionNames: CONFIG_OPTION_NAMES }).find((x) => x.id === 'dns.resolver.failed')!;
  assert.match(f.fix, /try another with dns\.resolvers, or dns\.tcp/);
  assert.match(evaluateDns(facts('outside-the-zone.org')).find((x) => x.id === 'dns.resolver.failed')!.fix, /--resolver, or --tcp/);
});

const failedQuery = (name: string, type: string, rcode: string, error: string): QueryLog => ({ name, type, rcode, resolver: '127.0.0.1:53', transport: 'udp', truncated: false, authoritative: false, ms: 5, records: [], error });

/** nosrv.example as if this machine had run out of file descriptors for its SRV question. */
function localFailure(): DnsFacts {
  const f = facts('nosrv.example');
  f.services[0]!.rcode = 'LOCALERR';
  f.services[0]!.records = [];
  f.queries = f.queries.map((q) => (q.name === '_xmpp-server._tcp.nosrv.example' ? failedQuery(q.name, q.type, 'LOCALERR', 'EMFILE on this machine (no file descriptor left)') : q));
  return f;
}

/** halfres.example with its unresolvable target resolvable, on port 0. */
function portZeroBeside(): DnsFacts {
  const f = facts('halfres.example');
  const zero = f.services[0]!.records.find((e) => e.target === 'nohost.halfres.example')!;
  Object.assign(zero, { port: 0, resolvable: true, addresses: [{ address: '203.0.113.33', family: 4, ttl: 60, class: 'public' }] });
  return f;
}

test('LOCALERR (EMFILE on this machine) is dns.local.failed, never a resolver failure nor a missing record', () => {
  const out = evaluateDns(localFailure());
  assert.deepEqual(ids(out), ['dns.local.failed:error']);
  assert.match(out[0]!.fix, /ulimit -n.*--concurrency/);
  assert.equal(out[0]!.evidence[0]!.source, 'this machine');
});

test('BADANSWER counts as a resolver failure, and the evidence names what came', () => {
  const f = facts('nosrv.example');
  f.services[0]!.rcode = 'BADANSWER';
  f.queries = f.queries.map((q) => (q.name === '_xmpp-server._tcp.nosrv.example' ? failedQuery(q.name, q.type, 'BADANSWER', 'no valid answer: the server sent an answer for another question (evil.example SRV) within 1000 ms') : q));
  const out = evaluateDns(f);
  assert.deepEqual(ids(out), ['dns.resolver.failed:error']);
  assert.match(out[0]!.title, /\(BADANSWER\)/);
  assert.match(out[0]!.evidence[0]!.value, /^BADANSWER: no valid answer: the server sent an answer for another question/);
});

test('port 0: an error when it is the only port, a warning beside a usable record', () => {
  const f = portZeroBeside();
  assert.deepEqual(judge(f), ['dns.srv.ok:info', 'dns.srv.port-zero:warning', 'dns.xmpps.absent:info']);
  const ok = evaluateDns(f).find((x) => x.id === 'dns.srv.ok')!;
  assert.doesNotMatch(ok.title, /:0 /, 'a port-0 record is not a federation target');
});

test('port 0 on client records: info beside a usable client record, a warning when it is the only one', () => {
  const f = facts('good.example');
  const client = f.services.find((x) => x.service === 'xmpp-client')!;
  const usable = client.records[0]!;
  client.records.push({ ...usable, port: 0, rank: usable.rank + 1 });
  assert.deepEqual(judge(f, { includeClient: true }), ['dns.srv.ok:info', 'dns.srv.port-zero:info']);
  client.records = client.records.filter((e) => e.port === 0);
  assert.deepEqual(judge(f, { includeClient: true }), ['dns.srv.ok:info', 'dns.srv.port-zero:warning']);
});

test('every dns.* finding id is produced by these tests', () => {
  const all = [
    'dns.client.missing', 'dns.domain.nxdomain', 'dns.local.failed', 'dns.resolver.failed', 'dns.response.truncated', 'dns.srv.decline',
    'dns.srv.missing', 'dns.srv.ok', 'dns.srv.port-nonstandard', 'dns.srv.port-zero', 'dns.srv.target-cname', 'dns.srv.target-ip',
    'dns.srv.target-private', 'dns.srv.target-unresolvable', 'dns.xmpps.absent', 'dns.xmpps.starttls-port',
  ];
  // Emitted ids, read from the source: a new id must be added to `all` (and to the catalogue).
  const src = readFileSync(join(FIXTURES, '..', 'src', 'dns', 'evaluate.ts'), 'utf8');
  const inSource = [...src.matchAll(/'(dns\.[a-z0-9.-]+)'/g)].map((m) => m[1]!);
  assert.deepEqual([...new Set(inSource)].sort(), all);
  const produced = new Set(
    [
      ...Object.keys(EXPECTED).flatMap((d) => judge(facts(d))),
      ...judge(facts('noclient.example'), { includeClient: true }),
      ...judge(localFailure()),
      ...judge(portZeroBeside()),
    ].map((x) => x.split(':')[0]!),
  );
  assert.deepEqual([...produced].sort(), all, 'every id is produced by a case of this file');
});
