/**
 * Server Dialback, the pure part: key generation and the db:result / db:verify elements.
 * https://xmpp.org/extensions/xep-0220.html#advanced-keygen (recommended key, §4.2)
 * https://xmpp.org/extensions/xep-0185.html
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { child, elements, NS, textOf, wireXml, type XmlElement } from './xml.js';

/**
 * The XEP-0185/XEP-0220 recommended key:
 * hex(HMAC-SHA256(key = hex(SHA256(secret)), "<receiving> <originating> <stream id>")).
 * Prosody (dialback_secret) and ejabberd (secret = hex(SHA-1(Erlang cookie))) both use it.
 */
export function dialbackKey(secret: string, receiving: string, originating: string, streamId: string): string {
  const hmacKey = createHash('sha256').update(secret, 'utf8').digest('hex');
  return createHmac('sha256', hmacKey).update(`${receiving} ${originating} ${streamId}`, 'utf8').digest('hex');
}

/** ejabberd derives its dialback secret from the Erlang cookie (ejabberd_config:set_shared_key/0). */
export function ejabberdSecretFromCookie(cookie: string): string {
  return createHash('sha1').update(cookie, 'utf8').digest('hex');
}

/** A key nobody can verify, for probes without a secret. */
export function randomKey(): string {
  return randomBytes(32).toString('hex');
}

/** `<db:result from to>key</db:result>` (XEP-0220 §2.1.1), as an element (the transcript masks its key). */
export function dbResultElement(from: string, to: string, key: string): XmlElement {
  return { name: 'result', ns: NS.dialback, attrs: { from, to }, children: [key] };
}

/** `<db:verify from to id>key</db:verify>` (XEP-0220 §2.1.2). */
export function dbVerifyElement(from: string, to: string, id: string, key: string): XmlElement {
  return { name: 'verify', ns: NS.dialback, attrs: { from, to, id }, children: [key] };
}

export function dbResult(from: string, to: string, key: string): string {
  return wireXml(dbResultElement(from, to, key));
}

export function dbVerify(from: string, to: string, id: string, key: string): string {
  return wireXml(dbVerifyElement(from, to, id, key));
}

export type DialbackType = 'valid' | 'invalid' | 'error';

export interface DialbackAnswer {
  kind: 'result' | 'verify';
  type: DialbackType | 'request';
  from?: string | undefined;
  to?: string | undefined;
  id?: string | undefined;
  key?: string;
  /** For type='error': the stanza error condition (XEP-0220 §2.4), e.g. `remote-server-not-found`. */
  condition?: string;
  errorType?: string | undefined;
  text?: string;
}

/** Reads a `db:result` or `db:verify` element; undefined for anything else. */
export function parseDialback(el: XmlElement): DialbackAnswer | undefined {
  if (el.ns !== NS.dialback || (el.name !== 'result' && el.name !== 'verify')) return undefined;
  const t = el.attrs.type;
  const type = t === 'valid' || t === 'invalid' || t === 'error' ? t : 'request';
  const out: DialbackAnswer = { kind: el.name, type, from: el.attrs.from, to: el.attrs.to, id: el.attrs.id };
  const key = el.children.filter((c): c is string => typeof c === 'string').join('').trim();
  if (key) out.key = key;
  const err = child(el, 'error');
  if (err) {
    out.errorType = err.attrs.type;
    for (const c of elements(err)) {
      if (c.ns !== NS.stanzas) continue;
      if (c.name === 'text') out.text = textOf(c).trim();
      else out.condition ??= c.name;
    }
  }
  return out;
}

/**
 * Cisco Expressway/IM&P (XCP) keys seen in logs are 40 hex digits (a SHA-1 size), not the
 * 64 of the XEP-0220 recommended HMAC-SHA256: its scheme is not public, xfed cannot compute it.
 */
export function keyScheme(key: string): 'xep-0220' | 'sha1-size' | 'other' {
  if (/^[0-9a-f]{64}$/i.test(key)) return 'xep-0220';
  if (/^[0-9a-f]{40}$/i.test(key)) return 'sha1-size';
  return 'other';
}
