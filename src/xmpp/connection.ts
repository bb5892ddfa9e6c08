/**
 * One XMPP server-to-server connection: a socket, a stream parser per stream, and a queue of
 * stream events. Every wait goes through `next(ms, phase)`, which rejects with TimeoutError,
 * so no phase can hang on a silent peer. It emits what it sends and receives, for listeners
 * such as the transcript (xmpp/transcript.ts):
 * - `out` ({ text, el? }): what was written (`el` when the element was sent as one),
 * - `in` (text): raw bytes read, as UTF-8,
 * - `stream` (StreamEvent): each parsed header, element, end, parse error or close,
 * - `note` (text): what happened besides the XML (connected, TLS up, timeouts).
 * https://www.rfc-editor.org/rfc/rfc6120#section-4
 */
import { EventEmitter } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket, type ConnectionOptions, type SecureContext, type TLSSocketOptions } from 'node:tls';
import { waitFor } from '../core/wait-for.js';
import { attrs, DEFAULT_LIMITS, NS, StreamParser, wireXml, type ParserLimits, type XmlElement, XmlParseError } from './xml.js';

export type { TranscriptLine } from './transcript.js';

export type StreamEvent =
  | { kind: 'header'; el: XmlElement }
  | { kind: 'element'; el: XmlElement }
  | { kind: 'end' }
  | { kind: 'parse-error'; error: XmlParseError }
  | { kind: 'closed'; error?: string; code?: string };

/** What `out` listeners receive. */
export interface OutEvent {
  text: string;
  /** The element, when one was sent (listeners can redact it as an element). */
  el?: XmlElement;
}

export interface ConnectionOptions2 {
  limits?: ParserLimits;
}

/** Opens a TCP connection; rejects with the socket's error (code ECONNREFUSED, EMFILE...) or TimeoutError. */
export async function tcpConnect(host: string, port: number, ms: number): Promise<Socket> {
  const s = netConnect({ host, port, noDelay: true });
  try {
    await waitFor(s, 'connect', ms, { phase: 'tcp' });
  } catch (e) {
    s.destroy();
    throw e;
  }
  return s;
}

/** Runs the client side of a TLS handshake over an open socket. */
export async function tlsHandshake(raw: Socket, opts: ConnectionOptions, ms: number): Promise<TLSSocket> {
  const tls = tlsConnect({ ...opts, socket: raw });
  try {
    await waitFor(tls, 'secureConnect', ms, {
      phase: 'tls',
      fail: {
        error: (e) => e as Error,
        // A peer that resets or closes mid-handshake emits 'close' (sometimes without 'error').
        close: () => Object.assign(new Error('connection closed during the TLS handshake'), { code: 'ECONNRESET' }),
      },
    });
  } catch (e) {
    tls.destroy();
    throw e;
  }
  return tls;
}

export class XmppConnection extends EventEmitter {
  private socket: Socket;
  private parser!: StreamParser;
  private readonly queue: StreamEvent[] = [];
  private closed = false;
  /** Bytes read over the whole connection. */
  bytesIn = 0;

  constructor(
    socket: Socket,
    private readonly opts: ConnectionOptions2 = {},
  ) {
    super();
    this.socket = socket;
    this.attach(socket);
    this.resetParser();
  }

  get rawSocket(): Socket {
    return this.socket;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onData = (chunk: Buffer): void => {
    this.bytesIn += chunk.length;
    if (this.listenerCount('in')) this.emit('in', chunk.toString('utf8'));
    this.parser.write(chunk);
  };

  private onClose = (): void => this.finish({ kind: 'closed' });

  private onError = (e: NodeJS.ErrnoException): void => this.finish({ kind: 'closed', error: e.message, code: e.code ?? 'ERR' });

  private attach(s: Socket): void {
    s.on('data', this.onData);
    s.on('close', this.onClose);
    s.on('error', this.onError);
  }

  private detach(s: Socket): void {
    s.off('data', this.onData);
    s.off('close', this.onClose);
    s.off('error', this.onError);
  }

  private finish(e: StreamEvent): void {
    if (this.closed) return;
    this.closed = true;
    if (e.kind === 'closed') this.note(e.error ? `connection closed: ${e.error}` : 'connection closed by the peer');
    this.push(e);
  }

  /** A new stream on the same connection (after TLS, or a stream restart). */
  resetParser(): void {
    this.parser = new StreamParser(
      {
        header: (el) => this.push({ kind: 'header', el }),
        element: (el) => this.push({ kind: 'element', el }),
        end: () => this.push({ kind: 'end' }),
        error: (error) => {
          this.note(`parse error: ${error.message}`);
          this.push({ kind: 'parse-error', error });
          // Nothing sensible can follow a broken stream: stop reading (and buffering) now.
          this.socket.pause();
        },
      },
      this.opts.limits ?? DEFAULT_LIMITS,
    );
  }

  private push(e: StreamEvent): void {
    this.queue.push(e);
    this.emit('stream', e);
  }

  /** The next stream event; rejects with TimeoutError(phase, ms). After `closed`, always `closed`. */
  async next(ms: number, phase: string): Promise<StreamEvent> {
    if (!this.queue.length && !this.closed) {
      await waitFor(this, 'stream', ms, { phase, fail: {}, onTimeout: () => this.note(`timeout: nothing from the peer in ${ms} ms (${phase})`) });
    }
    return this.queue.shift() ?? { kind: 'closed' };
  }

  /** Writes text, or an element (serialised with the stream's prefixes: db:, stream:). */
  send(data: string | XmlElement): void {
    if (this.closed || this.socket.destroyed) return;
    const text = typeof data === 'string' ? data : wireXml(data);
    if (this.listenerCount('out')) this.emit('out', typeof data === 'string' ? { text } : { text, el: data });
    // What is sent in one tick goes out in one write (one TLS record): a header and its features,
    // or a dialback key, are not split into small segments.
    const socket = this.socket;
    if (!socket.writableCorked) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    socket.write(text);
  }

  note(text: string): void {
    if (this.listenerCount('note')) this.emit('note', text);
  }

  /** Moves the connection onto a TLS socket (client side, after <proceed/>), with a fresh stream. */
  async startTlsClient(opts: ConnectionOptions, ms: number): Promise<TLSSocket> {
    this.detach(this.socket);
    this.queue.length = 0;
    const raw = this.socket;
    try {
      const tls = await tlsHandshake(raw, opts, ms);
      this.adopt(tls);
      return tls;
    } catch (e) {
      this.closed = true;
      raw.destroy();
      throw e;
    }
  }

  /** Server side of STARTTLS. */
  async startTlsServer(secureContext: SecureContext, ms: number, ALPNProtocols?: string[], extra: TLSSocketOptions = {}): Promise<TLSSocket> {
    this.detach(this.socket);
    this.queue.length = 0;
    const raw = this.socket;
    const tls = new TLSSocket(raw, { isServer: true, secureContext, ...(ALPNProtocols ? { ALPNProtocols } : {}), ...extra });
    try {
      await waitFor(tls, 'secure', ms, { phase: 'tls', fail: { error: (e) => e as Error, close: () => new Error('connection closed during the TLS handshake') } });
    } catch (e) {
      this.closed = true;
      tls.destroy();
      raw.destroy();
      throw e;
    }
    tls.removeAllListeners('error');
    this.adopt(tls);
    return tls;
  }

  /** Uses an already established socket (e.g. direct TLS) from here on. */
  adopt(s: Socket): void {
    if (s !== this.socket) this.detach(this.socket);
    this.socket = s;
    this.closed = false;
    this.attach(s);
    this.resetParser();
  }

  /** Sends `</stream:stream>` and closes the socket shortly after. */
  close(): void {
    if (!this.closed && !this.socket.destroyed) {
      this.send('</stream:stream>');
      this.socket.end();
    }
    const s = this.socket;
    setTimeout(() => s.destroy(), 200).unref();
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

/** The s2s stream header (RFC 6120 §4.7) with the dialback namespace declared (XEP-0220 §2.3.1). */
export function streamHeader(h: { from?: string | undefined; to?: string | undefined; id?: string; version?: string; dialback?: boolean; lang?: string }): string {
  return (
    `<?xml version='1.0'?><stream:stream xmlns='${NS.server}' xmlns:stream='${NS.stream}'` +
    (h.dialback === false ? '' : ` xmlns:db='${NS.dialback}'`) +
    attrs({ from: h.from, to: h.to, id: h.id, version: h.version ?? '1.0', 'xml:lang': h.lang }) +
    '>'
  );
}
