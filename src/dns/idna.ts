/**
 * Strict host names for identity checks (RFC 9525 §6.3, RFC 5890): a name is a sequence of
 * LDH labels (letters, digits, inner hyphens; A-labels included) or U-labels, which are
 * converted to A-labels with Punycode (RFC 3492). No compatibility mapping (UTS #46 / WHATWG
 * `domainToASCII` maps full-width `ｘ` to `x` and cuts at `/ ? # \`): a U-label must already be
 * in the form IDNA2008 allows (NFC, no compatibility characters, lower case, letters, marks and
 * digits only), else the name is not a host name and never matches anything.
 */

const LDH = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const U_LABEL_CHARS = /^[\p{L}\p{M}\p{N}-]+$/u;

// RFC 3492 §5 parameters.
const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;

function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : delta >> 1;
  d += Math.floor(d / points);
  let k = 0;
  while (d > ((BASE - T_MIN) * T_MAX) >> 1) {
    d = Math.floor(d / (BASE - T_MIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - T_MIN + 1) * d) / (d + SKEW));
}

function digit(d: number): string {
  return String.fromCharCode(d < 26 ? 97 + d : 22 + d);
}

/** RFC 3492 Punycode encoding of one label (without the `xn--` prefix). */
export function punycodeEncode(label: string): string {
  const cps = Array.from(label, (c) => c.codePointAt(0)!);
  let out = cps.filter((c) => c < 0x80).map((c) => String.fromCharCode(c)).join('');
  const basic = out.length;
  let h = basic;
  if (basic > 0) out += '-';
  let n = 0x80;
  let delta = 0;
  let bias = 72;
  while (h < cps.length) {
    const m = Math.min(...cps.filter((c) => c >= n));
    delta += (m - n) * (h + 1);
    n = m;
    for (const c of cps) {
      if (c < n) delta++;
      if (c !== n) continue;
      let q = delta;
      for (let k = BASE; ; k += BASE) {
        const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
        if (q < t) break;
        out += digit(t + ((q - t) % (BASE - t)));
        q = Math.floor((q - t) / (BASE - t));
      }
      out += digit(q);
      bias = adapt(delta, h + 1, h === basic);
      delta = 0;
      h++;
    }
    delta++;
    n++;
  }
  return out;
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** One label as an A-label or LDH label (ASCII lower case), or undefined when it is not a valid label. */
function labelToAscii(label: string): string | undefined {
  const folded = asciiLower(label);
  if (/^[\x00-\x7f]*$/.test(folded)) return LDH.test(folded) ? folded : undefined;
  if (!U_LABEL_CHARS.test(folded)) return undefined;
  if (folded.normalize('NFC') !== folded || folded.normalize('NFKC') !== folded || folded.toLowerCase() !== folded) return undefined;
  if (folded.startsWith('-') || folded.endsWith('-')) return undefined;
  const a = `xn--${punycodeEncode(folded)}`;
  return LDH.test(a) ? a : undefined;
}

/**
 * A host name in its comparison form: labels as A-labels or LDH labels, ASCII lower case, one
 * trailing dot removed; undefined when `name` is not a syntactically valid host name (any
 * character outside a label's alphabet, such as `/ ? # \ NUL space @ *`, empty labels, too long).
 */
export function hostnameToAscii(name: string): string | undefined {
  const s = name.endsWith('.') ? name.slice(0, -1) : name;
  if (!s || s.length > 253) return undefined;
  const out: string[] = [];
  for (const label of s.split('.')) {
    const a = labelToAscii(label);
    if (a === undefined) return undefined;
    out.push(a);
  }
  const joined = out.join('.');
  return joined.length > 253 ? undefined : joined;
}
