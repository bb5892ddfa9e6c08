/** Reading user input for commands: stdin, `--file` lists, domain arguments. */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { parseDomain, parseDomainList, type DomainName } from '../dns/names.js';

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A file's text, or stdin for "-"; a missing or unreadable file is a usage error (exit 2). */
export async function readTextInput(file: string, what: string): Promise<string> {
  try {
    return file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Domains from arguments and a `--file` list: validated (exit 2 on the first bad one), normalised, de-duplicated, in order. */
export async function readDomainArgs(args: string[], file: string | undefined): Promise<DomainName[]> {
  const raw = [...args];
  if (file) raw.push(...parseDomainList(await readTextInput(file, '--file')));
  if (raw.length === 0) throw new UsageError('no domain given: pass one or more domains, or --file <path>');
  const seen = new Set<string>();
  const out: DomainName[] = [];
  for (const r of raw) {
    const d = parseDomain(r);
    if (!seen.has(d.ascii)) {
      seen.add(d.ascii);
      out.push(d);
    }
  }
  return out;
}
