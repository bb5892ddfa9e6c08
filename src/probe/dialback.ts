/**
 * Phase 6: authentication by Server Dialback (XEP-0220 §2.1): our db:result (or, for
 * `xfed dialback verify`, a replayed db:verify) and the peer's answer. Observation sends and
 * waits; evaluation explains the answer.
 */
import { registerSecret } from '../core/redact.js';
import { resolveTargets } from '../dns/xmpp-srv.js';
import type { XmppConnection } from '../xmpp/connection.js';
import { dbResultElement, dbVerifyElement, dialbackKey, keyScheme, parseDialback, randomKey } from '../xmpp/dialback.js';
import { isStreamError, parseStreamError } from '../xmpp/stream-error.js';
import { child, NS, type XmlElement } from '../xmpp/xml.js';
import { addTiming, round, since } from './common.js';
import { beforeDeadline, DeadlineExceeded, type ObserveCtx } from './context.js';
import { read } from './stream.js';
import type { DialbackFacts, StreamFacts } from './types.js';

export { evaluateDialback } from './dialback-evaluate.js';

/** Where the peer calls back to verify our key: the server targets of `from`, as DNS says. */
async function observeCallback(ctx: ObserveCtx): Promise<DialbackFacts['callback']> {
  try {
    const r = await beforeDeadline(ctx, 'dns', resolveTargets(ctx.dns(), ctx.from, 'server'));
    const source = r.responses[0]?.resolver;
    const base = source !== undefined ? { source } : {};
    if (r.targets.length === 0) return { ...base, targets: [], none: r.responses.map((x) => `${x.type} ${x.rcode}`).join(', ') };
    return { ...base, targets: r.targets.slice(0, 4).map((x) => ({ host: x.host, port: x.port, via: x.fallback ? 'fallback, no SRV' : `_${x.service}` })) };
  } catch (e) {
    if (e instanceof DeadlineExceeded) throw e;
    return undefined;
  }
}

/** Waits for the answer to our db:result / db:verify and records it in `db`. */
async function awaitAnswer(ctx: ObserveCtx, conn: XmppConnection, db: DialbackFacts): Promise<void> {
  const verify = Boolean(ctx.o.verify);
  const deadline = Date.now() + ctx.t.dialback;
  for (;;) {
    const ev = await read(ctx, conn, 'dialback', Math.max(1, deadline - Date.now()));
    if (ev === 'timeout') {
      db.outcome = 'timeout';
      return;
    }
    if (ev.kind === 'element') {
      const a = parseDialback(ev.el);
      if (a && a.kind === (verify ? 'verify' : 'result') && a.type !== 'request') {
        db.outcome = a.type;
        db.answer = { ...(a.from !== undefined ? { from: a.from } : {}), ...(a.to !== undefined ? { to: a.to } : {}), ...(a.id !== undefined ? { id: a.id } : {}) };
        if (a.condition) db.condition = a.condition;
        if (a.text) db.text = a.text;
        return;
      }
      if (isStreamError(ev.el)) {
        const se = parseStreamError(ev.el);
        db.outcome = 'error';
        db.condition = se.condition;
        if (se.text) db.text = se.text;
        ctx.facts.streamError = { condition: se.condition, ...(se.text ? { text: se.text } : {}) };
        return;
      }
      continue;
    }
    if (ev.kind === 'parse-error') {
      db.outcome = 'error';
      db.condition = 'not-well-formed';
      db.text = ev.error.message;
    }
    return;
  }
}

/** Sends db:result (or db:verify) on the current stream and records the answer (`facts.dialback`). */
export async function observeDialback(ctx: ObserveCtx, conn: XmppConnection, stream: StreamFacts, features: XmlElement): Promise<void> {
  const { o } = ctx;
  const offered = Boolean(child(features, 'dialback', NS.dialbackFeature));
  const keyKind = o.secret ? 'xep-0220' : 'random';
  if (!offered && !stream.dialbackNamespace) {
    ctx.facts.dialback = { key: keyKind, outcome: 'not-offered' };
    return;
  }
  const id = o.verify ? o.verify.streamId : (stream.id ?? '');
  const key = o.verify ? o.verify.key : o.secret ? dialbackKey(o.secret, o.peer, ctx.from, id) : randomKey();
  // A valid key is a credential for this stream: mask it wherever it could be printed.
  registerSecret(key);
  const t0 = performance.now();
  conn.send(o.verify ? dbVerifyElement(ctx.from, o.peer, id, key) : dbResultElement(ctx.from, o.peer, key));
  const db: DialbackFacts = { key: o.verify ? 'given' : keyKind, streamId: id, outcome: 'closed', timeoutMs: ctx.t.dialback };
  if (o.verify) db.keyScheme = keyScheme(o.verify.key);
  ctx.facts.dialback = db;
  try {
    await awaitAnswer(ctx, conn, db);
  } catch (e) {
    // The probe's deadline came first: no answer in the time left.
    db.outcome = 'timeout';
    db.ms = round(since(t0));
    throw e;
  }
  db.ms = round(since(t0));
  addTiming(ctx.timings, 'dialback', db.ms);
  // With --host the probe asked no DNS; it does not start now either.
  if (!o.verify && db.outcome !== 'valid' && o.from && !o.host) {
    const cb = await observeCallback(ctx);
    if (cb) db.callback = cb;
  }
}
