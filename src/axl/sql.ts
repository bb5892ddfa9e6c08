/**
 * The `--sql` guard: one plain read-only SELECT, checked before any request.
 *
 * AXL's executeSQLQuery runs Informix SQL with the AXL user's rights, so xfed lets through only
 * a SELECT over tables and columns: WHERE, ORDER BY, GROUP BY, joins, comparisons, literals and
 * sub-selects are fine; function calls only from ALLOWED_FUNCTIONS (so no `task()`, `admin()`,
 * `sysadmin:task`, user routines); no second statement, no EXECUTE/CALL/INTO/DDL/DML words.
 * Comments are removed from the statement that is sent, so nothing hidden in one reaches IM&P:
 * what was checked is what is sent.
 */

/** Functions a --sql query may call: aggregates and plain string/number helpers, nothing with side effects. */
export const ALLOWED_FUNCTIONS: readonly string[] = [
  'count', 'sum', 'min', 'max', 'avg',
  'lower', 'upper', 'trim', 'ltrim', 'rtrim', 'length', 'char_length', 'substr', 'substring', 'lpad', 'rpad', 'concat',
  'nvl', 'coalesce', 'abs', 'round', 'trunc', 'mod', 'cast',
];
const ALLOWED = new Set(ALLOWED_FUNCTIONS);

/** Words that make a SELECT write, run code or start another statement (outside literals and comments). */
const FORBIDDEN = new Set([
  'insert', 'update', 'delete', 'merge', 'upsert', 'drop', 'create', 'alter', 'rename', 'truncate', 'grant', 'revoke',
  'execute', 'exec', 'call', 'procedure', 'function', 'routine', 'system', 'into', 'lock', 'unlock', 'load', 'unload',
  'database', 'connect', 'disconnect', 'begin', 'commit', 'rollback', 'savepoint', 'set', 'declare', 'prepare', 'open',
  'fetch', 'close', 'output', 'external', 'temp',
]);

/** Clauses that take a parenthesised list or sub-select: `IN (`, `EXISTS (`... are not calls. */
const PAREN_KEYWORDS = new Set(['select', 'from', 'where', 'and', 'or', 'not', 'in', 'exists', 'on', 'as', 'when', 'then', 'else', 'having', 'by', 'union', 'all', 'any', 'some', 'join', 'between', 'like', 'matches', 'is', 'case']);

/** Characters allowed outside literals and comments (`;` only at the very end). */
const CODE_CHARS = /^[A-Za-z0-9_\s,.()*=<>!+\-/|;]$/;

export const MAX_SQL_LENGTH = 16_384;

export interface SqlCheck {
  ok: boolean;
  /** Why it was refused (one line, without the field's name), when !ok. */
  reason?: string;
  /** The statement to send, when ok: comments removed, a trailing `;` dropped, literals intact. */
  sql?: string;
}

type Token = { kind: 'word'; text: string } | { kind: 'literal' } | { kind: 'punct'; text: string };

interface Scan {
  tokens: Token[];
  /** The input with every comment replaced by a space. */
  text: string;
}

/** The end of the literal opened at `i` (the index after its closing quote), or -1. A doubled quote escapes it. */
function literalEnd(sql: string, i: number): number {
  const q = sql[i]!;
  for (let j = i + 1; j < sql.length; j++) {
    if (sql[j] !== q) continue;
    if (sql[j + 1] === q) j++;
    else return j + 1;
  }
  return -1;
}

/** The end of the comment starting at `i` (after it), -1 if unterminated, undefined if none starts there. */
function commentEnd(sql: string, i: number): number | undefined {
  const two = sql.slice(i, i + 2);
  if (two === '--') {
    const end = sql.indexOf('\n', i);
    return end < 0 ? sql.length : end + 1;
  }
  if (two === '/*') {
    const end = sql.indexOf('*/', i + 2);
    return end < 0 ? -1 : end + 2;
  }
  if (sql[i] === '{') {
    const end = sql.indexOf('}', i + 1);
    return end < 0 ? -1 : end + 1;
  }
  return undefined;
}

/** Splits Informix SQL into words, literals and punctuation; comments become spaces. */
function scan(sql: string): Scan | string {
  const tokens: Token[] = [];
  let text = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const end = literalEnd(sql, i);
      if (end < 0) return `has an unterminated ${ch === "'" ? 'string' : 'quoted'} literal`;
      const lit = sql.slice(i, end);
      // Servers differ on backslash escapes in literals: one that closes the literal for IM&P would let code through.
      if (lit.includes('\\')) return 'has a backslash in a literal (servers disagree on what it escapes)';
      tokens.push({ kind: 'literal' });
      text += lit;
      i = end;
      continue;
    }
    const c = commentEnd(sql, i);
    if (c !== undefined) {
      if (c < 0) return `has an unterminated ${sql[i] === '{' ? '{' : '/*'} comment`;
      text += ' ';
      i = c;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*|^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(sql.slice(i, i + 256));
    if (word) {
      tokens.push({ kind: 'word', text: word[0].toLowerCase() });
      text += word[0];
      i += word[0].length;
      continue;
    }
    if (!CODE_CHARS.test(ch)) return `may not contain ${JSON.stringify(ch)} outside a literal (only tables, columns, operators and literals)`;
    if (!/\s/.test(ch)) tokens.push({ kind: 'punct', text: ch });
    text += ch;
    i++;
  }
  return { tokens, text };
}

/** Why the token list is not one plain SELECT, or undefined when it is. */
function judge(tokens: Token[]): string | undefined {
  const semi = tokens.findIndex((t) => t.kind === 'punct' && t.text === ';');
  if (semi >= 0 && semi !== tokens.length - 1) return 'must be exactly one statement (a ";" separates two)';
  const first = tokens[0];
  if (!first || first.kind !== 'word' || first.text !== 'select') return 'must be one read-only SELECT statement';
  for (const [i, t] of tokens.entries()) {
    const next = tokens[i + 1];
    const opens = next?.kind === 'punct' && next.text === '(';
    // With DELIMIDENT a double-quoted "name" is an identifier: "task"(...) would be a call.
    if (t.kind === 'literal' && opens) return 'may not call a quoted routine name';
    if (t.kind !== 'word') continue;
    if (FORBIDDEN.has(t.text)) return `must be read-only: "${t.text.toUpperCase()}" is not allowed in the query`;
    if (!opens || PAREN_KEYWORDS.has(t.text) || /^\d/.test(t.text)) continue;
    const prev = tokens[i - 1];
    if (prev?.kind === 'punct' && prev.text === '.') return `may not call the owner-qualified routine ${t.text}() (allowed functions: ${ALLOWED_FUNCTIONS.join(', ')})`;
    if (!ALLOWED.has(t.text)) return `may not call ${t.text}() (allowed functions: ${ALLOWED_FUNCTIONS.join(', ')})`;
  }
  return undefined;
}

/** Checks that `input` is one plain SELECT; returns the statement to send. */
export function checkSelect(input: string): SqlCheck {
  const sql = input.trim();
  if (!sql) return { ok: false, reason: 'is empty' };
  if (sql.length > MAX_SQL_LENGTH) return { ok: false, reason: `is longer than ${MAX_SQL_LENGTH} characters` };
  // XML 1.0 cannot carry most control characters, and they have no place in a query.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(sql)) return { ok: false, reason: 'contains control characters' };
  const s = scan(sql);
  if (typeof s === 'string') return { ok: false, reason: s };
  const why = judge(s.tokens);
  if (why) return { ok: false, reason: why };
  const text = s.text.trim();
  return { ok: true, sql: text.endsWith(';') ? text.slice(0, -1).trim() : text };
}
