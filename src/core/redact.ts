/**
 * Secrets never reach output unredacted: AXL passwords, Authorization headers, cookies,
 * dialback secrets and keys. Redaction happens once, at output (`redactRun` over the whole
 * RunResult), plus `redactEvidence` for log lines diagnose shows; the probe transcript uses
 * `redactText` per line.
 *
 * Two mechanisms:
 * - registered secrets (`registerSecret`, any length) are masked wherever they appear as a
 *   whole token, i.e. not preceded or followed by a letter or digit, also in their
 *   XML-escaped, URL-escaped and JSON-escaped forms;
 * - known secret shapes are masked by context: `password=…` and the like, JSON `"token": "…"`,
 *   XML `<password>…</password>`, `Authorization: <scheme> …`, `Bearer …`, cookies, Erlang
 *   `-setcookie …`, dialback keys in `<db:result>`/`<db:verify>`, `scheme://user:pass@`.
 *
 * `redactRun` never touches ids and enum fields (id, severity, verdict, command, label...),
 * numbers or booleans, so a secret equal to `error` or `axl` cannot corrupt the document.
 */

export const REDACTED = '[redacted]';

/** Every registered secret and its escaped forms, longest first. */
let variants: string[] = [];
const registered = new Set<string>();

/** Registers a secret value (any length >= 1) so that output masks it wherever it appears as a whole token. */
export function registerSecret(value: string | undefined | null): void {
  if (!value || registered.has(value)) return;
  registered.add(value);
  const forms = new Set(variants);
  for (const v of escapedForms(value)) if (v) forms.add(v);
  variants = [...forms].sort((a, b) => b.length - a.length);
}

/** Forgets every registered secret (tests). */
export function clearSecrets(): void {
  registered.clear();
  variants = [];
}

function escapedForms(s: string): string[] {
  const xml = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const url = encodeURIComponent(s);
  return [
    s,
    xml,
    xml.replace(/"/g, '&quot;').replace(/'/g, '&apos;'),
    xml.replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
    url,
    url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    url.replace(/%20/g, '+'),
    // RFC 3986 also escapes !'()* (encodeURIComponent does not).
    url.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    JSON.stringify(s).slice(1, -1),
  ];
}

const ALNUM = /[\p{L}\p{N}]/u;

function isAlnum(ch: string | undefined): boolean {
  return ch !== undefined && ALNUM.test(ch);
}

/** Masks every whole-token occurrence of a registered secret (edges that are letters or digits need a non-alphanumeric neighbour). */
function maskRegistered(text: string): string {
  let out = text;
  for (const v of variants) {
    let i = out.indexOf(v);
    if (i < 0) continue;
    const headAlnum = isAlnum(v[0]);
    const tailAlnum = isAlnum(v[v.length - 1]);
    let res = '';
    let last = 0;
    while (i >= 0) {
      const end = i + v.length;
      const ok = (!headAlnum || !isAlnum(out[i - 1])) && (!tailAlnum || !isAlnum(out[end]));
      if (ok) {
        res += out.slice(last, i) + REDACTED;
        last = end;
      }
      i = out.indexOf(v, ok ? end : i + 1);
    }
    if (last) out = res + out.slice(last);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Secret shapes, by context. Each rule finds where a value starts; `extent` says where it ends.

/** A value's extent: [start, end) of the part to mask (start may skip an opening quote). */
type Extent = (s: string, at: number, opener: string) => [number, number];

const QUOTES: Array<[open: string, close: string]> = [
  ['\\"', '\\"'],
  ['&quot;', '&quot;'],
  ['&#34;', '&#34;'],
  ['&apos;', '&apos;'],
  ['&#39;', '&#39;'],
  ['"', '"'],
  ["'", "'"],
];

/** A character entity inside an unquoted value (`p&amp;ss`), as opposed to a `&` that ends it. */
const VALUE_ENTITY = /&(?:amp|#\d{1,7}|#x[0-9a-f]{1,6});/iy;

/** A quoted value (up to its closing quote, backslash escapes honoured) or an unquoted one. */
const quotedOrToken: Extent = (s, at) => {
  for (const [open, close] of QUOTES) {
    if (!s.startsWith(open, at)) continue;
    const from = at + open.length;
    let j = from;
    for (;;) {
      j = s.indexOf(close, j);
      if (j < 0) return [from, s.length];
      if (close === '"' && s[j - 1] === '\\' && s[j - 2] !== '\\') {
        j++;
        continue;
      }
      return [from, j];
    }
  }
  let j = at;
  while (j < s.length) {
    const ch = s[j]!;
    if (ch === '&') {
      VALUE_ENTITY.lastIndex = j;
      if (VALUE_ENTITY.test(s)) {
        j = VALUE_ENTITY.lastIndex;
        continue;
      }
      break;
    }
    if (/[\s"'<>]/.test(ch)) break;
    j++;
  }
  // A trailing backslash belongs to an escaped quote that closes the surrounding string.
  if (j > at && s[j - 1] === '\\' && s[j] === '"') j--;
  return [at, j];
};

/** An HTTP credentials value: `<scheme> <token68 | auth-params>` (the scheme stays visible), or a quoted value. */
const credentials: Extent = (s, at) => {
  if (/["']|\\"|&quot;/y.test(s.slice(at, at + 6))) return quotedOrToken(s, at, '');
  const scheme = /[A-Za-z][\w!#$%&'*+.^`|~-]*[ \t]+(?=\S)/y;
  scheme.lastIndex = at;
  const from = scheme.test(s) ? scheme.lastIndex : at;
  // token68, or a comma-separated list of name=value / name="quoted" parameters (Digest).
  const part = /(?:[\w!#$%&'*+.^`|~-]+=(?:"(?:[^"\\\r\n]|\\.)*"|[^\s,"]*)|[^\s,"]+|,[ \t]*|[ \t]+(?=[\w-]+=))/y;
  let j = from;
  part.lastIndex = j;
  while (j < s.length && part.test(s)) j = part.lastIndex;
  while (j > from && /[\s,]/.test(s[j - 1]!)) j--;
  return [from, j];
};

/** Cookie values: `name=value; name2=value2` masks both values, keeps the names; a bare value is masked whole. */
function maskCookies(s: string, at: number): [string, number] {
  const pair = /([ \t]*)([^=;\s"]+)=("[^"\r\n]*"|[^;\s",]*)([ \t]*;?)/y;
  pair.lastIndex = at;
  let out = '';
  let j = at;
  let m: RegExpExecArray | null;
  while ((m = pair.exec(s))) {
    out += `${m[1]}${m[2]}=${m[3] ? REDACTED : ''}${m[4]}`;
    j = pair.lastIndex;
    if (!m[4]!.endsWith(';')) break;
  }
  if (j === at) {
    const [a, b] = quotedOrToken(s, at, '');
    return b > a ? [s.slice(at, a) + REDACTED, b] : ['', at];
  }
  return [out, j];
}

/**
 * Up to the next tag: dialback keys and the text of `<password>` elements. In raw XML the next
 * tag is `<` (text cannot hold one, so `&lt;` is part of the value); in XML-escaped XML it is `&lt;`.
 */
const untilTag: Extent = (s, at, opener) => {
  const escaped = opener.startsWith('&');
  let j = at;
  while (j < s.length && (escaped ? !s.startsWith('&lt;', j) : s[j] !== '<')) j++;
  return [at, j];
};

const token68: Extent = (s, at) => {
  const re = /[\w.~+/-]+=*/y;
  re.lastIndex = at;
  return re.test(s) ? [at, re.lastIndex] : [at, at];
};

/**
 * Key names whose value is a secret (the last part of a longer name counts: `dialback_secret`,
 * `X-Auth-Token`, `apiKey`). A bare `key` is not one: xfed's own facts say `"key": "xep-0220"`.
 */
const KEYWORDS = String.raw`(?:password|passwd|passphrase|pass|pwd|secret|token|(?:api|secret|private|access|auth)[_-]?key|j?sessionid(?:sso)?)`;
/** Quotes that may close a key name: `"key"`, `'key'`, `\"key\"`, `&quot;key&quot;`. */
const KEY_QUOTE = String.raw`(?:\\?["']|&quot;|&apos;|&#3[49];)`;
const KEYWORD_HINTS = ['pass', 'pwd', 'secret', 'token', 'key', 'sessionid'];
const SEP = String.raw`[ \t]*(?:=>|:=|[:=])[ \t]*`;

interface Rule {
  /** Lower-case substrings one of which the text must hold for the rule to run (cheap gate). */
  hints: string[];
  /** Finds the text before a value; the value starts where the match ends. */
  re: RegExp;
  extent?: Extent;
  /** Replaces what follows the match itself, returning the new text and where it ends. */
  mask?: (s: string, at: number) => [string, number];
  /** Only a value with something other than white space is masked. */
  nonBlank?: boolean;
}

const RULES: Rule[] = [
  // Authorization / Proxy-Authorization headers, whatever the scheme (Basic, Bearer, Digest, Negotiate, NTLM...).
  { hints: ['authorization'], re: new RegExp(String.raw`(?<![\w-])(?:proxy-)?authorization${KEY_QUOTE}?${SEP}`, 'gi'), extent: credentials },
  // Cookie and Set-Cookie headers, ERLANG_COOKIE=...
  { hints: ['cookie'], re: new RegExp(String.raw`(?<![A-Za-z0-9])(?:set-)?cookie2?${KEY_QUOTE}?${SEP}`, 'gi'), mask: maskCookies },
  // Erlang's -setcookie (ejabberd derives its dialback secret from the cookie).
  { hints: ['-setcookie'], re: /(?<![\w-])-setcookie[ \t]+/gi, extent: quotedOrToken },
  // password=, pwd:, "token": "...", dialback_secret = ..., X-Auth-Token: ... (also JSON, escaped JSON, XML attributes).
  { hints: KEYWORD_HINTS, re: new RegExp(String.raw`${KEYWORDS}(?![A-Za-z0-9])${KEY_QUOTE}?${SEP}`, 'gi'), extent: quotedOrToken },
  // <password>...</password>, <axl:password>, &lt;token&gt;...
  { hints: KEYWORD_HINTS, re: new RegExp(String.raw`(?:<|&lt;)(?:[\w.-]+:)?[\w.-]*${KEYWORDS}(?:\s[^<>]*?)?(?<!/)(?:>|&gt;)`, 'gi'), extent: untilTag, nonBlank: true },
  // Dialback keys: everything between a db:result / db:verify start tag and the next tag (XEP-0220), also in broken log shapes.
  { hints: ['db:'], re: /(?:<|&lt;)db:[a-z]+\b(?:[^<>&]|&(?!gt;|lt;))*?(?<!\/)(?:>|&gt;)/gi, extent: untilTag, nonBlank: true },
  // Bearer tokens outside an Authorization header.
  { hints: ['bearer'], re: /(?<![\w-])Bearer[ \t]+/g, extent: token68 },
  // scheme://user:password@host
  { hints: ['://'], re: /\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/@"'<>]+:/gi, extent: (s, at) => {
    const m = /[^\s@/"'<>]+@/y;
    m.lastIndex = at;
    return m.test(s) ? [at, m.lastIndex - 1] : [at, at];
  } },
];

/** Cheap pre-test: a string without any of these cannot hold a secret shape, and skips the rules. */
const MAYBE_SHAPE = /pass|pwd|secret|token|key|auth|bearer|cookie|sessionid|db:|:\/\//i;

function applyRule(s: string, rule: Rule): string {
  const re = rule.re;
  re.lastIndex = 0;
  let out = '';
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const at = m.index + m[0].length;
    let next = at;
    if (rule.mask) {
      const [text, end] = rule.mask(s, at);
      if (end > at) {
        out += s.slice(last, at) + text;
        last = next = end;
      }
    } else if (rule.extent) {
      const [a, b] = rule.extent(s, at, m[0]);
      if (b > a && (!rule.nonBlank || /\S/.test(s.slice(a, b))) && !s.startsWith(REDACTED, a)) {
        out += s.slice(last, a) + REDACTED;
        last = next = b;
      }
    }
    re.lastIndex = next > m.index ? next : m.index + 1;
  }
  return last ? out + s.slice(last) : s;
}

/** Masks registered secrets and well-known secret shapes in one string (a line or a document). */
export function redactText(text: string): string {
  let out = text;
  if (MAYBE_SHAPE.test(out)) {
    const lower = out.toLowerCase();
    for (const r of RULES) if (r.hints.some((h) => lower.includes(h))) out = applyRule(out, r);
  }
  if (variants.length) out = maskRegistered(out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Log evidence: on top of redactText, long hex runs (a dialback key alone on a continuation line).

const LONG_HEX = /\b[0-9a-fA-F]{32,}(?: [0-9a-fA-F]{4,})?\b/g;
const HEX_RUN = 32;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
}

/**
 * Whether the text holds a run of 32 hex digits. A regex scan tries a match at every position
 * (4 µs for a 250-character line); a run that long always covers one of every 16th characters,
 * so sampling those and measuring the run around a hit costs a tenth of that.
 */
function hasHexRun(s: string): boolean {
  const step = HEX_RUN >> 1;
  for (let i = step - 1; i < s.length; i += step) {
    if (!isHex(s.charCodeAt(i))) continue;
    let a = i;
    while (a > 0 && isHex(s.charCodeAt(a - 1))) a--;
    let b = i + 1;
    while (b < s.length && isHex(s.charCodeAt(b))) b++;
    if (b - a >= HEX_RUN) return true;
    i = b - 1;
  }
  return false;
}

/** Redaction of one log line shown as diagnose evidence. */
export function redactEvidence(line: string): string {
  const out = redactText(line);
  return hasHexRun(out) ? out.replace(LONG_HEX, REDACTED) : out;
}

// ---------------------------------------------------------------------------------------------
// Whole documents.

/** Fields that hold ids, enum values or xfed's own names: never redacted. */
const VERBATIM_KEYS = new Set([
  'id', 'severity', 'verdict', 'command', 'tool', 'check', 'schema', 'phase', 'dir', 'status', 'label',
  'version', 'startedAt', 'exitCode', 'references', 'firstSeen', 'lastSeen',
]);
/** Fields that hold an enum value in xfed's facts: kept when the value looks like one (a short identifier). */
const ENUM_KEYS = new Set(['key', 'outcome', 'source', 'tls', 'mode', 'service', 'transport', 'rcode', 'class', 'kind', 'type', 'method', 'secret']);
const ENUM_VALUE = /^[a-z0-9][a-z0-9._-]{0,31}$/i;

/**
 * Deeply redacts every string in a JSON-like value (a whole RunResult): free text through
 * `redactText`; ids, enum fields, numbers, booleans and object keys untouched.
 */
export function redactRun<T>(value: T): T {
  // A clean run (the common case) comes back as it is: walk() copies only what it changes.
  return walk(value, undefined) as T;
}

function walk(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') {
    if (key !== undefined && (VERBATIM_KEYS.has(key) || (ENUM_KEYS.has(key) && ENUM_VALUE.test(value)))) return value;
    return redactText(value);
  }
  // Copy on write: an array or object none of whose values changed is returned as it is.
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = walk(value[i], key === 'references' ? key : undefined);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (value && typeof value === 'object') {
    let out: Record<string, unknown> | undefined;
    for (const k in value) {
      if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
      const old = (value as Record<string, unknown>)[k];
      const v = walk(old, k);
      if (v !== old) (out ??= { ...(value as Record<string, unknown>) })[k] = v;
    }
    return out ?? value;
  }
  return value;
}


