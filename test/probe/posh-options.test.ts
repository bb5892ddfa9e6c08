/**
 * POSH options: on by default, off with --no-posh (config: probe.posh: false), skipped when no
 * DNS is used (a server pinned to an IP address). Loopback only: the session is refused on a
 * closed port, no DNS server is asked.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/doctor/config.js';
import { observeProbe } from '../../src/probe/observe.js';

describe('POSH options', () => {
  it('doctor config: probe.posh defaults to on, false turns it off, anything else is a clear error naming the key', () => {
    assert.equal(parseConfig('partners: [a.example]\n', 'x.yaml').probe.posh, true);
    assert.equal(parseConfig('partners: [a.example]\nprobe: { posh: false }\n', 'x.yaml').probe.posh, false);
    assert.throws(() => parseConfig('partners: [a.example]\nprobe: { posh: "no" }\n', 'x.yaml'), /probe\.posh/);
  });
  it('a server pinned to an IP address, no DNS server given: POSH skipped, said in the facts, no HTTPS attempt', async () => {
    const f = await observeProbe({ peer: 'peer.test', host: '127.0.0.1', port: 9, dialback: false, timeouts: { tcp: 1000 } });
    assert.deepEqual(f.posh, { url: 'https://peer.test/.well-known/posh/xmpp-server.json', outcome: 'skipped', reason: 'the server was pinned to an IP address and no DNS server was given: no DNS is used', requests: [], ms: 0 });
  });
  it('posh: false (--no-posh): no POSH facts at all', async () => {
    const f = await observeProbe({ peer: 'peer.test', host: '127.0.0.1', port: 9, dialback: false, posh: false, timeouts: { tcp: 1000 } });
    assert.equal(f.posh, undefined);
  });
});
