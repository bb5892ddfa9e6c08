#!/usr/bin/env node
// The xfed entry point (CommonJS: bin/package.json). `--version` is answered here so that it
// costs no more than starting Node; a command line that only asks for help (`--help`, `-h`)
// runs the CLI's definitions from dist/bundle/cli.cjs, one CommonJS file with no command code
// (no ES module loader to start: ~5 ms less). Everything else runs the esbuild bundle
// (dist/bundle/main.js, what the package ships; scripts/bundle.mjs), else tsc's output
// (dist/src/: a checkout built with tsc alone, or XFED_UNBUNDLED=1 for stack traces with
// source names). The same source (src/cli/main.ts) is behind all three.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const args = process.argv.slice(2);
const dist = join(__dirname, '..', 'dist');

/** Help only: --help/-h before any `--`, and no JSON asked for (its error path loads command code). */
function helpOnly(words) {
  const end = words.indexOf('--');
  const own = end === -1 ? words : words.slice(0, end);
  return (own.includes('--help') || own.includes('-h')) && !own.some((w) => w === '--json' || w.startsWith('--format') || w === '-o' || w.startsWith('--output'));
}

if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version}\n`);
} else {
  // Node >= 22.1 caches compiled code between runs (NODE_DISABLE_COMPILE_CACHE turns it off);
  // on Node 20 loading node:module for nothing would cost a millisecond.
  if (Number(process.versions.node.split('.')[0]) >= 22) require('node:module').enableCompileCache?.();
  const bundled = !process.env.XFED_UNBUNDLED && existsSync(join(dist, 'bundle', 'main.js'));
  if (bundled && helpOnly(args) && existsSync(join(dist, 'bundle', 'cli.cjs'))) {
    require(join(dist, 'bundle', 'cli.cjs')).main(process.argv);
  } else {
    const { pathToFileURL } = require('node:url');
    const entry = bundled ? join(dist, 'bundle', 'main.js') : join(dist, 'src', 'cli', 'main.js');
    import(pathToFileURL(entry).href).then((m) => m.main(process.argv));
  }
}
