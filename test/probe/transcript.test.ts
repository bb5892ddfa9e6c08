/**
 * The transcript is a listener on a connection's events, and redacts by element: the key of a
 * db:result / db:verify is masked in both directions without searching text. waitFor is the
 * one helper every phase timeout goes through.
 */
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { TimeoutError } from '../../src/core/errors.js';
import { waitFor } from '../../src/core/wait-for.js';
import type { XmppConnection } from '../../src/xmpp/connection.js';
import { dbResult, dbResultElement, dbVerifyElement } from '../../src/xmpp/dialback.js';
import { Transcript } from '../../src/xmpp/transcript.js';
import { NS, type XmlElement } from '../../src/xmpp/xml.js';

const KEY = 'a'.repeat(64);

function fakeConnection(): EventEmitter & XmppConnection {
  return new EventEmitter() as EventEmitter & XmppConnection;
}

describe('Transcript', () => {
  it('masks the key of an outgoing db:result as an element; the wire text keeps it', () => {
    const conn = fakeConnection();
    const t = new Transcript();
    t.listen(conn);
    const el = dbResultElement('us.test', 'peer.test', KEY);
    conn.emit('out', { text: dbResult('us.test', 'peer.test', KEY), el });
    conn.emit('out', { text: `<starttls xmlns='${NS.tls}'/>` });
    assert.equal(dbResult('us.test', 'peer.test', KEY), `<db:result from='us.test' to='peer.test'>${KEY}</db:result>`);
    assert.deepEqual(
      t.lines.map((l) => `${l.dir} ${l.text}`),
      ["out <db:result from='us.test' to='peer.test'>[redacted]</db:result>", `out <starttls xmlns='${NS.tls}'/>`],
    );
  });
  it('records received elements as parsed, with a db:verify key masked, and notes', () => {
    const conn = fakeConnection();
    const t = new Transcript();
    t.listen(conn);
    const header: XmlElement = { name: 'stream', ns: NS.stream, attrs: { from: 'peer.test', id: 'abc', version: '1.0' }, children: [], decls: { '': NS.server, stream: NS.stream, db: NS.dialback } };
    conn.emit('in', "<stream:stream ...><db:verify from='peer.test' to='us.test' id='abc'>secret-key</db:verify>");
    conn.emit('stream', { kind: 'header', el: header });
    conn.emit('stream', { kind: 'element', el: dbVerifyElement('peer.test', 'us.test', 'abc', 'secret-key') });
    conn.emit('note', 'TLS up');
    conn.emit('stream', { kind: 'end' });
    assert.deepEqual(t.lines.map((l) => `${l.dir} ${l.text}`), [
      `in <stream:stream xmlns='${NS.server}' xmlns:stream='${NS.stream}' xmlns:db='${NS.dialback}' from='peer.test' id='abc' version='1.0'>`,
      "in <db:verify from='peer.test' to='us.test' id='abc'>[redacted]</db:verify>",
      'note TLS up',
      'in </stream:stream>',
    ]);
    assert.ok(!JSON.stringify(t.lines).includes('secret-key'));
  });
  it('keeps the raw bytes that did not parse', () => {
    const conn = fakeConnection();
    const t = new Transcript();
    t.listen(conn);
    conn.emit('in', 'HTTP/1.1 400 Bad Request\r\n');
    conn.emit('stream', { kind: 'parse-error', error: new Error('not xml') });
    assert.deepEqual(t.lines.map((l) => `${l.dir} ${l.text}`), ['in HTTP/1.1 400 Bad Request\r\n']);
  });
  it('stops at its size and says so', () => {
    const conn = fakeConnection();
    const t = new Transcript(10);
    t.listen(conn);
    conn.emit('note', '0123456789abc');
    conn.emit('note', 'more');
    assert.deepEqual(t.lines.map((l) => l.text), ['0123456789…[truncated]']);
    assert.equal(t.truncated, true);
  });
});

describe('waitFor', () => {
  it('resolves with the event value and removes its listeners', async () => {
    const e = new EventEmitter();
    const p = waitFor<number>(e, 'ready', 1000);
    e.emit('ready', 42);
    assert.equal(await p, 42);
    assert.equal(e.listenerCount('ready') + e.listenerCount('error'), 0);
  });
  it('rejects with the error event', async () => {
    const e = new EventEmitter();
    const p = waitFor(e, 'ready', 1000);
    e.emit('error', Object.assign(new Error('boom'), { code: 'EMFILE' }));
    await assert.rejects(p, { code: 'EMFILE' });
    assert.equal(e.listenerCount('error'), 0);
  });
  it('rejects with TimeoutError naming the phase, within the time', async () => {
    const e = new EventEmitter();
    let cleaned = false;
    const t0 = performance.now();
    await assert.rejects(waitFor(e, 'ready', 50, { phase: 'tcp', onTimeout: () => (cleaned = true) }), (err: unknown) => err instanceof TimeoutError && err.phase === 'tcp' && err.ms === 50);
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(cleaned, true);
    assert.equal(e.listenerCount('ready'), 0);
  });
  it('custom failing events', async () => {
    const e = new EventEmitter();
    const p = waitFor(e, 'secure', 1000, { fail: { close: () => new Error('closed early') } });
    e.emit('close');
    await assert.rejects(p, /closed early/);
  });
});
