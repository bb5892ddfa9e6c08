import type { Command } from 'commander';
import { readPemFile, readSecretFile } from '../../inputs/index.js';
import { UsageError } from '../../core/errors.js';
import { EXIT } from '../../core/exit-codes.js';
import { registerSecret } from '../../core/redact.js';
import { checkAxlInput } from '../../axl/endpoint.js';
import { DEFAULT_TIMEOUT_MS, axlVerify } from '../../axl/verify.js';
import { startProgress } from '../../report/progress.js';
import { axlSection } from '../../report/sections/axl-verify.js';
import { buildRun, emit, globalOptions, reportOnInterrupt } from '../run.js';

interface AxlVerifyCliOptions {
  server?: string;
  user?: string;
  passwordFile?: string;
  password?: string;
  expect?: string[];
  axlVersion?: string;
  ca?: string;
  insecure?: boolean;
  sql?: string;
  all?: boolean;
}

export const PASSWORD_ENV = 'XFED_AXL_PASSWORD';

/** Reads a password without echo from the terminal (stderr shows the prompt). */
function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') {
          finish();
          process.exit(EXIT.INTERRUPTED);
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** The password from --password-file, XFED_AXL_PASSWORD or a hidden prompt: never from argv. */
export async function resolvePassword(opts: AxlVerifyCliOptions, who: string): Promise<string> {
  let pw: string | undefined;
  if (opts.passwordFile !== undefined) {
    // The one secret-file rule (src/inputs): the whole file, one trailing line ending removed.
    pw = await readSecretFile(opts.passwordFile, 'axl.password_file');
  } else if (process.env[PASSWORD_ENV]) {
    pw = process.env[PASSWORD_ENV];
  } else if (process.stdin.isTTY && process.stderr.isTTY) {
    pw = await promptHidden(`AXL password for ${who}: `);
    if (!pw) throw new UsageError('no AXL password given');
  } else {
    throw new UsageError(`no AXL password: set ${PASSWORD_ENV} or use --password-file <file|-> (stdin is not a terminal, so xfed cannot prompt)`);
  }
  registerSecret(pw);
  return pw!;
}

export async function axlVerifyCommand(raw: Record<string, unknown>, cmd: Command): Promise<number> {
  return run(raw, cmd);
}

async function run(raw: Record<string, unknown>, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  const opts = raw as unknown as AxlVerifyCliOptions;
  if (opts.password !== undefined) {
    registerSecret(opts.password);
    throw new UsageError(`--password is refused: a password on the command line is visible to other users (ps, shell history); use ${PASSWORD_ENV}, --password-file <file|->, or the prompt`);
  }
  if (!opts.server) throw new UsageError('--server <imp-host[:port]> is required');
  if (!opts.user) throw new UsageError('--user <axl-user> is required (the AXL user configured on Expressway-C)');
  if (opts.ca && opts.insecure) throw new UsageError('use either --ca or --insecure, not both');
  let ca: string | undefined;
  if (opts.ca) ca = await readPemFile(opts.ca, 'axl.ca');
  // Everything that can be checked offline is checked before asking for the password.
  checkAxlInput({
    server: opts.server,
    user: opts.user,
    ...(opts.expect ? { expect: opts.expect } : {}),
    ...(opts.axlVersion !== undefined ? { axlVersion: opts.axlVersion } : {}),
    ...(opts.sql !== undefined ? { sql: opts.sql } : {}),
  });
  const password = await resolvePassword(opts, `${opts.user}@${opts.server}`);
  const startedAt = new Date(); // after the prompt: typing is not part of the run
  const timeoutMs = g.timeout ?? DEFAULT_TIMEOUT_MS;
  // Loud even with --json or --quiet: stdout stays clean, the warning goes to stderr.
  if (opts.insecure) process.stderr.write('xfed: WARNING: --insecure: the IM&P certificate is NOT verified; the AXL password goes to whoever answers\n');
  const options = {
    server: opts.server,
    user: opts.user,
    expect: opts.expect ?? [],
    axlVersion: opts.axlVersion ?? 'auto',
    ca: opts.ca ?? null,
    insecure: Boolean(opts.insecure),
    sql: opts.sql ?? null,
    all: Boolean(opts.all),
    timeoutMs,
    strict: g.strict,
  };
  const progress = await startProgress(`Querying AXL on ${opts.server}`, !g.quiet && !g.json, g.color);
  // Ctrl-C before the answer: the report says so (no target done), exit 130.
  const partial = await reportOnInterrupt('axl-verify', options, 1, startedAt, g, axlSection, () => progress.stop());
  try {
    const result = await axlVerify({
      server: opts.server,
      user: opts.user,
      password,
      ...(opts.expect ? { expect: opts.expect } : {}),
      ...(opts.axlVersion !== undefined ? { axlVersion: opts.axlVersion } : {}),
      ...(ca ? { ca, caSource: opts.ca! } : {}),
      insecure: Boolean(opts.insecure),
      timeoutMs,
      ...(opts.sql !== undefined ? { sql: opts.sql } : {}),
      all: Boolean(opts.all),
    });
    partial.stop();
    progress.stop();
    return await emit(buildRun('axl-verify', options, [result], startedAt, g.strict), g, axlSection);
  } finally {
    partial.stop();
    progress.stop();
  }
}
