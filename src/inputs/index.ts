/**
 * One module for what users hand xfed: text files, stdin (`-`), secret files, PEM files and
 * domain lists. Every reader throws InputError subclasses that name the field, never a flag.
 *
 * The secret-file rule, the same for `axl-verify --password-file`, doctor's
 * `axl.password_file`, `probe --secret-file`, `dialback key --secret-file` and doctor's
 * `probe.secret_file`:
 *   the whole file is the secret, after removing a leading UTF-8 byte-order mark and ONE
 *   trailing line ending (`\n` or `\r\n`, as `echo` and editors add). Nothing else is
 *   trimmed: spaces stay, a second trailing line ending stays, further lines stay (a secret
 *   may span lines). An empty secret is refused; so is a file larger than 64 KiB. File
 *   permissions are not checked (pipes and /dev/stdin have none that matter).
 */
import { FileContentError } from '../core/errors.js';
import { parseDomainList } from '../dns/names.js';
import { readInput, type OpenOptions } from './open.js';

export { openInput, readInput, readError, isStdinAlias, checkKind, PIPE_WAIT_MS, type InputSource, type OpenOptions } from './open.js';

export const SECRET_MAX_BYTES = 64 * 1024;
export const PEM_MAX_BYTES = 1024 * 1024;
export const TEXT_MAX_BYTES = 16 * 1024 * 1024;

type ReadOptions = Omit<OpenOptions, 'field'> & { maxBytes?: number };

/** A text file (or stdin for "-"), as UTF-8, at most `maxBytes` (default 16 MiB). */
export async function readText(path: string, field: string, o: ReadOptions = {}): Promise<string> {
  return (await readInput(path, { ...o, field, maxBytes: o.maxBytes ?? TEXT_MAX_BYTES })).toString('utf8');
}

/** Applies the secret-file rule (see the module comment) to a file's text. */
export function secretFromText(text: string, field: string, path: string): string {
  const v = text.replace(/^\uFEFF/, '').replace(/\r?\n$/, '');
  if (!v) throw new FileContentError(field, path, 'the file is empty', 'XFED_SECRET_EMPTY');
  return v;
}

/** A secret file ("-" for stdin), read by the one rule. */
export async function readSecretFile(path: string, field: string, o: Omit<ReadOptions, 'maxBytes'> = {}): Promise<string> {
  return secretFromText(await readText(path, field, { ...o, maxBytes: SECRET_MAX_BYTES }), field, path === '-' ? '(stdin)' : path);
}

/** A PEM file that must hold at least one certificate. */
export async function readPemFile(path: string, field: string, o: Omit<ReadOptions, 'maxBytes'> = {}): Promise<string> {
  const text = await readText(path, field, { ...o, maxBytes: PEM_MAX_BYTES });
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new FileContentError(field, path, 'holds no PEM certificate', 'XFED_PEM_NO_CERTIFICATE');
  return text;
}

/** The entries of a domain list file ("-" for stdin), not yet validated. */
export async function readDomainList(path: string, field: string, o: Omit<ReadOptions, 'maxBytes'> = {}): Promise<string[]> {
  return parseDomainList(await readText(path, field, o));
}

export { readCertKey, type CertKey, type CertKeyFields } from './keys.js';
