/**
 * A small in-process XMPP server-to-server listener: real streams, STARTTLS or direct TLS
 * with a given key/certificate, Server Dialback (XEP-0220) as receiving and authoritative
 * server with a given secret, and scripted misbehaviour for hostile-peer tests.
 * Used by the test suite and by `xfed doctor --demo` (a demo peer on 127.0.0.1, port 0).
 *
 * It receives only; as a receiving server it judges `db:result` keys itself with its secret
 * (as if every originating domain shared it, the way a cluster does), instead of calling back.
 *
 *   const peer = await startS2sServer({ domains: ['demo.test'], tls: { key, cert }, tlsMode: 'required', secret });
 *   const r = await probePeer({ peer: 'demo.test', from: 'us.test', host: peer.host, port: peer.port, secret, ca: [cert] });
 *   await peer.close();
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext, type TLSSocket, type TLSSocketOptions } from 'node:tls';
import { XmppConnection, streamHeader, type StreamEvent } from './connection.js';
import { dialbackKey, parseDialback, type DialbackAnswer } from './dialback.js';
import { certNames, matchIdentity } from './identity.js';
import { attrs, escapeXml, NS } from './xml.js';

export type Misbehaviour =
  /** Answers with an HTTP error instead of XML. */
  | 'garbage'
  /** Accepts the connection and never says anything. */
  | 'stall'
  /** Accepts the connection and closes it at once. */
  | 'hang-up'
  /** Sends a DTD with nested entities (billion laughs) before the stream. */
  | 'billion-laughs'
  /** After the features, sends one 10 MB stanza. */
  | 'huge-stanza'
  /** After the features, sends elements nested 10 000 deep. */
  | 'deep-nesting'
  /** Says <proceed/> to STARTTLS, then resets the connection in the middle of the handshake. */
  | 'reset-in-tls'
  /** Never answers db:result. */
  | 'stall-dialback'
  /** Answers every db:result with type='invalid'. */
  | 'reject-dialback'
  /** Answers every db:result with type='error' and remote-server-not-found. */
  | 'error-dialback'
  /** Sends a stream header in the wrong namespace (jabber:client). */
  | 'wrong-namespace'
  /** Answers db:result and db:verify with type='valid' for another domain pair (and another stream id). */
  | 'mismatched-dialback';

export interface S2sServerOptions {
  /** Loopback address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: an ephemeral port chosen by the OS). */
  port?: number;
  /** Domains this server hosts; a stream to any other gets `host-unknown`. */
  domains: string[];
  /** TLS material (PEM). Without it the server offers no TLS. */
  tls?: undefined | {
    key: string | Buffer;
    cert: string | Buffer;
    ca?: string | Buffer;
    /** Offer only TLS 1.0/1.1 (a legacy peer). */
    legacy?: boolean;
    /** Accept TLS 1.0 up to 1.3 (a server that still accepts legacy versions). */
    anyVersion?: boolean;
    /** Certificates by SNI name; `key`/`cert` are the default (served without SNI or for other names). */
    sni?: Record<string, { key: string | Buffer; cert: string | Buffer }>;
  };
  /**
   * SASL EXTERNAL (XEP-0178): ask for the initiator's certificate; offer EXTERNAL when one was
   * presented; <success/> when it verifies against `tls.ca` (as OpenSSL checks a client: the
   * clientAuth purpose too, like ejabberd before 25.08) and names the stream's from domain,
   * else <failure><not-authorized/> with the verification error as text.
   */
  saslExternal?: boolean;
  /** 'starttls' (default when tls is given), 'required' (STARTTLS with <required/>), or 'direct' (XEP-0368). */
  tlsMode?: 'starttls' | 'required' | 'direct';
  /** Dialback secret, XEP-0220 recommended key. Without it every db:result is invalid. */
  secret?: string;
  /** Offer dialback: the stream feature and the xmlns:db declaration (default true). */
  dialback?: boolean;
  misbehave?: Misbehaviour;
  /** Milliseconds to wait before answering db:result (default 0). */
  dialbackDelayMs?: number;
  /** Phase timeout for the server's own waits (default 10 s). */
  timeoutMs?: number;
}

export interface S2sEvent {
  t: number;
  remote: string;
  what: string;
}

export interface S2sServer {
  host: string;
  port: number;
  /** Everything the server did, for tests and the demo's evidence. */
  readonly events: S2sEvent[];
  /** Open connections right now. */
  readonly connections: number;
  close(): Promise<void>;
}

/** SASL EXTERNAL: the certificate must verify (OpenSSL, clientAuth purpose) and name `from`. */
function external(conn: XmppConnection, tls: TLSSocket, from: string, log: (w: string) => void): void {
  const cert = tls.getPeerCertificate();
  const names = cert?.raw ? certNames(cert.raw) : undefined;
  const covers = Boolean(names && matchIdentity(from, names).matched);
  // A bare server TLSSocket (no tls.Server) never sets `authorized`: ask OpenSSL's verify result itself.
  const handle = (tls as unknown as { _handle?: { verifyError?: () => (Error & { code?: string }) | null } })._handle;
  const verify = handle?.verifyError?.();
  const err = !cert?.raw ? 'no certificate' : verify ? (verify.code ?? verify.message) : !covers ? `certificate does not name ${from}` : undefined;
  if (err) {
    const text = /INVALID_PURPOSE/.test(err) ? 'unsupported certificate purpose' : err;
    log(`sasl external ${from}: failure ${text}`);
    conn.send(`<failure xmlns='${NS.sasl}'><not-authorized/><text xml:lang='en'>${escapeXml(text)}</text></failure>`);
    return;
  }
  log(`sasl external ${from}: success`);
  conn.send(`<success xmlns='${NS.sasl}'/>`);
}


/** Server TLS options beyond the context: certificates by SNI, and asking for the client's certificate. */
function tlsServerExtras(opts: S2sServerOptions, ctx: SecureContext | undefined): TLSSocketOptions {
  const sniContexts = new Map(Object.entries(opts.tls?.sni ?? {}).map(([name, m]) => [name.toLowerCase(), createSecureContext({ key: m.key, cert: m.cert, ...(opts.tls?.ca ? { ca: opts.tls.ca } : {}) })]));
  return {
    ...(sniContexts.size ? { SNICallback: (name: string, cb: (e: Error | null, c?: SecureContext) => void) => cb(null, sniContexts.get(name.toLowerCase()) ?? ctx) } : {}),
    ...(opts.saslExternal ? { requestCert: true, rejectUnauthorized: false } : {}),
  };
}

/** What every connection of one server shares. */
interface ServerCtx {
  opts: S2sServerOptions;
  ctx: SecureContext | undefined;
  tlsExtra: TLSSocketOptions;
  mode: 'none' | 'starttls' | 'required' | 'direct';
  hosted: Set<string>;
  timeoutMs: number;
}

export async function startS2sServer(opts: S2sServerOptions): Promise<S2sServer> {
  const host = opts.host ?? '127.0.0.1';
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const ctx: SecureContext | undefined = opts.tls
    ? createSecureContext({
        key: opts.tls.key,
        cert: opts.tls.cert,
        ...(opts.tls.ca ? { ca: opts.tls.ca } : {}),
        ...(opts.tls.legacy ? { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
        ...(opts.tls.anyVersion ? { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
      })
    : undefined;
  const sc: ServerCtx = {
    opts,
    ctx,
    tlsExtra: tlsServerExtras(opts, ctx),
    mode: opts.tls ? (opts.tlsMode ?? 'starttls') : 'none',
    hosted: new Set(opts.domains.map((d) => d.toLowerCase())),
    timeoutMs,
  };
  const sockets = new Set<Socket>();
  const events: S2sEvent[] = [];
  const t0 = performance.now();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    // Header and features go out as separate writes: without this, Nagle + delayed ACK add ~40 ms.
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    const log = (what: string) => events.push({ t: Math.round(performance.now() - t0), remote, what });
    serve(sc, socket, log).catch((e: Error) => {
      log(`ended: ${e.message}`);
      socket.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    host,
    port,
    events,
    get connections() {
      return sockets.size;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serve(sc: ServerCtx, socket: Socket, log: (w: string) => void): Promise<void> {
  const m = sc.opts.misbehave;
  if (m === 'stall') return log('stalling');
  if (m === 'hang-up') {
    log('hanging up');
    socket.end();
    return;
  }
  if (m === 'garbage') {
    log('sending garbage');
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  let conn: XmppConnection;
  let secure = false;
  let tlsSocket: TLSSocket | undefined;
  conn = new XmppConnection(socket);
  if (sc.mode === 'direct') {
    // The same handshake (with its timeout) as after STARTTLS, at once (XEP-0368).
    tlsSocket = await conn.startTlsServer(sc.ctx!, sc.timeoutMs, ['xmpp-server'], sc.tlsExtra);
    log(`tls up (sni ${tlsSocket.servername || '-'})`);
    secure = true;
  }

  const next = async (): Promise<StreamEvent> => conn.next(sc.timeoutMs, 'server');
  for (;;) {
    // A new stream: wait for the initiator's header.
    const h = await next();
    if (h.kind !== 'header') {
      if (h.kind === 'parse-error') {
        // As real servers do (RFC 6120 §4.9.3.13): a stream, then the error, then close.
        log(`not-well-formed: ${h.error.message}`);
        conn.send(`${streamHeader({})}<stream:error><not-well-formed xmlns='${NS.streams}'/></stream:error></stream:stream>`);
        conn.rawSocket.end();
        return;
      }
      return conn.destroy();
    }
    const to = (h.el.attrs.to ?? '').toLowerCase();
    const from = h.el.attrs.from;
    const id = randomUUID();
    log(`stream from=${from ?? '-'} to=${to || '-'}${secure ? ' (tls)' : ''}`);
    if (m === 'billion-laughs') {
      const ents = ['<!ENTITY lol "lol">'];
      for (let i = 1; i < 10; i++) ents.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
      conn.send(`<?xml version='1.0'?><!DOCTYPE stream:stream [${ents.join('')}]>`);
      conn.send(`${streamHeader({ from: to, to: from, id })}<stream:features>&lol9;</stream:features>`);
      return;
    }
    if (m === 'wrong-namespace') {
      conn.send(`<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${NS.stream}' from='${to}' id='${id}' version='1.0'>`);
    } else conn.send(streamHeader({ from: sc.hosted.has(to) ? to : undefined, to: from, id, dialback: sc.opts.dialback !== false }));
    if (!sc.hosted.has(to)) {
      log(`host-unknown ${to}`);
      conn.send(`<stream:error><host-unknown xmlns='${NS.streams}'/><text xmlns='${NS.streams}'>This host does not serve ${to}</text></stream:error>`);
      conn.close();
      return;
    }
    const features: string[] = [];
    if (!secure && sc.mode !== 'none' && sc.mode !== 'direct') features.push(`<starttls xmlns='${NS.tls}'>${sc.mode === 'required' ? '<required/>' : ''}</starttls>`);
    const peerCert = secure && sc.opts.saslExternal ? tlsSocket?.getPeerCertificate() : undefined;
    if (peerCert?.raw) features.push(`<mechanisms xmlns='${NS.sasl}'><mechanism>EXTERNAL</mechanism></mechanisms>`);
    if (sc.opts.dialback !== false && (secure || sc.mode !== 'required')) features.push(`<dialback xmlns='${NS.dialbackFeature}'><errors/></dialback>`);
    conn.send(`<stream:features>${features.join('')}</stream:features>`);
    if (m === 'huge-stanza') {
      conn.send(`<message from='${to}' to='${from}'><body>`);
      const chunk = 'A'.repeat(64 * 1024);
      for (let i = 0; i < 160 && !conn.isClosed; i++) conn.send(chunk);
      conn.send('</body></message>');
      return;
    }
    if (m === 'deep-nesting') {
      conn.send('<a>'.repeat(10_000));
      return;
    }
    const st = { to, from: from ?? '', id, secure, log, tls: tlsSocket };
    const restarted = await stanzas(sc, conn, next, st);
    tlsSocket = st.tls;
    if (restarted === 'tls') {
      secure = true;
      continue;
    }
    return;
  }
}

async function stanzas(
  sc: ServerCtx,
  conn: XmppConnection,
  next: () => Promise<StreamEvent>,
  s: { to: string; from: string; id: string; secure: boolean; log: (w: string) => void; tls?: TLSSocket | undefined },
): Promise<'tls' | 'done'> {
  for (;;) {
    const e = await next();
    if (e.kind !== 'element') {
      if (e.kind === 'end') conn.close();
      else conn.destroy();
      return 'done';
    }
    const el = e.el;
    if (el.name === 'starttls' && el.ns === NS.tls && sc.ctx && !s.secure) {
      conn.send(`<proceed xmlns='${NS.tls}'/>`);
      if (sc.opts.misbehave === 'reset-in-tls') {
        s.log('resetting mid-TLS');
        conn.rawSocket.once('data', () => conn.rawSocket.resetAndDestroy());
        return 'done';
      }
      s.tls = await conn.startTlsServer(sc.ctx, sc.timeoutMs, undefined, sc.tlsExtra);
      s.log(`tls up (sni ${s.tls.servername || '-'})`);
      return 'tls';
    }
    if (el.name === 'auth' && el.ns === NS.sasl && s.tls) {
      external(conn, s.tls, s.from, s.log);
      continue;
    }
    const db = parseDialback(el);
    if (db) {
      await dialback(sc, conn, db, s);
      continue;
    }
    // Anything else: unsupported here, but harmless.
    s.log(`ignored <${el.name}>`);
  }
}

async function dialback(sc: ServerCtx, conn: XmppConnection, db: DialbackAnswer, s: { to: string; id: string; secure: boolean; log: (w: string) => void }): Promise<void> {
  const from = db.from ?? '';
  const to = db.to ?? '';
  if (sc.opts.misbehave === 'mismatched-dialback' && db.type === 'request') {
    s.log(`db:${db.kind} ${from}->${to} valid for someone else`);
    conn.send(`<db:${db.kind}${attrs({ from: 'other.example', to: from, ...(db.kind === 'verify' ? { id: 'not-your-stream' } : {}), type: 'valid' })}/>`);
    return;
  }
  if (db.kind === 'verify') {
    // We are the authoritative server for `to`: was this key generated for that stream?
    const ok = Boolean(sc.opts.secret && db.key && db.id && sc.hosted.has(to.toLowerCase()) && dialbackKey(sc.opts.secret, from, to, db.id) === db.key);
    s.log(`db:verify ${from}->${to} ${ok ? 'valid' : 'invalid'}`);
    conn.send(`<db:verify${attrs({ from: to, to: from, id: db.id, type: ok ? 'valid' : 'invalid' })}/>`);
    return;
  }
  if (db.type !== 'request') return;
  if (sc.mode === 'required' && !s.secure) {
    s.log('dialback before TLS: policy-violation');
    conn.send(`<stream:error><policy-violation xmlns='${NS.streams}'/><text xmlns='${NS.streams}'>Encrypted server-to-server communication is required but was not offered</text></stream:error>`);
    conn.close();
    return;
  }
  const m = sc.opts.misbehave;
  if (m === 'stall-dialback') return s.log('not answering db:result');
  if (sc.opts.dialbackDelayMs) await new Promise((r) => setTimeout(r, sc.opts.dialbackDelayMs));
  if (m === 'error-dialback' || !sc.hosted.has(to.toLowerCase())) {
    const cond = sc.hosted.has(to.toLowerCase()) ? 'remote-server-not-found' : 'item-not-found';
    s.log(`db:result ${from}->${to} error ${cond}`);
    conn.send(`<db:result${attrs({ from: to, to: from, type: 'error' })}><error type='cancel'><${cond} xmlns='${NS.stanzas}'/></error></db:result>`);
    return;
  }
  const ok = m !== 'reject-dialback' && Boolean(sc.opts.secret && db.key && dialbackKey(sc.opts.secret, to, from, s.id) === db.key);
  s.log(`db:result ${from}->${to} ${ok ? 'valid' : 'invalid'}`);
  conn.send(`<db:result${attrs({ from: to, to: from, type: ok ? 'valid' : 'invalid' })}/>`);
  if (!ok) {
    // XEP-0220 §2.1.3: after an invalid result the receiving server SHOULD close the stream.
    conn.close();
  }
}

