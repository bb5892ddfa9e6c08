/**
 * HTML escaping for the HTML report. Everything in a report may come from a peer, a server,
 * a log or a file (SRV targets, stream errors, certificate names, log lines, titles in saved
 * xfed JSON): every string goes through `esc` (text and attribute values alike), after the
 * shared sanitiser has made control and bidi characters visible. Links are made only from
 * http(s) URLs; anything else (javascript:, data:, file:) is shown as text.
 */
import { sanitizeLine, sanitizeMultiline } from '../sanitize.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and for quoted attribute values; control/bidi characters shown visibly. */
export function esc(value: unknown): string {
  const s = value === undefined || value === null ? '' : String(value);
  return sanitizeLine(s).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Like `esc`, keeping newlines (rendered with `white-space: pre-wrap`). */
export function escMultiline(value: unknown): string {
  const s = value === undefined || value === null ? '' : String(value);
  return sanitizeMultiline(s).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Escaped text with its `backquoted` parts as code (on the escaped text: no markup gets through). */
export function withCode(escaped: string): string {
  return escaped.replace(/`([^`\n]+)`/g, '<code>$1</code>');
}

/** The URL when it is an absolute http(s) URL, else undefined (never a link). */
export function safeHref(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url.trim())) return undefined;
  try {
    const u = new URL(url.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** A reference: an external link for http(s), plain text otherwise. */
export function refLink(url: string): string {
  const href = safeHref(url);
  if (!href) return `<span class="ref-text">${esc(url)}</span>`;
  return `<a href="${esc(href)}" title="${esc(href)}" rel="noopener noreferrer external">${esc(shortRef(href))}</a>`;
}

/** A readable name for well-known references (RFCs, XEPs), else the URL itself. */
function shortRef(href: string): string {
  const rfc = /rfc-editor\.org\/rfc\/rfc(\d+)(?:\.html)?(?:#section-([\d.]+))?/i.exec(href) ?? /datatracker\.ietf\.org\/doc\/html\/rfc(\d+)(?:#section-([\d.]+))?/i.exec(href);
  if (rfc) return `RFC ${rfc[1]}${rfc[2] ? ` §${rfc[2]}` : ''}`;
  const xep = /xmpp\.org\/extensions\/xep-(\d{4})\.html/i.exec(href);
  if (xep) return `XEP-${xep[1]}`;
  if (href.length <= 80) return href;
  const u = new URL(href);
  const last = u.pathname.split('/').filter(Boolean).pop() ?? '';
  return `${u.hostname.replace(/^www\./, '')} › ${last.replace(/\.html?$/, '').slice(0, 60)}`;
}
