#!/usr/bin/env node
// The xfed entry point. `--version` is answered here so that it costs no more
// than starting Node; everything else lives in the built CLI: the esbuild bundle
// (dist/bundle/, what the package ships; scripts/bundle.mjs), else tsc's output (dist/src/:
// a checkout built with tsc alone, or XFED_UNBUNDLED=1 for stack traces with source names).
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs');

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  // Node >= 22.1 caches compiled code between runs (NODE_DISABLE_COMPILE_CACHE turns it off);
  // on Node 20 loading node:module for nothing would cost a millisecond.
  if (Number(process.versions.node.split('.')[0]) >= 22) process.getBuiltinModule('node:module').enableCompileCache?.();
  const bundle = new URL('../dist/bundle/main.js', import.meta.url);
  const useBundle = !process.env.XFED_UNBUNDLED && existsSync(bundle);
  const { main } = await import(useBundle ? bundle.href : '../dist/src/cli/main.js');
  await main(process.argv);
}
