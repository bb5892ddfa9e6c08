/**
 * One XMPP server-to-server connection: a socket, a stream parser per stream, a queue of
 * stream events, and a transcript. Every wait goes through `next(ms, phase)`, which rejects
 * with TimeoutError, so no phase can hang on a silent peer.
 * https://www.rfc-editor.org/rfc/rfc6120#section-4
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket, type ConnectionOptions, type SecureContext } from 'node:tls';
import { TimeoutError } from '../core/errors.js';
import { attrs, DEFAULT_LIMITS, NS, StreamParser, type ParserLimits, type XmlElement, XmlParseError } from './xml.js';

export type StreamEvent =
  | { kind: 'header'; el: XmlElement }
  | { kind: 'element'; el: XmlElement }
  | { kind: 'end' }
  | { kind: 'parse-error'; error: XmlParseError }
  | { kind: 'closed'; error?: string; code?: string };

export interface TranscriptLine {
  /** Milliseconds since the connection object was created. */
  t: number;
  dir: 'in' | 'out' | 'note';
  text: string;
}

export interface ConnectionOptions2 {
  limits?: ParserLimits;
  /** Keep a transcript (both directions) of at most this many characters; 0 = none. */
  transcriptChars?: number;
}

/** Opens a TCP connection; rejects with a NetError (code ECONNREFUSED, ETIMEDOUT...) or TimeoutError. */
export function tcpConnect(host: string, port: number, ms: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new TimeoutError('tcp', ms));
    }, ms);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      s.destroy();
      reject(e);
    });
  });
}

/** Runs the client side of a TLS handshake over an open socket. */
export function tlsHandshake(raw: Socket, opts: ConnectionOptions, ms: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tls = tlsConnect({ ...opts, socket: raw });
    const timer = setTimeout(() => {
      tls.destroy();
      reject(new TimeoutError('tls', ms));
    }, ms);
    tls.once('secureConnect', () => {
      clearTimeout(timer);
      tls.removeAllListeners('error');
      resolve(tls);
    });
    tls.once('error', (e) => {
      clearTimeout(timer);
      tls.destroy();
      reject(e);
    });
    // A peer that resets or closes mid-handshake emits 'close' (sometimes without 'error').
    tls.once('close', () => {
      clearTimeout(timer);
      reject(Object.assign(new Error('connection closed during the TLS handshake'), { code: 'ECONNRESET' }));
    });
  });
}

export class XmppConnection {
  private socket: Socket;
  private parser!: StreamParser;
  private readonly queue: StreamEvent[] = [];
  private waiter: ((e: StreamEvent) => void) | undefined;
  private closed = false;
  private readonly started = performance.now();
  private transcriptUsed = 0;
  readonly transcript: TranscriptLine[] = [];
  transcriptTruncated = false;
  /** Bytes read over the whole connection. */
  bytesIn = 0;

  constructor(
    socket: Socket,
    private readonly opts: ConnectionOptions2 = {},
  ) {
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
    this.record('in', chunk.toString('utf8'));
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
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(e);
    } else this.queue.push(e);
  }

  /** The next stream event; rejects with TimeoutError(phase, ms). After `closed`, always `closed`. */
  next(ms: number, phase: string): Promise<StreamEvent> {
    const e = this.queue.shift();
    if (e) return Promise.resolve(e);
    if (this.closed) return Promise.resolve({ kind: 'closed' });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        this.note(`timeout: nothing from the peer in ${ms} ms (${phase})`);
        reject(new TimeoutError(phase, ms));
      }, ms);
      this.waiter = (ev) => {
        clearTimeout(timer);
        resolve(ev);
      };
    });
  }

  send(text: string): void {
    if (this.closed || this.socket.destroyed) return;
    this.record('out', text);
    this.socket.write(text);
  }

  note(text: string): void {
    this.record('note', text);
  }

  private record(dir: TranscriptLine['dir'], text: string): void {
    const cap = this.opts.transcriptChars ?? 0;
    if (cap <= 0) return;
    if (this.transcriptUsed >= cap) {
      this.transcriptTruncated = true;
      return;
    }
    const room = cap - this.transcriptUsed;
    const kept = text.length > room ? `${text.slice(0, room)}…[truncated]` : text;
    if (kept.length < text.length) this.transcriptTruncated = true;
    this.transcriptUsed += kept.length;
    this.transcript.push({ t: Math.round((performance.now() - this.started) * 10) / 10, dir, text: kept });
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
  async startTlsServer(secureContext: SecureContext, ms: number, ALPNProtocols?: string[]): Promise<TLSSocket> {
    this.detach(this.socket);
    this.queue.length = 0;
    const raw = this.socket;
    const tls = new TLSSocket(raw, { isServer: true, secureContext, ...(ALPNProtocols ? { ALPNProtocols } : {}) });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new TimeoutError('tls', ms)), ms);
        tls.once('secure', () => (clearTimeout(timer), resolve()));
        tls.once('error', (e) => (clearTimeout(timer), reject(e)));
        tls.once('close', () => (clearTimeout(timer), reject(new Error('connection closed during the TLS handshake'))));
      });
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
export function streamHeader(h: { from?: string; to?: string; id?: string; version?: string; dialback?: boolean; lang?: string }): string {
  return (
    `<?xml version='1.0'?><stream:stream xmlns='${NS.server}' xmlns:stream='${NS.stream}'` +
    (h.dialback === false ? '' : ` xmlns:db='${NS.dialback}'`) +
    attrs({ from: h.from, to: h.to, id: h.id, version: h.version ?? '1.0', 'xml:lang': h.lang }) +
    '>'
  );
}
