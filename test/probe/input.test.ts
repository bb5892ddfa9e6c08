/** Bad probe options are InputErrors named by their field, whoever built the options. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { checkProbeOptions } from '../../src/probe/input.js';
import { observeProbe } from '../../src/probe/observe.js';

const field = (f: string, code: string) => (e: unknown) => e instanceof InputError && e.field === f && e.code === code && !/--/.test(e.message);

describe('checkProbeOptions', () => {
  it('accepts what the CLI and doctor build', () => {
    checkProbeOptions({ peer: 'peer.test', from: 'us.test', host: '::1', port: 5269, ca: ['-----BEGIN CERTIFICATE-----\n...'], timeouts: { tcp: 1000 } });
    checkProbeOptions({ peer: 'xn--bcher-kva.example', host: 'xmpp.peer.test' });
  });
  const bad: Array<[string, Parameters<typeof checkProbeOptions>[0], string, string]> = [
    ['an IP as the peer', { peer: '192.0.2.1' }, 'probe.peer', 'XFED_PROBE_PEER'],
    ['a host with a space', { peer: 'peer.test', host: 'a b' }, 'probe.host', 'XFED_PROBE_HOST'],
    ['port 0', { peer: 'peer.test', port: 0 }, 'probe.port', 'XFED_PROBE_PORT'],
    ['port 70000', { peer: 'peer.test', port: 70_000 }, 'probe.port', 'XFED_PROBE_PORT'],
    ['a CA without a certificate', { peer: 'peer.test', ca: ['hello'] }, 'probe.ca', 'XFED_PROBE_CA'],
    ['a negative timeout', { peer: 'peer.test', timeouts: { tcp: -1 } }, 'probe.timeouts.tcp', 'XFED_PROBE_TIMEOUT'],
    ['a stream id with XML', { peer: 'peer.test', verify: { streamId: "a'b", key: 'k' } }, 'probe.stream_id', 'XFED_PROBE_STREAM_ID'],
  ];
  for (const [what, o, f, code] of bad) {
    it(`refuses ${what} (${f})`, () => assert.throws(() => checkProbeOptions(o), field(f, code)));
  }
  it('observeProbe checks before any network work', async () => {
    await assert.rejects(observeProbe({ peer: 'peer.test', port: 0 }), field('probe.port', 'XFED_PROBE_PORT'));
  });
});
