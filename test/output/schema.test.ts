// @needs-servers: starts Debian servers (unbound, Prosody, ejabberd); `npm run test:unit` leaves this file out.
/**
 * schema/xfed.schema.json (issue 9 item 2): the `--json` of every command validates against
 * the one versioned schema, run against real servers. The schema's own strictness is tested
 * without servers in test/output/unit.test.ts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dialbackKey } from '../../src/xmpp/dialback.js';
import { schemaErrors } from '../doctor/schema.js';
import { json, xfed } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/servers.js';
import { AXL_PASSWORD, AXL_USER, DIALBACK_SECRET, skipServers, startServers, type Servers } from './setup.js';

let s: Servers;
before(async () => {
  if (!skipServers) s = await startServers();
});
after(async () => {
  await s?.stop();
});

/** The data key each command's targets carry their facts under. */

describe('every command\'s --json validates against schema/xfed.schema.json', { skip: skipServers, concurrency: true }, () => {
  const env = { XFED_AXL_PASSWORD: AXL_PASSWORD, XFED_DIALBACK_SECRET: undefined };
  const runs: Array<[string, () => string[], string?]> = [
    ['check-dns', () => ['check-dns', '--resolver', s.dns.resolver, 'good.example', 'private.example', 'nothing.example', 'unres.example', '--client']],
    ['check-dns over TCP', () => ['check-dns', '--resolver', s.dns.resolver, '--tcp', 'halfres.example', 'bücher.example']],
    ['probe: dialback valid', () => ['probe', 'peer.test', '--host', '127.0.0.1', '--port', String(s.s2s.port), '--from', 'us.test', '--secret-file', s.secretFile, '--ca', s.s2sCa]],
    ['probe: certificate untrusted, dialback invalid', () => ['probe', 'peer.test', '--host', '127.0.0.1', '--port', String(s.s2s.port), '--from', 'us.test', '--secret-file', s.wrongSecretFile]],
    ['probe: refused', () => ['probe', 'x.example', '--host', '127.0.0.1', '--port', '9', '--timeout', '1000']],
    ['dialback verify', () => ['dialback', 'verify', '127.0.0.1', '--port', String(s.s2s.port), '--from', 'x.test', '--to', 'peer.test', '--stream-id', 'id-1', '--key-file', '-', '--ca', s.s2sCa], `${dialbackKey(DIALBACK_SECRET, 'x.test', 'peer.test', 'id-1')}\n`],
    ['axl-verify --all', () => ['axl-verify', '--server', `127.0.0.1:${s.axl.port}`, '--user', AXL_USER, '--ca', s.axlCa, '--expect', 'eft-xwye-a.coluc.com', '--expect', 'missing.example.com', '--all']],
    ['axl-verify --sql', () => ['axl-verify', '--server', `127.0.0.1:${s.axl.port}`, '--user', AXL_USER, '--ca', s.axlCa, '--sql', 'SELECT pkid, cp_id FROM xmpps2snodes']],
    ['diagnose', () => ['diagnose', join(FIXTURES, 'logs')]],
    ['diagnose xfed JSON', () => ['diagnose', join(FIXTURES, 'logs', 'results-probe-and-axl.json')]],
    ['doctor --demo', () => ['doctor', '--demo']],
    ['rules', () => ['rules']],
    ['rules show', () => ['rules', 'show', 'diagnose.axl.http-401']],
    ['explain a finding id', () => ['explain', 'probe.cert.untrusted']],
    ['explain a rule id', () => ['explain', 'dialback.timeout']],
    ['dialback key', () => ['dialback', 'key', '--secret-file', s.secretFile, '--from', 'a.example', '--to', 'b.example', '--stream-id', 'abc']],
  ];
  for (const [name, args, input] of runs) {
    test(name, async () => {
      const r = await xfed([...args(), '--json'], { env, ...(input ? { input } : {}), timeoutMs: 90_000 });
      assert.ok(r.code === 0 || r.code === 1, `exit ${r.code} ${r.stderr}`);
      const doc = json(r);
      assert.deepEqual(schemaErrors(doc), []);
    });
  }
});
