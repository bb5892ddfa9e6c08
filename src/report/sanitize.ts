/**
 * One sanitiser for untrusted text at output. Peers, servers, logs and files control much of
 * what xfed prints (SRV targets, stream and dialback errors, stream attributes, certificate
 * names, AXL rows, tar member names, titles in xfed JSON fed to diagnose). In the human report:
 *
 * - control characters (C0, DEL, C1), Unicode bidi controls (U+202A-202E, U+2066-2069,
 *   U+200E/F, U+061C) and the other invisible line or format characters (U+200B, U+2028/9,
 *   U+FEFF) are shown as visible escapes: `\x1b`, `\x07`, `\u202e`; `\n`, `\r`, `\t` as
 *   such. A field is one line (`\n` shown as `\n`) unless it is explicitly multi-line
 *   (a finding's detail and fix);
 * - no printed line can be taken by the GitHub Actions runner as a workflow command: a line
 *   whose first non-blank characters are `::` gets a backslash between the colons (`:\:error::x`),
 *   and `##[` anywhere becomes `#\#[`. Both stay readable and neither is a command; this runs
 *   over the final text, because wrapping can start a line with either.
 *
 * Backslashes are not doubled, so that Windows paths stay readable: a literal `\x1b` in the
 * input looks like an escaped ESC, but is harmless. JSON needs none of this (JSON.stringify
 * escapes control characters; its lines start with a quote or a bracket); the github and JUnit
 * formats escape for their own syntax.
 */

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_MULTILINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex
const ANY_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of untrusted text, control and bidi characters escaped visibly (a newline shows as `\n`). */
export function sanitizeLine(s: string): string {
  return ANY_UNSAFE.test(s) ? s.replace(UNSAFE, escapeChar) : s;
}

/** Untrusted text that may span lines: newlines kept, every other control or bidi character escaped. */
export function sanitizeMultiline(s: string): string {
  return ANY_UNSAFE.test(s) ? s.replace(UNSAFE_MULTILINE, escapeChar) : s;
}

/** Fields whose text is explicitly multi-line (rendered through word wrap, line by line). */
const MULTILINE_KEYS = new Set(['detail', 'fix']);

/**
 * Sanitises every string of a JSON-like value (a RunResult, a TargetResult, a Finding) for the
 * human report: object keys too (AXL rows are keyed by the server's column names).
 */
export function sanitizeDeep<T>(value: T): T {
  return walk(value, undefined, 0) as T;
}

function walk(value: unknown, key: string | undefined, depth: number): unknown {
  if (typeof value === 'string') return key !== undefined && MULTILINE_KEYS.has(key) ? sanitizeMultiline(value) : sanitizeLine(value);
  if (depth > 200 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => walk(v, undefined, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const sk = sanitizeLine(k);
    // defineProperty: a key named __proto__ stays a plain property.
    Object.defineProperty(out, sk, { value: walk(v, k, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A line start, after blanks and colour codes: where `::` would begin a workflow command. */
// eslint-disable-next-line no-control-regex
const COMMAND_START = /^((?:[^\S\r\n\u2028\u2029]|\u001b\[[0-9;]*m)*):(?=:)/gm;

/**
 * Makes a finished text safe to print in a GitHub Actions log: `::` at a line start becomes
 * `:\:`, `##[` anywhere becomes `#\#[`.
 */
export function neutralizeWorkflowCommands(text: string): string {
  return text.replace(/##\[/g, '#\\#[').replace(COMMAND_START, '$1:\\');
}
