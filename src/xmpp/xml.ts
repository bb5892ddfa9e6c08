/**
 * XMPP streams are one long XML document that never ends (RFC 6120 §4.1): the root
 * `<stream:stream>` opens the stream, each depth-1 child is a stanza or a stream-level
 * element. This wraps saxes (a streaming, namespace-aware, non-validating parser) and
 * delivers the header and whole depth-1 elements, with the limits a hostile peer needs:
 * no DTD (so no entity can be declared, RFC 6120 §11.1 forbids them), bounded depth,
 * bounded size of one element and of the whole stream.
 * https://www.rfc-editor.org/rfc/rfc6120#section-11
 */
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagNS } from 'saxes';

export const NS = {
  stream: 'http://etherx.jabber.org/streams',
  server: 'jabber:server',
  dialback: 'jabber:server:dialback',
  dialbackFeature: 'urn:xmpp:features:dialback',
  tls: 'urn:ietf:params:xml:ns:xmpp-tls',
  sasl: 'urn:ietf:params:xml:ns:xmpp-sasl',
  streams: 'urn:ietf:params:xml:ns:xmpp-streams',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  bidi: 'urn:xmpp:features:bidi',
} as const;

export interface XmlElement {
  /** Local name (`result` for `<db:result>`). */
  name: string;
  /** Namespace URI. */
  ns: string;
  /** Attributes by their name as written (`from`, `xml:lang`), xmlns declarations excluded. */
  attrs: Record<string, string>;
  children: Array<XmlElement | string>;
  /** Namespace declarations made on this element (prefix -> URI, '' for the default); set on stream headers. */
  decls?: Record<string, string>;
}

export interface ParserLimits {
  /** Bytes of one depth-1 element (a stanza), counted from the end of the previous one. */
  maxStanzaBytes: number;
  /** Element nesting depth, the stream root being depth 1. */
  maxDepth: number;
  /** Bytes of the whole stream. */
  maxTotalBytes: number;
}

export const DEFAULT_LIMITS: ParserLimits = { maxStanzaBytes: 256 * 1024, maxDepth: 32, maxTotalBytes: 4 * 1024 * 1024 };

export type ParseErrorKind = 'not-xml' | 'dtd' | 'too-deep' | 'too-big' | 'stream-too-big' | 'not-a-stream';

export class XmlParseError extends Error {
  override name = 'XmlParseError';
  constructor(
    readonly kind: ParseErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface StreamHandlers {
  header(el: XmlElement): void;
  element(el: XmlElement): void;
  end(): void;
  error(err: XmlParseError): void;
}

const STOP = Symbol('stop parsing');

/** One parser per stream: after STARTTLS or a dialback-only restart, make a new one. */
export class StreamParser {
  private readonly sax: SaxesParser<{ xmlns: true; position: false }>;
  private readonly stack: XmlElement[] = [];
  private readonly decoder = new StringDecoder('utf8');
  private pending = 0;
  private total = 0;
  private failed = false;
  private ended = false;
  private inSax = false;

  constructor(
    private readonly on: StreamHandlers,
    private readonly limits: ParserLimits = DEFAULT_LIMITS,
  ) {
    this.sax = new SaxesParser({ xmlns: true, position: false });
    this.sax.on('doctype', () => this.fail('dtd', 'the peer sent a DTD (<!DOCTYPE>), which XMPP forbids'));
    this.sax.on('processinginstruction', (pi) => this.fail('not-xml', `the peer sent a processing instruction <?${pi.target}?>, which XMPP forbids`));
    this.sax.on('error', (e) => this.fail('not-xml', firstLine(e.message)));
    this.sax.on('opentag', (tag) => this.open(tag));
    this.sax.on('closetag', () => this.close());
    this.sax.on('text', (t) => this.text(t));
    this.sax.on('cdata', (t) => this.text(t));
  }

  get done(): boolean {
    return this.failed || this.ended;
  }

  write(chunk: Buffer | string): void {
    if (this.done) return;
    const n = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    this.total += n;
    this.pending += n;
    if (this.total > this.limits.maxTotalBytes) return this.fail('stream-too-big', `the stream exceeded ${this.limits.maxTotalBytes} bytes`);
    if (this.pending > this.limits.maxStanzaBytes) return this.fail('too-big', `one element exceeded ${this.limits.maxStanzaBytes} bytes`);
    try {
      this.inSax = true;
      this.sax.write(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    } catch (e) {
      if (e !== STOP) this.fail('not-xml', firstLine((e as Error).message));
    } finally {
      this.inSax = false;
    }
  }

  private fail(kind: ParseErrorKind, message: string): void {
    if (this.done) return;
    this.failed = true;
    this.stack.length = 0;
    this.on.error(new XmlParseError(kind, message));
    // Stop saxes in the middle of the chunk: it would otherwise keep parsing the rest of it
    // (10 000 nested tags cost seconds, as it resolves namespaces up its own stack).
    if (this.inSax) throw STOP;
  }

  private open(tag: SaxesTagNS): void {
    if (this.done) return;
    if (this.stack.length + 1 > this.limits.maxDepth) return this.fail('too-deep', `elements nested deeper than ${this.limits.maxDepth}`);
    const attrs: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) {
      if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
      attrs[a.name] = a.value;
    }
    const el: XmlElement = { name: tag.local, ns: tag.uri, attrs, children: [] };
    if (this.stack.length === 0) {
      if (el.name !== 'stream' || el.ns !== NS.stream) {
        return this.fail('not-a-stream', `expected <stream:stream xmlns:stream='${NS.stream}'>, got <${tag.name}${tag.uri ? ` xmlns='${tag.uri}'` : ''}>`);
      }
      el.decls = { ...(tag.ns ?? {}) };
      this.stack.push(el);
      this.pending = 0;
      this.on.header(el);
      return;
    }
    this.stack[this.stack.length - 1]!.children.push(el);
    this.stack.push(el);
  }

  private close(): void {
    if (this.done) return;
    const el = this.stack.pop();
    if (!el) return;
    if (this.stack.length === 0) {
      this.ended = true;
      this.on.end();
      return;
    }
    if (this.stack.length === 1) {
      // A finished depth-1 element: hand it over and forget it (the root keeps no children).
      this.stack[0]!.children.length = 0;
      this.pending = 0;
      this.on.element(el);
    }
  }

  private text(t: string): void {
    if (this.done || this.stack.length < 2) return;
    this.stack[this.stack.length - 1]!.children.push(t);
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 200);
}

// ---- building and reading elements -------------------------------------------------

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Serialises attributes in the order given; undefined values are left out. */
export function attrs(a: Record<string, string | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}='${escapeXml(v!)}'`)
    .join('');
}

export function child(el: XmlElement, name: string, ns?: string): XmlElement | undefined {
  return el.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === name && (ns === undefined || c.ns === ns));
}

export function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string');
}

export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

/** Canonical-enough serialisation for transcripts and evidence (prefix-free, with xmlns where it changes). */
export function toXml(el: XmlElement, parentNs?: string): string {
  const ns = el.ns && el.ns !== parentNs ? ` xmlns='${escapeXml(el.ns)}'` : '';
  const inner = el.children.map((c) => (typeof c === 'string' ? escapeXml(c) : toXml(c, el.ns))).join('');
  const open = `<${el.name}${ns}${attrs(el.attrs)}`;
  return inner ? `${open}>${inner}</${el.name}>` : `${open}/>`;
}

/** The prefixes an s2s stream header declares (streamHeader): elements of these namespaces are written with them. */
const WIRE_PREFIXES: Record<string, string> = { [NS.stream]: 'stream', [NS.dialback]: 'db' };

/**
 * Serialisation as sent on an s2s stream: `stream:` and `db:` prefixes (declared on the stream
 * header), `xmlns` where the default namespace changes. `<db:result from='a' to='b'>key</db:result>`.
 */
export function wireXml(el: XmlElement, parentNs: string = NS.server): string {
  const prefix = WIRE_PREFIXES[el.ns];
  const name = prefix ? `${prefix}:${el.name}` : el.name;
  const defaultNs = prefix ? parentNs : el.ns;
  const ns = !prefix && el.ns && el.ns !== parentNs ? ` xmlns='${escapeXml(el.ns)}'` : '';
  const inner = el.children.map((c) => (typeof c === 'string' ? escapeXml(c) : wireXml(c, defaultNs))).join('');
  const open = `<${name}${ns}${attrs(el.attrs)}`;
  return inner ? `${open}>${inner}</${name}>` : `${open}/>`;
}
