#!/usr/bin/env node
// Size limits of xfed's sources (README "Development"): no file in src/ over 500 lines, no
// function over 120 lines. A function's length is the span of lines from its first line to its
// last (signature and closing brace included), so the functions nested inside it count toward
// it. Functions are what the TypeScript parser calls function declarations and expressions,
// arrow functions, methods, constructors and accessors.
// Usage: node scripts/check-size.mjs [--json] [dir...]   (default: src)   exit 1 on a violation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export const MAX_FILE_LINES = 500;
export const MAX_FUNCTION_LINES = 120;

const root = new URL('..', import.meta.url).pathname;

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

function nameOf(node, sf) {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(sf);
  return '(anonymous)';
}

/** Every function in a file with its line span. */
export function functionsOf(file, text = readFileSync(file, 'utf8')) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      out.push({ name: nameOf(node, sf), line: start, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), functions: out };
}

export function check(dirs) {
  const problems = [];
  for (const file of dirs.flatMap((d) => walk(join(root, d))).sort()) {
    const rel = relative(root, file);
    const { lines, functions } = functionsOf(file);
    if (lines > MAX_FILE_LINES) problems.push({ file: rel, line: 1, what: 'file', name: rel, lines, max: MAX_FILE_LINES });
    for (const f of functions) {
      if (f.lines > MAX_FUNCTION_LINES) problems.push({ file: rel, line: f.line, what: 'function', name: f.name, lines: f.lines, max: MAX_FUNCTION_LINES });
    }
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const dirs = args.filter((a) => a !== '--json');
  const problems = check(dirs.length ? dirs : ['src']);
  if (json) process.stdout.write(JSON.stringify(problems, null, 2) + '\n');
  else for (const p of problems) console.error(`${p.file}:${p.line}: ${p.what} ${p.name} has ${p.lines} lines (max ${p.max})`);
  if (problems.length) {
    if (!json) console.error(`check-size: ${problems.length} over the limits (files ${MAX_FILE_LINES} lines, functions ${MAX_FUNCTION_LINES})`);
    process.exit(1);
  }
}
