#!/usr/bin/env node
// Writes docs/findings.md and the README's finding tables (the blocks between
// `<!-- findings:<name>:start -->` and `<!-- findings:<name>:end -->`) from the finding
// catalogue in src/findings/ (run `npm run build` first, or `npm run docs:findings`).
// With --check, exits 1 when either is stale instead of writing them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { renderFindingsMarkdown, applyReadmeBlocks } = await import(join(root, 'dist/src/findings/doc.js'));
const { FINDINGS } = await import(join(root, 'dist/src/findings/index.js'));
const doc = join(root, 'docs', 'findings.md');
const readme = join(root, 'README.md');

const read = (p) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
};
const wantDoc = renderFindingsMarkdown();
const haveReadme = read(readme);
let wantReadme;
try {
  wantReadme = applyReadmeBlocks(haveReadme);
} catch (e) {
  console.error(`gen-findings-doc: ${e.message}`);
  process.exit(1);
}

if (process.argv.includes('--check')) {
  const stale = [...(read(doc) !== wantDoc ? ['docs/findings.md'] : []), ...(haveReadme !== wantReadme ? ['the finding tables of README.md'] : [])];
  if (stale.length) {
    console.error(`${stale.join(' and ')} ${stale.length > 1 ? 'are' : 'is'} stale: run \`npm run docs:findings\``);
    process.exit(1);
  }
} else {
  mkdirSync(dirname(doc), { recursive: true });
  writeFileSync(doc, wantDoc);
  if (haveReadme !== wantReadme) writeFileSync(readme, wantReadme);
  console.log(`wrote ${doc} and the README finding tables (${FINDINGS.length} ids)`);
}
