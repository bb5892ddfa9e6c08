/**
 * `--sql` guard: exactly one read-only SELECT statement, checked before any request.
 *
 * AXL's executeSQLQuery runs Informix SQL with the AXL user's rights, so xfed refuses
 * anything but one plain SELECT (no `INTO TEMP`, no second statement, no DDL/DML) even
 * though the server also refuses writes on this operation.
 */

/** Words that turn a SELECT into a write or a second statement (outside literals and comments). */
const FORBIDDEN = new Set([
  'insert', 'update', 'delete', 'merge', 'drop', 'create', 'alter', 'rename', 'truncate', 'grant', 'revoke',
  'execute', 'call', 'into', 'lock', 'unlock', 'load', 'unload', 'database', 'begin', 'commit', 'rollback',
]);

export const MAX_SQL_LENGTH = 16_384;

export interface SqlCheck {
  ok: boolean;
  /** Why it was refused (one line), when !ok. */
  reason?: string;
  /** The statement with a trailing `;` removed, when ok. */
  sql?: string;
}

/**
 * Splits SQL into "code" (outside literals and comments) and verifies it is one SELECT.
 * Informix literals: '...' and "..." (a doubled quote escapes it). Comments: `-- ...`,
 * `/* ... *\/` and `{ ... }` (Informix).
 */
export function checkSelect(input: string): SqlCheck {
  const sql = input.trim();
  if (!sql) return { ok: false, reason: 'is empty' };
  if (sql.length > MAX_SQL_LENGTH) return { ok: false, reason: `is longer than ${MAX_SQL_LENGTH} characters` };
  // XML 1.0 cannot carry most control characters, and they have no place in a query.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(sql)) return { ok: false, reason: 'contains control characters' };

  let code = '';
  const semiAt: number[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) return { ok: false, reason: `has an unterminated ${ch === "'" ? 'string' : 'quoted'} literal` };
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      code += ' ? ';
      i = j + 1;
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
      code += ' ';
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return { ok: false, reason: 'has an unterminated /* comment' };
      i = end + 2;
      code += ' ';
    } else if (ch === '{') {
      const end = sql.indexOf('}', i + 1);
      if (end < 0) return { ok: false, reason: 'has an unterminated { comment' };
      i = end + 1;
      code += ' ';
    } else {
      if (ch === ';') semiAt.push(i);
      code += ch;
      i++;
    }
  }

  const trimmed = code.trim();
  const semis = [...trimmed.matchAll(/;/g)].map((m) => m.index!);
  if (semis.length > 1 || (semis.length === 1 && semis[0] !== trimmed.length - 1)) {
    return { ok: false, reason: 'must be exactly one statement (a ";" separates two)' };
  }
  const body = semis.length === 1 ? trimmed.slice(0, -1).trim() : trimmed;
  const words = body.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? [];
  if (words[0] !== 'select') return { ok: false, reason: 'must be one read-only SELECT statement' };
  const bad = words.find((w) => FORBIDDEN.has(w));
  if (bad) return { ok: false, reason: `must be read-only: "${bad.toUpperCase()}" is not allowed in the query` };

  // Keep the user's text (literals intact); drop the trailing ";" and whatever comment follows it.
  return { ok: true, sql: semiAt.length === 1 ? sql.slice(0, semiAt[0]).trim() : sql };
}
