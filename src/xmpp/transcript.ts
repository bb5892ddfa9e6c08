/**
 * The transcript of XMPP connections: a listener on their `out`, `stream` and `note` events
 * (xmpp/connection.ts). Elements are recorded as elements, so secrets are masked by where they
 * are, not by searching text: the key of a <db:result/> or <db:verify/> (XEP-0220) is replaced
 * by [redacted] in both directions. Raw bytes are kept only for input that did not parse.
 */
import { REDACTED } from '../core/redact.js';
import type { OutEvent, StreamEvent, XmppConnection } from './connection.js';
import { escapeXml, NS, wireXml, type XmlElement } from './xml.js';

export interface TranscriptLine {
  /** Milliseconds since the transcript was started. */
  t: number;
  dir: 'in' | 'out' | 'note';
  text: string;
}

/** Raw input kept for a parse error (the bytes that did not parse). */
const RAW_CHARS = 4096;

/** A copy of the element with every dialback key masked (element-level redaction). */
export function maskSecrets(el: XmlElement): XmlElement {
  if (el.ns === NS.dialback && (el.name === 'result' || el.name === 'verify')) {
    return { ...el, children: el.children.map((c) => (typeof c === 'string' ? (c.trim() ? REDACTED : c) : maskSecrets(c))) };
  }
  return el.children.some((c) => typeof c !== 'string') ? { ...el, children: el.children.map((c) => (typeof c === 'string' ? c : maskSecrets(c))) } : el;
}

function headerXml(el: XmlElement): string {
  const decls = Object.entries(el.decls ?? {})
    .map(([p, uri]) => ` ${p ? `xmlns:${p}` : 'xmlns'}='${escapeXml(uri)}'`)
    .join('');
  const a = Object.entries(el.attrs)
    .map(([k, v]) => ` ${k}='${escapeXml(v)}'`)
    .join('');
  return `<stream:stream${decls}${a}>`;
}

export class Transcript {
  readonly lines: TranscriptLine[] = [];
  truncated = false;
  private used = 0;
  private readonly started = performance.now();

  /** `maxChars`: the transcript keeps at most this many characters (then notes the truncation). */
  constructor(private readonly maxChars = 256 * 1024) {}

  /** Records everything `conn` sends, receives and notes from now on. */
  listen(conn: XmppConnection): void {
    let raw = '';
    let parsed = false;
    conn.on('out', (e: OutEvent) => this.add('out', e.el ? wireXml(maskSecrets(e.el)) : e.text));
    conn.on('note', (text: string) => this.add('note', text));
    conn.on('in', (text: string) => {
      // The bytes since the last chunk that ended in a parsed event: what a parse error is about.
      raw = parsed ? text : (raw + text).slice(-RAW_CHARS);
      parsed = false;
    });
    conn.on('stream', (e: StreamEvent) => {
      parsed = true;
      if (e.kind === 'header') this.add('in', headerXml(e.el));
      else if (e.kind === 'element') this.add('in', wireXml(maskSecrets(e.el)));
      else if (e.kind === 'end') this.add('in', '</stream:stream>');
      else if (e.kind === 'parse-error') this.add('in', raw.slice(0, RAW_CHARS));
    });
  }

  add(dir: TranscriptLine['dir'], text: string): void {
    if (this.used >= this.maxChars) {
      this.truncated = true;
      return;
    }
    const room = this.maxChars - this.used;
    const kept = text.length > room ? `${text.slice(0, room)}…[truncated]` : text;
    if (kept.length < text.length) this.truncated = true;
    this.used += kept.length;
    this.lines.push({ t: Math.round((performance.now() - this.started) * 10) / 10, dir, text: kept });
  }
}
