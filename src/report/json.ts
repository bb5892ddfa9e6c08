import { redact } from '../core/redact.js';
import type { RunResult } from '../core/result.js';

/** The `--json` document: one object, schema-versioned, every string redacted on the way out. */
export function renderJson(run: RunResult): string {
  return JSON.stringify(run, (_key, value: unknown) => (typeof value === 'string' ? redact(value) : value), 2) + '\n';
}
