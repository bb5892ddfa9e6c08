/**
 * Domain names as users type them and as DNS carries them: IDNA to A-labels
 * (UTS #46 via node's WHATWG URL host parser), then RFC 1035/1123 LDH rules.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { isIP } from '../core/ip.js';
import { InputError } from '../core/errors.js';

/** Code of the InputError (field `domain`) thrown for a domain that is not usable. */
export const DOMAIN_INPUT_CODE = 'XFED_DOMAIN_INVALID';

export interface DomainName {
  /** A-label (ASCII, lowercase) form: what goes on the wire. */
  ascii: string;
  /** U-label form, for people. Equal to `ascii` for ASCII-only names. */
  unicode: string;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const PLAIN = /^[a-z0-9.-]*$/i;
const A_LABEL = /(?:^|\.)xn--/i;
/** A last label the WHATWG host parser reads as an IPv4 number (`1.2`, `x.0x1f`). */
const ENDS_IN_NUMBER = /(?:^|\.)(?:\d+|0x[0-9a-f]*)\.?$/i;

/**
 * UTS #46 ToASCII. A name of ASCII letters, digits, dots and hyphens with no A-label (`xn--`)
 * and no numeric last label only changes case: that path skips node's ICU IDNA, whose first
 * use costs ~8 ms.
 */
function toAscii(raw: string): string {
  return PLAIN.test(raw) && !A_LABEL.test(raw) && !ENDS_IN_NUMBER.test(raw) ? raw.toLowerCase() : domainToASCII(raw);
}

/** UTS #46 ToUnicode of an A-label form (the same name when it has no `xn--` label). */
function toUnicode(ascii: string): string {
  return A_LABEL.test(ascii) ? domainToUnicode(ascii) : ascii;
}

/** Why `input` is not a usable domain name, or undefined if it is one. */
export function domainProblem(input: string): string | undefined {
  const raw = input.trim().replace(/\.$/, '');
  if (!raw) return 'empty domain name';
  if (isIP(raw) || isIP(raw.replace(/^\[|\]$/g, ''))) return 'an IP address, not a domain name';
  if (/[\s/:@?#]/.test(raw)) return 'not a domain name (no spaces, ports, paths or JIDs)';
  const ascii = toAscii(raw);
  if (!ascii) return 'not a valid internationalised domain name';
  if (ascii.length > 253) return 'longer than 253 characters';
  const labels = ascii.split('.');
  if (labels.length < 2) return 'not a fully qualified domain name (federation needs one with a dot)';
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) return bad === '' ? 'has an empty label' : `label "${bad}" is not letters, digits and inner hyphens (max 63)`;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return 'the top-level label is all digits';
  return undefined;
}

/**
 * Normalises a user-supplied domain, or throws an InputError (exit 2) of `field`: `domain` for
 * a command's domain arguments (worded "invalid domain"), or the option's field (`probe.from`).
 */
export function parseDomain(input: string, field = 'domain'): DomainName {
  const problem = domainProblem(input);
  if (problem) throw new InputError(field, problem, DOMAIN_INPUT_CODE, JSON.stringify(input.trim()));
  const ascii = toAscii(input.trim().replace(/\.$/, ''));
  return { ascii, unicode: toUnicode(ascii) || ascii };
}

/** Reads domains from a list: one per line, `#` comments and blank lines ignored. */
export function parseDomainList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}
