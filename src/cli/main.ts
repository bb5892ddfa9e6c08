/**
 * The xfed command line: commander wiring, global options, the one place that
 * turns errors into exit codes. Command implementations load lazily so that
 * `xfed --help` and `xfed --version` stay fast.
 */
import { Command, CommanderError, Option } from 'commander';
import { UsageError, XfedError } from '../core/errors.js';
import { scrubUsageMessage, wordedFor } from './flags.js';
import { EXIT } from '../core/exit-codes.js';
import { collect, intOption } from './options.js';
import { interrupt, interrupted } from './interrupt.js';
import { VERSION } from '../core/version.js';
import { SCHEMA_VERSION } from '../core/result.js';
import { defineCheckDns } from './defs/check-dns.js';
import { defineDoctor } from './defs/doctor.js';
import { defineProbe } from './defs/probe.js';
import { defineDiagnose } from './defs/diagnose.js';
import { defineAxlVerify } from './defs/axl-verify.js';
import { defineExplain } from './defs/explain.js';
import { defineServe } from './defs/serve.js';
import { defineReport } from './defs/report.js';

const EXIT_HELP = `
Exit codes:
  0  no error findings (warnings allowed; --strict makes warnings fail)
  1  at least one error finding
  2  usage error or bad input
  3  xfed itself failed
`;

export function buildProgram(): Command {
  const program = new Command('xfed')
    .description('Find out why XMPP server-to-server federation is broken, and how to fix it.')
    .version(VERSION, '-V, --version')
    .option('--json', 'write one JSON document on stdout instead of text (same as --format json)')
    .addOption(new Option('--format <format>', 'what stdout gets').choices(['human', 'json', 'junit', 'github', 'html']))
    .option('-o, --output <format=file>', 'also write the report to a file (repeatable): json=report.json, junit=junit.xml, human=report.txt, github=annotations.txt, html=report.html', collect)
    .addOption(new Option('--timeout <ms>', 'timeout of each network phase, in milliseconds').argParser(intOption('--timeout', 1, 600_000)))
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .option('-q, --quiet', 'print only problems and the summary')
    .option('-v, --verbose', 'print every finding and record, info included')
    .option('--strict', 'exit 1 on warnings too')
    .addHelpText('after', EXIT_HELP)
    .showSuggestionAfterError()
    .exitOverride();
  program.configureOutput({ outputError: (str, write) => write(scrubUsageMessage(str.replace(/^error: /, 'xfed: '))) });
  // Every command's help lists the global options (--format, --output, --json...).
  program.configureHelp({ showGlobalOptions: true });
  // Before any command runs: its --output files can be written and overwrite none of its inputs.
  program.hook('preAction', async (_root, action) => (await import('./run.js')).preflight(action));
  // The order of `xfed --help`: the checks in the order of a federation fix, then the whole run.
  defineCheckDns(program);
  defineProbe(program);
  defineAxlVerify(program);
  defineDiagnose(program);
  defineDoctor(program);
  defineExplain(program);
  defineServe(program);
  defineReport(program);
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      `
Examples:
  xfed completion bash > ~/.local/share/bash-completion/completions/xfed
  xfed completion fish > ~/.config/fish/completions/xfed.fish
  eval "$(xfed completion zsh)"           (in ~/.zshrc; bash: the same in ~/.bashrc)`,
    )
    .action(async (shell: string) => {
      const [{ completionScript }, { write }] = await Promise.all([import('./completion.js'), import('./run.js')]);
      await write(process.stdout, completionScript(shell, program));
    });
  for (const c of program.commands) c.exitOverride().configureOutput({ outputError: (str, write) => write(scrubUsageMessage(str.replace(/^error: /, 'xfed: '))) });
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const code = await run(argv);
  // Let stdout/stderr drain, then leave even if a peer left a socket open.
  process.exitCode = code;
  setImmediate(() => process.exit(code)).unref?.();
}

export async function run(argv: string[]): Promise<number> {
  // Write errors reach the writer (cli/run.ts write()): `xfed ... | head` drops the rest of the
  // output and keeps the run's exit code; a full disk is exit 3. No stack trace either way.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  // Always honoured: no read blocks the event loop (src/inputs opens pipes without waiting).
  // The first Ctrl-C lets the command report what it gathered (cli/interrupt.ts); a second one,
  // or a command that cannot, exits at once. Either way: exit 130.
  const onSignal = () => {
    if (interrupted()) process.exit(EXIT.INTERRUPTED);
    setTimeout(() => process.exit(EXIT.INTERRUPTED), 10_000).unref();
    void interrupt().then(
      (handled) => handled || process.exit(EXIT.INTERRUPTED),
      () => process.exit(EXIT.INTERRUPTED),
    );
  };
  try {
    const program = buildProgram();
    // Only when a command runs: listening for signals costs `--help` several milliseconds.
    program.hook('preAction', () => {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    await program.parseAsync(argv);
    if (interrupted()) return EXIT.INTERRUPTED;
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    const code = handleError(err, commandOf(argv));
    // A streamed report already closed on stdout with the error (cli/stream.ts) is the one document.
    if (code !== EXIT.OK && wantsJson(argv) && !(await import('./stream.js')).reportOnStdout()) process.stdout.write(errorDocument(code, err, commandOf(argv)));
    return code;
  }
}

/**
 * Whether the command line asked for JSON on stdout (`--json`, `--format json`). Read from the
 * words themselves: a usage error may stop commander before it parsed the options.
 */
export function wantsJson(argv: string[]): boolean {
  const words = argv.slice(2);
  const end = words.indexOf('--');
  const opts = end === -1 ? words : words.slice(0, end);
  let format: string | undefined;
  for (let i = 0; i < opts.length; i++) {
    if (opts[i] === '--format') format = opts[i + 1];
    else if (opts[i]!.startsWith('--format=')) format = opts[i]!.slice('--format='.length);
  }
  return format === undefined ? opts.includes('--json') : format === 'json';
}

/**
 * The one JSON document of a run that could not produce a report (exit 2 or 3):
 * `{schema, tool, version, exitCode, error: {code, message}}` (schema/xfed.schema.json, errorDocument).
 */
export function errorDocument(exitCode: number, err: unknown, command: string | undefined): string {
  let code = 'XFED_INTERNAL';
  let message: string;
  if (err instanceof CommanderError) {
    code = 'XFED_USAGE';
    // `xfed` alone prints the help on stderr: commander's message for it is "(outputHelp)".
    message = err.code === 'commander.help' ? 'no command given: xfed --help lists them' : scrubUsageMessage(err.message.replace(/^error: /, '')).trim();
  } else if (err instanceof UsageError) {
    code = err.code;
    message = wordedFor(err, command);
  } else if (err instanceof XfedError) {
    code = err.code;
    message = err.message;
  } else {
    message = `internal error: ${(err as Error)?.message ?? String(err)}`;
  }
  const doc = { schema: SCHEMA_VERSION, tool: 'xfed', version: VERSION, ...(command ? { command } : {}), exitCode, error: { code, message } };
  return JSON.stringify(doc, null, 2) + '\n';
}

const COMMANDS = new Set(['check-dns', 'probe', 'axl-verify', 'diagnose', 'doctor', 'dialback', 'rules', 'init', 'explain', 'serve', 'report', 'completion']);

/** The command a command line runs (the first word that names one), to word its errors. */
function commandOf(argv: string[]): string | undefined {
  return argv.slice(2).find((a) => COMMANDS.has(a));
}

function handleError(err: unknown, command: string | undefined): number {
  if (err instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    if (err.exitCode === 0) return EXIT.OK;
    return EXIT.USAGE;
  }
  if (err instanceof UsageError) {
    // Input errors name their field: the command line's flag, or doctor's config key.
    process.stderr.write(`xfed: ${wordedFor(err, command)}\n`);
    return err.exitCode;
  }
  if (err instanceof XfedError) {
    process.stderr.write(`xfed: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  process.stderr.write(`xfed: internal error: ${e?.message ?? String(err)}\n`);
  if (process.env.XFED_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
  return EXIT.INTERNAL;
}
