import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { registerSecret } from '../../core/redact.js';
import { parseDomain } from '../../dns/names.js';
import { probePeer } from '../../probe/probe.js';
import { dialbackKey } from '../../xmpp/dialback.js';
import { buildRun, emit, globalOptions, write } from '../run.js';
import { readStdin } from '../inputs.js';
import { section, writeTranscript } from '../probe-output.js';
import { readCaFiles, readSecret } from './probe.js';

function streamId(raw: unknown): string {
  const id = String(raw ?? '').trim();
  if (!id || id.length > 256 || /[\s<>&'"]/.test(id)) throw new UsageError('--stream-id must be the id as it appears in the log (no spaces or XML characters)');
  return id;
}

export async function dialbackKeyCommand(raw: Record<string, unknown>, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  const from = parseDomain(String(raw.from)).ascii;
  const to = parseDomain(String(raw.to)).ascii;
  const id = streamId(raw.streamId);
  const secret = await readSecret(raw.secretFile as string | undefined);
  if (!secret) throw new UsageError('no dialback secret: set XFED_DIALBACK_SECRET or pass --secret-file <path>');
  const key = dialbackKey(secret, to, from, id);
  await write(process.stdout, g.json ? `${JSON.stringify({ from, to, streamId: id, key }, null, 2)}\n` : `${key}\n`);
  return 0;
}

async function readKey(file: string): Promise<string> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --key-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const key = text.trim();
  if (!/^[0-9A-Za-z+/=._-]{8,512}$/.test(key)) throw new UsageError(`--key-file ${file} does not hold one dialback key (hex digits, on one line)`);
  return key;
}

export async function dialbackVerifyCommand(host: string, raw: Record<string, unknown>, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  const startedAt = new Date();
  const from = parseDomain(String(raw.from)).ascii;
  const to = parseDomain(String(raw.to)).ascii;
  const id = streamId(raw.streamId);
  const key = await readKey(String(raw.keyFile));
  registerSecret(key);
  const ca = await readCaFiles(raw.ca ? [String(raw.ca)] : undefined);
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
