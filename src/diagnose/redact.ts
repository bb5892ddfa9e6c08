/**
 * Evidence redaction for log lines, on top of src/core/redact.ts: dialback keys in
 * the broken shapes real logs show (tags split over lines, `</db verify>`, keys
 * with a space inside), long hex secrets, and credentials in URLs.
 */
import { redact, REDACTED } from '../core/redact.js';

const PATTERNS: Array<[RegExp, string]> = [
  // Everything between a db:result / db:verify start tag and the next tag (or the end of the line).
  [/(<db:[a-z]+\b(?:[^>]*[^/>])?>)[^<]*/gi, `$1${REDACTED}`],
  // A dialback key alone on a continuation line, or anywhere: 32+ hex digits (XCP keys are 40, XEP-0220 keys 64).
  [/\b[0-9a-fA-F]{32,}(?: [0-9a-fA-F]{4,})?\b/g, REDACTED],
  // https://user:password@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']+:)[^\s@/"']+@/gi, `$1${REDACTED}@`],
];

export function redactEvidence(line: string): string {
  let out = redact(line);
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}
