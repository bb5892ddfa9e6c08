/**
 * xfed's exit codes: the one table every command uses (mirrored in README.md).
 */
export const EXIT = {
  /** No error findings (warnings allowed unless --strict). */
  OK: 0,
  /** At least one error finding (or a warning with --strict). */
  FINDINGS: 1,
  /** Usage error or bad input: one line on stderr, nothing checked. */
  USAGE: 2,
  /** xfed itself failed (a bug or an unexpected environment problem). */
  INTERNAL: 3,
  /** Interrupted (SIGINT/SIGTERM). */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

import type { Summary } from './result.js';

export function exitCodeFor(summary: Summary, strict: boolean): ExitCode {
  if (summary.errors > 0) return EXIT.FINDINGS;
  if (strict && summary.warnings > 0) return EXIT.FINDINGS;
  return EXIT.OK;
}
