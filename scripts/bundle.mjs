#!/usr/bin/env node
// Bundles the compiled CLI (dist/src, built by tsc) and its runtime dependencies into
// dist/bundle/ with esbuild: one ESM entry (main.js) plus split chunks that load only when a
// command needs them (so `xfed --help` loads commander and the command table, nothing else).
// The package ships dist/bundle/ and has no runtime dependency: `npm install` of the tarball
// installs xfed alone. Also writes dist/THIRD-PARTY-NOTICES.txt (the licences of what is bundled).
// Run by `npm run build` after tsc; `node scripts/bundle.mjs --report` prints the largest inputs,
// `--no-minify` keeps names readable for profiling.
import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist', 'bundle');
const entry = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(entry)) {
  console.error('bundle: dist/src/cli/main.js is missing: run tsc first (npm run build)');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });

/** Bundle-time edits, each a plain string replacement that must match (else the build fails). */
const EDITS = [
  // commander loads child_process (and with it net, dgram, streams) for executable subcommands,
  // which xfed does not use: load it on first use instead (saves ~2 ms of every start).
  {
    file: /commander[\\/]lib[\\/]command\.js$/,
    from: "const childProcess = require('node:child_process');",
    to: "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };",
  },
  // identity.ts loads the ASN.1 libraries through createRequire (unbundled: lazily from
  // node_modules), only when node's own certificate text is ambiguous. In the bundle they are a
  // CommonJS file of their own (asn1.cjs, built below), required on that first use: kept out of
  // the chunks every probe loads (~150 kB of code to compile).
  {
    file: /dist[\\/]src[\\/]xmpp[\\/]identity\.js$/,
    from: 'const lazyRequire = createRequire(import.meta.url);',
    to: "const lazyRequire = (id) => createRequire(import.meta.url)('./asn1.cjs')[id];",
  },
];

const edits = {
  name: 'xfed-edits',
  setup(b) {
    for (const e of EDITS) {
      b.onLoad({ filter: e.file }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes(e.from)) throw new Error(`bundle: ${args.path} no longer contains ${JSON.stringify(e.from)}`);
        return { contents: e.all ? text.split(e.from).join(e.to) : text.replace(e.from, e.to), loader: 'js', resolveDir: dirname(args.path) };
      });
    }
  },
};

// Node's built-in modules are taken with process.getBuiltinModule(), not imported as ES modules:
// an ES import of a built-in makes node build its ESM facade (a module job, and a read of every
// export). The stand-in exports the module's data properties by name (an import of one of its
// getters, such as tls.rootCertificates, fails the build: "No matching export"; use the default
// import for those).
const IDENT = /^[A-Za-z_$][\w$]*$/;
const builtins = {
  name: 'xfed-builtins',
  setup(b) {
    // ES imports only: require() calls of bundled CommonJS code go through the banner's require.
    b.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'import-statement' && process.getBuiltinModule(args.path) ? { path: args.path, namespace: 'xfed-builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'xfed-builtin' }, (args) => {
      const mod = process.getBuiltinModule(args.path);
      const names = Object.keys(mod).filter((k) => IDENT.test(k) && k !== 'default' && !Object.getOwnPropertyDescriptor(mod, k)?.get);
      const m = JSON.stringify(args.path);
      return { contents: `const m = process.getBuiltinModule(${m});\nexport const { ${names.join(', ')} } = m;\nexport default m;\n`, loader: 'js' };
    });
  },
};

/** What every build below shares. */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20.18',
  // --no-minify: readable names in profiles (node --cpu-prof).
  minify: !process.argv.includes('--no-minify'),
  // No name-keeping wrappers by default (they cost start-up): nothing in xfed's code reads a
  // function's name. The ASN.1 schema library does (`constructor.name === 'Sequence'`): asn1.cjs keeps them.
  keepNames: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

const result = await build({
  ...common,
  entryPoints: { main: entry },
  outdir: out,
  splitting: true,
  format: 'esm',
  chunkNames: 'chunk-[hash]',
  // Bundled CommonJS code requires node's built-in modules (everything else is bundled).
  banner: { js: 'const require=(id)=>process.getBuiltinModule(id);' },
  plugins: [edits, builtins],
});

// The ASN.1 libraries identity.ts requires on first use (see EDITS), as one CommonJS file.
const asn1 = await build({
  stdin: { contents: "module.exports = { '@peculiar/asn1-schema': require('@peculiar/asn1-schema'), '@peculiar/asn1-x509': require('@peculiar/asn1-x509') };", resolveDir: root, loader: 'js' },
  ...common,
  outfile: join(out, 'asn1.cjs'),
  format: 'cjs',
  keepNames: true,
});

// cli.cjs: the CLI's definitions alone (commander, the command table, src/cli/main.ts) as one
// CommonJS file, for command lines that only ask for help (bin/xfed.js): no ES module loader to
// start and no chunks to resolve. Command code is only ever reached through dynamic imports, left
// out here (a help run never takes them).
const cli = await build({
  ...common,
  entryPoints: [entry],
  outfile: join(out, 'cli.cjs'),
  format: 'cjs',
  define: { 'import.meta.url': '__xfedUrl' },
  banner: { js: 'var __xfedUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [edits, { name: 'xfed-no-dynamic', setup: (b) => b.onResolve({ filter: /.*/ }, (a) => (a.kind === 'dynamic-import' ? { path: a.path, external: true } : undefined)) }],
});

// The licences of every bundled package, for the package's THIRD-PARTY-NOTICES.txt.
const packages = new Map();
for (const input of [...Object.keys(result.metafile.inputs), ...Object.keys(asn1.metafile.inputs), ...Object.keys(cli.metafile.inputs)]) {
  const m = /^(.*node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(input);
  if (!m || packages.has(m[1])) continue;
  const dir = join(root, m[1]);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const licenceFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  packages.set(m[1], { name: pkg.name, version: pkg.version, license: pkg.license ?? pkg.licenses?.map((l) => l.type).join(' OR ') ?? 'see package', text: licenceFile ? readFileSync(join(dir, licenceFile), 'utf8').trim() : undefined });
}
const list = [...packages.values()].sort((a, b) => a.name.localeCompare(b.name));
const notices = [
  'xfed bundles the following packages into dist/bundle/ (generated by scripts/bundle.mjs).',
  '',
  ...list.map((p) => `  ${p.name}@${p.version}  ${p.license}`),
  '',
  ...list.flatMap((p) => ['='.repeat(78), `${p.name}@${p.version} (${p.license})`, '-'.repeat(78), p.text ?? `License: ${p.license} (the package ships no licence file).`, '']),
].join('\n');
writeFileSync(join(root, 'dist', 'THIRD-PARTY-NOTICES.txt'), notices + '\n');

if (process.argv.includes('--report')) {
  const outputs = Object.entries(result.metafile.outputs).sort((a, b) => b[1].bytes - a[1].bytes);
  let total = 0;
  for (const [f, o] of outputs) total += o.bytes;
  console.log(`${outputs.length} files, ${(total / 1e6).toFixed(2)} MB, ${list.length} bundled packages`);
  for (const [f, o] of outputs.slice(0, 12)) {
    const top = Object.entries(o.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput).slice(0, 3);
    console.log(`${(o.bytes / 1e3).toFixed(0).padStart(6)} kB ${f.replace(/^.*dist[\\/]/, 'dist/')}  ${top.map(([k, v]) => `${k.replace(/^.*node_modules[\\/]/, '')} ${(v.bytesInOutput / 1e3).toFixed(0)}k`).join(', ')}`);
  }
}
