/**
 * The findings `xfed diagnose` reports about its own inputs (src/diagnose/inputs.ts, engine.ts).
 * Its rules (diagnose.axl.http-401...) have their own catalogue: src/diagnose/rules/ and docs/rules.md.
 * A test keeps `meaning` equal to INPUT_FINDINGS in src/diagnose/rules/index.ts.
 */
import type { CatalogueEntry } from './types.js';

export const DIAGNOSE_FINDINGS: readonly CatalogueEntry[] = [
  {
    id: 'diagnose.input.unreadable',
    source: 'diagnose',
    severity: 'error',
    title: 'Some inputs could not be read',
    summary: 'a file or directory could not be read (permissions, I/O, corrupt compressed data)',
    meaning: 'A file or directory could not be read (permissions, I/O error, corrupt compressed data); its causes are unknown.',
    fix: 'Check the permissions (or run as a user who can read the files); re-download the bundle if its compressed data is corrupt.',
    references: [],
  },
  {
    id: 'diagnose.input.truncated',
    source: 'diagnose',
    severity: 'warning',
    title: 'A compressed file or bundle is truncated; what came before the cut was read',
    summary: 'a `.gz` or bundle ends early; what came before the cut was diagnosed',
    meaning: 'A .gz file or tar bundle ends early; the lines before the cut were diagnosed.',
    fix: 'Download the diagnostic bundle again (Maintenance > Diagnostics > Diagnostic logging > Download log) and make sure the copy completed.',
    references: [],
  },
  {
    id: 'diagnose.input.binary',
    source: 'diagnose',
    severity: 'info',
    title: 'Binary files were skipped',
    summary: 'binary files (pcaps…) skipped',
    meaning: 'Binary files (pcap captures, images...) were skipped.',
    fix: 'Nothing to do: packet captures are read with Wireshark, not by xfed.',
    references: [],
  },
  {
    id: 'diagnose.input.long-line',
    source: 'diagnose',
    severity: 'info',
    title: 'Over-long lines were cut to 256 KiB',
    summary: 'lines longer than 256 KiB were cut',
    meaning: 'Lines longer than 256 KiB were cut to their first 256 KiB.',
    fix: 'Nothing to do unless the file is not a log: only the first 256 KiB of such a line were searched.',
    references: [],
  },
  {
    id: 'diagnose.input.loop',
    source: 'diagnose',
    severity: 'warning',
    title: 'A directory loop (symbolic link) was not followed',
    summary: 'a symbolic link leads back into a directory being read',
    meaning: 'A symbolic link leads back into a directory being read; it was not followed again.',
    fix: 'Point xfed at the directory itself, or remove the looping link.',
    references: [],
  },
  {
    id: 'diagnose.input.bad-json',
    source: 'diagnose',
    severity: 'warning',
    title: 'A JSON input is not a readable xfed result',
    summary: 'JSON that looks like xfed output but does not parse',
    meaning: 'A JSON file looks like xfed output but does not parse, or is not an xfed result.',
    fix: 'Re-run the xfed command with --json and pass its complete output (one or more documents).',
    references: [],
  },
  {
    id: 'diagnose.input.unknown-format',
    source: 'diagnose',
    severity: 'info',
    title: 'Some files are in no known log format',
    summary: 'a file has no line in a known log format (it is still searched)',
    meaning: 'No line of a file looks like an Expressway, IM&P, Prosody or ejabberd log; it was still searched.',
    fix: 'Nothing to do if they are not logs (configuration dumps, certificates). For logs, check the product wrote them at DEBUG level in its default format.',
    references: [],
  },
  {
    id: 'diagnose.no-match',
    source: 'diagnose',
    severity: 'info',
    title: 'No known failure pattern found',
    summary: 'no rule matched',
    meaning: 'No rule matched: no known failure pattern in the inputs.',
    fix: '`xfed rules` lists what is looked for; make sure the logs were collected at DEBUG level (developer.xcp.federation on Expressway-E, network.axl on Expressway-C).',
    references: [],
  },
];
