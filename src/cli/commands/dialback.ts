import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { registerSecret } from '../../core/redact.js';
import { targetResult } from '../../core/result.js';
import { parseDomain } from '../../dns/names.js';
import { probePeer } from '../../probe/probe.js';
import { dialbackKey } from '../../xmpp/dialback.js';
import { buildRun, emit, globalOptions } from '../run.js';
import { readText } from '../../inputs/index.js';
import { section, writeTranscript } from '../probe-output.js';
import { readCaFiles, readSecret } from './probe.js';

function streamId(raw: unknown): string {
  const id = String(raw ?? '').trim();
  if (!id || id.length > 256 || /[\s<>&'"]/.test(id)) throw new UsageError('--stream-id must be the id as it appears in the log (no spaces or XML characters)');
  return id;
}

/** One domain given by its new name or its old one (the same value if both). */
function either(raw: Record<string, unknown>, name: string, old: string): string {
  const a = raw[name] as string | undefined;
  const b = raw[old] as string | undefined;
  if (a !== undefined && b !== undefined && a !== b) throw new UsageError(`--${name} ${a} and --${old} ${b} name the same domain: give one`);
  const v = a ?? b;
  if (v === undefined) throw new UsageError(`required option '--${name} <domain>' not specified`);
  return parseDomain(v).ascii;
}

/**
 * The originating and receiving domains of a dialback command: `--originating`/`--receiving`
 * everywhere; `--from`/`--to` mean originating/receiving in `dialback key` (as in probe), and
 * in `dialback verify` keep their old, opposite sense (the attributes of db:verify), deprecated.
 */
function domainsOf(raw: Record<string, unknown>, verify: boolean): { originating: string; receiving: string } {
  if (!verify) return { originating: either(raw, 'originating', 'from'), receiving: either(raw, 'receiving', 'to') };
  if (raw.from !== undefined || raw.to !== undefined) {
    process.stderr.write(
      'xfed: dialback verify --from/--to are deprecated: they follow db:verify (from = receiving, to = originating), the opposite of dialback key and probe; use --receiving and --originating\n',
    );
  }
  return { originating: either(raw, 'originating', 'to'), receiving: either(raw, 'receiving', 'from') };
}

export async function dialbackKeyCommand(raw: Record<string, unknown>, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  const startedAt = new Date();
  const { originating: from, receiving: to } = domainsOf(raw, false);
  const id = streamId(raw.streamId);
  const secret = await readSecret(raw.secretFile as string | undefined, 'dialback.secret_file');
  if (!secret) throw new UsageError('no dialback secret: set XFED_DIALBACK_SECRET or pass --secret-file <path>');
  const key = dialbackKey(secret, to, from, id);
  // The key is a secret: redacted in every report; only the human output prints it (that is what it is for).
  registerSecret(key);
  const dialback = { from, to, streamId: id, algorithm: 'xep-0185', key };
  const target = targetResult(`${from} -> ${to}`, [], { dialback });
  const run = buildRun('dialback key', { from, to, streamId: id, secret: raw.secretFile ? 'file' : 'environment' }, [target], startedAt, g.strict);
  return emit(run, g, undefined, { human: () => `${key}\n` });
}

async function readKey(file: string): Promise<string> {
  const key = (await readText(file, 'dialback.key_file', { maxBytes: 64 * 1024 })).trim();
  if (!/^[0-9A-Za-z+/=._-]{8,512}$/.test(key)) throw new UsageError(`--key-file ${file} does not hold one dialback key (hex digits, on one line)`);
  return key;
}

export async function dialbackVerifyCommand(host: string, raw: Record<string, unknown>, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  const startedAt = new Date();
  // db:verify goes from the receiving domain to the originating one.
  const { originating: to, receiving: from } = domainsOf(raw, true);
  const id = streamId(raw.streamId);
  const key = await readKey(String(raw.keyFile));
  registerSecret(key);
  const ca = await readCaFiles(raw.ca ? [String(raw.ca)] : undefined, 'dialback.ca');
  const t = g.timeout;
  const result = await probePeer({
    peer: to,
    from,
    host,
    port: raw.port as number,
    tls: raw.tls === false ? 'none' : raw.directTls ? 'direct' : 'starttls',
    ca,
    insecure: Boolean(raw.insecure),
    verify: { streamId: id, key },
    timeouts: t ? { dns: t, tcp: t, stream: t, tls: t, dialback: t } : {},
    transcript: Boolean(raw.transcript),
  });
  await writeTranscript([result], raw.transcript as string | boolean | undefined);
  delete result.data.probe.transcript;
  const run = buildRun('dialback verify', { host, port: raw.port, from, to, streamId: id }, [result], startedAt, g.strict);
  return emit(run, g, await section(g.json));
}
