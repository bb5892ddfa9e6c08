/**
 * Documentation generated from the finding catalogue: `xfed explain <id>` (text),
 * docs/findings.md and the README's finding tables (`npm run docs:findings`; a test
 * fails when either is stale).
 */
import { FINDINGS, SOURCES, severityText } from './index.js';
import type { CatalogueEntry, FindingSource } from './types.js';

/** Plain text for the terminal (the layout of `xfed rules show`). */
export function renderFinding(e: CatalogueEntry, bold: (s: string) => string, sev: string): string {
  const command = SOURCES.find((s) => s.source === e.source)?.command ?? e.source;
  const out = [`${bold(e.id)}  ${sev}`, `  ${e.title}`, '', `  Emitted by: ${command}`];
  if (e.variants?.length) out.push(`  Severity: ${severityText(e)}`);
  out.push('', '  Meaning:', `    ${e.meaning}`);
  if (e.fix) out.push('', '  Fix:', `    ${e.fix}`);
  if (e.references.length) out.push('', '  References:', ...e.references.map((u) => `    ${u}`));
  return out.join('\n');
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function anchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9 -]/g, '');
}

/** "error / warning / info": the usual severity first. */
function severities(e: CatalogueEntry): string {
  return [e.severity, ...(e.variants ?? []).map((v) => v.severity)].join(' / ');
}

function table(entries: readonly CatalogueEntry[], link: boolean): string[] {
  return [
    '| id | severity | meaning |',
    '|---|---|---|',
    ...entries.map((e) => `| ${link ? `[\`${e.id}\`](#${anchor(e.id)})` : `\`${e.id}\``} | ${severities(e)} | ${cell(e.summary)} |`),
  ];
}

/** docs/findings.md */
export function renderFindingsMarkdown(entries: readonly CatalogueEntry[] = FINDINGS): string {
  const out = [
    '# xfed finding ids',
    '',
    '<!-- Generated from src/findings/ by `npm run docs:findings`. Do not edit: a test fails when this page is stale. -->',
    '',
    'Every finding id an xfed command emits, with its severity, what it means, how to fix it and the',
    'documents behind it. `xfed explain <id>` prints one (`--json` too). The rules of `xfed diagnose`',
    '(`diagnose.axl.http-401`, ...) are described in [rules.md](rules.md); `xfed explain` answers for them too.',
    '',
    'Ids are stable: a renamed id keeps its old name as an alias for one release. A severity after',
    'the first in the tables is the one the same id takes in the case its section names.',
    '',
  ];
  for (const { source, command } of SOURCES) {
    const list = entries.filter((e) => e.source === source);
    if (!list.length) continue;
    out.push(`## \`${command}\``, '', ...table(list, true), '');
  }
  for (const e of entries) {
    out.push(`### ${e.id}`, '', `**${e.title}** (${e.severity})`, '');
    if (e.variants?.length) {
      out.push('Severity:', '', `- ${e.severity}: otherwise`, ...e.variants.map((v) => `- ${v.severity}: ${v.when}`), '');
    }
    out.push(`**Meaning.** ${e.meaning}`, '');
    if (e.fix) out.push(`**Fix.** ${e.fix}`, '');
    if (e.references.length) out.push('References:', '', ...e.references.map((u) => `- <${u}>`), '');
  }
  return out.join('\n');
}

/** The README's generated finding tables: `<!-- findings:<name>:start -->` ... `<!-- findings:<name>:end -->`. */
export const README_BLOCKS: ReadonlyArray<{ name: string; sources: readonly FindingSource[] }> = [
  { name: 'check-dns', sources: ['check-dns'] },
  { name: 'probe', sources: ['probe', 'dialback'] },
  { name: 'axl-verify', sources: ['axl-verify'] },
  { name: 'doctor', sources: ['doctor'] },
];

export function readmeBlock(name: string, entries: readonly CatalogueEntry[] = FINDINGS): string {
  const b = README_BLOCKS.find((x) => x.name === name);
  if (!b) throw new Error(`no README block "${name}"`);
  return table(
    entries.filter((e) => b.sources.includes(e.source)),
    false,
  ).join('\n');
}

function markers(name: string): [string, string] {
  return [`<!-- findings:${name}:start -->`, `<!-- findings:${name}:end -->`];
}

/** The README with every finding block regenerated. Throws when a block's markers are missing. */
export function applyReadmeBlocks(readme: string, entries: readonly CatalogueEntry[] = FINDINGS): string {
  let text = readme;
  for (const { name } of README_BLOCKS) {
    const [start, end] = markers(name);
    const i = text.indexOf(start);
    const j = text.indexOf(end, i);
    if (i < 0 || j < 0) throw new Error(`README.md has no ${start} ... ${end} block`);
    text = `${text.slice(0, i + start.length)}\n${readmeBlock(name, entries)}\n${text.slice(j)}`;
  }
  return text;
}
