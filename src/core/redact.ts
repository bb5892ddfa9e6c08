/**
 * Secrets never reach output unredacted: AXL passwords, Authorization headers,
 * dialback secrets and keys. Every renderer and transcript goes through here.
 */

export const REDACTED = '[redacted]';

const registered = new Set<string>();

/** Registers a secret value so that `redact()` masks it wherever it appears. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 3) registered.add(value);
}

const PATTERNS: Array<[RegExp, string]> = [
  // HTTP Basic/Bearer credentials.
  [/(authorization\s*[:=]\s*"?)(basic|bearer)\s+[A-Za-z0-9+/=._-]+/gi, `$1$2 ${REDACTED}`],
  // Dialback keys: the text content of db:result / db:verify (XEP-0220).
  [/(<db:(?:result|verify)\b[^>]*>)([^<]+)(<\/db:(?:result|verify)>)/g, `$1${REDACTED}$3`],
  // password=..., secret: ... in key/value text.
  [/((?:password|passwd|secret|dialback_secret)\s*[=:]\s*"?)([^"\s,;]+)/gi, `$1${REDACTED}`],
];

/** Cheap test for text that may hold a secret shape: most strings skip the patterns. */
const MAYBE_SECRET = /authorization|<db:|pass|secret/i;

/** Masks registered secrets and well-known secret shapes in one line or document. */
export function redact(text: string): string {
  let out = text;
  for (const s of registered) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  if (!MAYBE_SECRET.test(out)) return out;
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}

/** Deeply redacts every string in a JSON-like value. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}

/** Redacts a whole run before output (helper "redact" replaces this with a context-aware version). */
export const redactRun = redactDeep;
