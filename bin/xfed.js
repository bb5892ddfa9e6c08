#!/usr/bin/env node
// The xfed entry point. `--version` is answered here so that it costs no more
// than starting Node; everything else lives in the built CLI.
import module from 'node:module';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  // Node >= 22.1 caches compiled code between runs; older versions go without.
  module.enableCompileCache?.();
  const { main } = await import('../dist/src/cli/main.js');
  await main(process.argv);
}
