/** Evidence redaction lives with the rest of redaction, in src/core/redact.ts (one module). */
export { redactEvidence } from '../core/redact.js';
