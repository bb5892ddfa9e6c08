/**
 * Rule documentation generated from the rule data: `xfed rules show <id>` and
 * docs/rules.md (`npm run docs:rules`; a test fails when the page is stale).
 */
import type { MatcherSpec, PatternSpec, RuleSpec } from './types.js';

function pat(p: PatternSpec): string {
  const kw = p.keywords.map((k) => `\`${k}\``).join(' or ');
  const parts = [`keyword ${kw}${p.ignoreCase ? ' (any case)' : ''}`];
  if (p.regex) parts.push(`regex \`${p.regex.replace(/`/g, '\\`')}\``);
  if (p.products) parts.push(`in ${p.products.join('/')} logs`);
  return parts.join(', ');
}

export function describeMatcher(m: MatcherSpec): string {
  if ('line' in m) {
    const t = m.line.threshold;
    return `line: ${pat(m.line)}${t ? `; fires at ${t.count} per key${t.windowSeconds ? ` within ${t.windowSeconds} s` : ''}` : ''}`;
  }
  if ('sequence' in m) {
    const s = m.sequence;
    return `sequence: start ${pat(s.start)}; without end ${pat(s.end)}${s.windowSeconds ? ` within ${s.windowSeconds} s` : ' before the end of the file'}${s.close ? `; closed early by ${pat(s.close)}` : ''}`;
  }
  if ('chain' in m) {
    return `chain: ${m.chain.steps.map((s, i) => `(${i + 1}) ${pat(s)}`).join(', then ')}${m.chain.unless ? `; unless afterwards ${pat(m.chain.unless)}` : ''}`;
  }
  if ('file' in m) return `file: a path matching \`${m.file.path}\``;
  const ids = m.finding.ids.includes('*') ? 'any error or warning finding no other rule claims' : m.finding.ids.map((i) => `\`${i}\``).join(', ');
  return `xfed result: ${ids}${m.finding.text ? ` whose text matches \`${m.finding.text}\`` : ''}`;
}

/** Plain text for the terminal. */
export function renderRule(r: RuleSpec, bold: (s: string) => string, sev: string): string {
  const out = [`${bold(r.id)}  ${sev}${r.enabled === false ? '  (disabled)' : ''}`, `  ${r.title}`, ''];
  out.push(`  Reads: ${r.logs || r.products.join(', ')}`, '', '  Cause:', `    ${r.cause}`, '', '  Fix:');
  r.fix.forEach((f, i) => out.push(`    ${i + 1}. ${f}`));
  out.push('', '  Matches (any of):');
  for (const m of r.match) out.push(`    - ${describeMatcher(m)}`);
  if (r.supersedes?.length) out.push('', `  Replaces when both fire: ${r.supersedes.join(', ')}`);
  if (r.clears?.length) out.push('', '  Cleared (reported as info) by a later:', ...r.clears.map((p) => `    - ${pat(p)}`));
  if (r.explains?.length) out.push('', `  Explains (ranked after it when both fire): ${r.explains.join(', ')}`);
  if (r.notes) out.push('', `  Notes: ${r.notes}`);
  if (r.references.length) out.push('', '  References:', ...r.references.map((u) => `    ${u}`));
  return out.join('\n');
}

export interface InputFindingDoc {
  readonly id: string;
  readonly severity: string;
  readonly meaning: string;
}

/** docs/rules.md */
export function renderRulesMarkdown(rules: readonly RuleSpec[], inputs: readonly InputFindingDoc[]): string {
  const out = [
    '# xfed diagnose rules',
    '',
    '<!-- Generated from src/diagnose/rules/ by `npm run docs:rules`. Do not edit: a test fails when this page is stale. -->',
    '',
    '`xfed diagnose` reads Expressway, IM&P, Prosody, Metronome, ejabberd, MongooseIM, Openfire, jabberd2 and Tigase logs and xfed\'s own JSON results, and reports',
    'each rule below that matches as a finding with the rule\'s id, its evidence (file, line, first/last seen, count)',
    'and its fix. `xfed rules show <id>` prints one rule; `--rules <file>` adds or overrides rules (same schema).',
    '',
    '| id | severity | reads | title |',
    '|---|---|---|---|',
    ...rules.map((r) => `| [\`${r.id}\`](#${anchor(r.id)}) | ${r.severity} | ${r.products.join(', ')} | ${r.title.replace(/\|/g, '\\|')} |`),
    '',
    '## Input findings',
    '',
    'Reported by the engine itself about what it read (not rules; they cannot be overridden).',
    '',
    '| id | severity | meaning |',
    '|---|---|---|',
    ...inputs.map((i) => `| \`${i.id}\` | ${i.severity} | ${i.meaning} |`),
    '',
  ];
  for (const r of rules) {
    out.push(`## ${r.id}`, '', `**${r.title}** (${r.severity})`, '', `Reads: ${r.logs || r.products.join(', ')}`, '', `**Cause.** ${r.cause}`, '', '**Fix.**', '');
    r.fix.forEach((f, i) => out.push(`${i + 1}. ${f}`));
    out.push('', '**Matches** (any of):', '');
    for (const m of r.match) out.push(`- ${describeMatcher(m)}`);
    if (r.supersedes?.length) out.push('', `Replaces ${r.supersedes.map((s) => `\`${s}\``).join(', ')} when both fire.`);
    if (r.clears?.length) out.push('', '**Cleared** (reported as info, "raised at …, cleared at …") by a later:', '', ...r.clears.map((p) => `- ${pat(p)}`));
    if (r.explains?.length) out.push('', `**Explains** ${r.explains.map((s) => `\`${s}\``).join(', ')}: when both fire, this cause ranks first and names them.`);
    if (r.notes) out.push('', `*Note:* ${r.notes}`);
    if (r.references.length) out.push('', 'References:', '', ...r.references.map((u) => `- <${u}>`));
    out.push('');
  }
  return out.join('\n');
}

function anchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9 -]/g, '');
}
