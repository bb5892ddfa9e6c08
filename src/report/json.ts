import type { RunResult } from '../core/result.js';

/** The `--json` document: one object, schema-versioned (schema/xfed.schema.json). Redacted by report/output.ts. */
export function renderJson(run: RunResult): string {
  return JSON.stringify(run, null, 2) + '\n';
}
