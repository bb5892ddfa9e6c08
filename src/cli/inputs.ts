/** Reading user input for commands: domain arguments and `--file` lists (files and stdin: src/inputs). */
import { UsageError } from '../core/errors.js';
import { parseDomain, type DomainName } from '../dns/names.js';
import { readDomainList } from '../inputs/index.js';

/** Domains from arguments and a `--file` list (`field` names it): validated (exit 2 on the first bad one), normalised, de-duplicated, in order. */
export async function readDomainArgs(args: string[], file: string | undefined, field = 'dns.file'): Promise<DomainName[]> {
  const raw = [...args];
  if (file) raw.push(...(await readDomainList(file, field)));
  if (raw.length === 0) throw new UsageError('no domain given: pass one or more domains, or --file <path>', 'XFED_NO_DOMAIN');
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
