/** One session on a connected target: stream, STARTTLS, SASL EXTERNAL (with --cert), dialback. */
import type { TLSSocket } from 'node:tls';
import type { XmppConnection } from '../xmpp/connection.js';
import { child, elements, NS, textOf } from '../xmpp/xml.js';
import { observeConnect } from './connect.js';
import { DeadlineExceeded, type ObserveCtx } from './context.js';
import type { Candidate } from './resolve.js';
import { observeDialback } from './dialback.js';
import { observeSasl } from './sasl.js';
import { observeStream, type OpenedStream } from './stream.js';
import { observeStartTls } from './tls.js';

export async function session(ctx: ObserveCtx, conn: XmppConnection, directTls?: TLSSocket): Promise<void> {
  const first = await observeStream(ctx, conn, 'stream');
  if (!first) return;
  let current: OpenedStream = first;
  let secure = Boolean(directTls);
  if (!secure) {
    const r = await observeStartTls(ctx, conn, first);
    if (r === 'stop') return;
    if (r === 'tls') {
      secure = true;
      const again = await observeStream(ctx, conn, 'features');
      if (!again) return;
      current = again;
    }
  }
  if (secure) {
    ctx.facts.secureStream = current.facts;
    ctx.afterTls?.();
  }
  const mechs = child(current.features, 'mechanisms', NS.sasl);
  if (mechs) ctx.facts.saslMechanisms = elements(mechs).map(textOf);
  if (secure && ctx.o.cert && !ctx.o.verify) {
    const s = await observeSasl(ctx, conn, ctx.facts.saslMechanisms ?? []);
    // Authenticated: no dialback needed on this stream (a server would restart the stream and send stanzas).
    if (s.outcome === 'success') {
      ctx.facts.dialback = { key: ctx.o.secret ? 'xep-0220' : 'random', outcome: 'skipped' };
      return;
    }
  }
  if (ctx.o.dialback === false) {
    ctx.facts.dialback = { key: ctx.o.secret ? 'xep-0220' : 'random', outcome: 'skipped' };
    return;
  }
  await observeDialback(ctx, conn, current.facts, current.features);
}

/**
 * Connects to the first candidate that answers and runs the session on it (closing it after);
 * the probe's deadline ends it as a fact (`cut.deadline`), not an error.
 */
export async function connectAndRun(ctx: ObserveCtx, list: Candidate[]): Promise<void> {
  try {
    const conn = await observeConnect(ctx, list);
    if (!conn) return;
    try {
      await session(ctx, conn.conn, conn.tls);
    } finally {
      conn.conn.close();
    }
  } catch (e) {
    if (!(e instanceof DeadlineExceeded)) throw e;
    (ctx.facts.cut ??= {}).deadline = { phase: e.phase };
  }
}
