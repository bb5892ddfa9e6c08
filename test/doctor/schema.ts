/** The published JSON Schema (schema/xfed.schema.json), compiled once with ajv (draft 2020-12). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { ROOT } from '../helpers/servers.js';

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
export const SCHEMA = JSON.parse(readFileSync(join(ROOT, 'schema', 'xfed.schema.json'), 'utf8')) as object;
const validator = ajv.compile(SCHEMA);

/** The schema's complaints about `doc`, one line each; empty when it is valid. */
export function schemaErrors(doc: unknown): string[] {
  if (validator(doc)) return [];
  return (validator.errors ?? []).slice(0, 20).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
