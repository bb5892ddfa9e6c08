import { redactDeep } from '../core/redact.js';
import type { RunResult } from '../core/result.js';

/** The `--json` document: one object, schema-versioned, secrets redacted. */
export function renderJson(run: RunResult): string {
  return JSON.stringify(redactDeep(run), null, 2) + '\n';
}
