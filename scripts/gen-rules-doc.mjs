#!/usr/bin/env node
// Writes docs/rules.md from the built-in rule data (run `npm run build` first, or `npm run docs:rules`).
// With --check, exits 1 when the page is stale instead of writing it.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { renderRulesMarkdown } = await import(join(root, 'dist/src/diagnose/doc.js'));
const { BUILTIN_RULES, INPUT_FINDINGS } = await import(join(root, 'dist/src/diagnose/rules/index.js'));
const out = join(root, 'docs', 'rules.md');
const text = renderRulesMarkdown(BUILTIN_RULES, INPUT_FINDINGS);
if (process.argv.includes('--check')) {
  let cur = '';
  try {
    cur = readFileSync(out, 'utf8');
  } catch {}
  if (cur !== text) {
    console.error('docs/rules.md is stale: run `npm run docs:rules`');
    process.exit(1);
  }
} else {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  console.log(`wrote ${out} (${BUILTIN_RULES.length} rules)`);
}
