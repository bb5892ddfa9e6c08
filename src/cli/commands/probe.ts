import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { redact, registerSecret } from '../../core/redact.js';
import { neutralizeWorkflowCommands, sanitizeLine } from '../../report/sanitize.js';
import type { TargetResult } from '../../core/result.js';
import { parseDomain } from '../../dns/names.js';
import { readDomainArgs } from '../inputs.js';
import { probePeers } from '../../probe/probe.js';
import { DEFAULT_FROM, type ProbeData, type ProbeOptions } from '../../probe/types.js';
import type { TranscriptLine } from '../../xmpp/connection.js';
import { startProgress } from '../../report/progress.js';
import { buildRun, emit, globalOptions, write } from '../run.js';

interface ProbeCliOptions {
  file?: string;
  from?: string;
  host?: string;
  port?: number;
  resolver?: string[];
  doh?: string;
  dnsTcp?: boolean;
  directTls?: boolean;
  starttls?: boolean;
  tls: boolean;
  ca?: string[];
  insecure?: boolean;
  secretFile?: string;
  dialback: boolean;
  dialbackTimeout?: number;
  expiresDays: number;
  transcript?: string | boolean;
  concurrency: number;
}

/** Peer domains from arguments and --file, normalised and de-duplicated. */
async function readPeers(args: string[], file: string | undefined): Promise<string[]> {
  return (await readDomainArgs(args, file)).map((d) => d.ascii);
}

/** The dialback secret: XFED_DIALBACK_SECRET or --secret-file, never argv. Registered for redaction. */
export async function readSecret(file: string | undefined): Promise<string | undefined> {
  let secret: string | undefined;
  if (file) {
    try {
      secret = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    } catch (e) {
      throw new UsageError(`cannot read --secret-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!secret) throw new UsageError(`--secret-file ${file} is empty`);
  } else if (process.env.XFED_DIALBACK_SECRET) secret = process.env.XFED_DIALBACK_SECRET;
  registerSecret(secret);
  return secret;
}

export async function readCaFiles(files: string[] | undefined): Promise<string[] | undefined> {
  if (!files?.length) return undefined;
  return Promise.all(
    files.map(async (f) => {
      let text: string;
      try {
        text = await readFile(f, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read --ca ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca ${f} holds no PEM certificate`);
      return text;
    }),
  );
}

export function renderTranscript(results: TargetResult<ProbeData>[]): string {
  const out: string[] = [];
  for (const r of results) {
    const lines: TranscriptLine[] = r.data.transcript ?? [];
    out.push(`# xfed transcript: ${sanitizeLine(r.target)} (from ${sanitizeLine(r.data.from)})`);
    for (const l of lines) {
      const arrow = l.dir === 'out' ? 'SEND' : l.dir === 'in' ? 'RECV' : '----';
      // The peer's XML: secrets redacted, then one line with control and bidi characters escaped.
      out.push(`${(l.t / 1000).toFixed(3).padStart(8)} ${arrow} ${sanitizeLine(redact(l.text))}`);
    }
    if (r.data.transcriptTruncated) out.push('(transcript truncated)');
    out.push('');
  }
  // Written to stderr in CI logs too: no line may be a workflow command.
  return neutralizeWorkflowCommands(out.join('\n'));
}

export async function writeTranscript(results: TargetResult<ProbeData>[], dest: string | boolean | undefined): Promise<void> {
  if (!dest) return;
  const text = renderTranscript(results);
  if (typeof dest === 'string') {
    try {
      await writeFile(dest, text, { mode: 0o600 });
    } catch (e) {
      throw new UsageError(`cannot write --transcript ${dest}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else await write(process.stderr, text);
}

/** The human section renderer (it loads chalk): not needed for --json. */
export async function section(json: boolean) {
  return json ? undefined : (await import('../../report/sections/probe.js')).probeSection;
}

export async function probeCommand(args: string[], raw: Record<string, unknown>, cmd: Command): Promise<number> {
  const g = globalOptions(cmd);
  const o = raw as unknown as ProbeCliOptions;
  const startedAt = new Date();
  const peers = await readPeers(args, o.file);
  const from = o.from ? parseDomain(o.from).ascii : undefined;
  if (o.doh && o.resolver?.length) throw new UsageError('use either --resolver or --doh, not both');
  const secret = await readSecret(o.secretFile);
  if (secret && !from) throw new UsageError('a dialback secret needs --from <the domain whose authoritative server uses it>');
  const ca = await readCaFiles(o.ca);
  const t = g.timeout;
  const base: Omit<ProbeOptions, 'peer'> = {
    from,
    host: o.host,
    port: o.port,
    tls: o.tls === false ? 'none' : o.directTls ? 'direct' : o.starttls ? 'starttls' : undefined,
    ca,
    insecure: Boolean(o.insecure),
    secret,
    dialback: o.dialback !== false,
    timeouts: t ? { dns: t, tcp: t, stream: t, tls: t, dialback: o.dialbackTimeout ?? t } : o.dialbackTimeout ? { dialback: o.dialbackTimeout } : {},
    expiresSoonDays: o.expiresDays,
    transcript: Boolean(o.transcript),
    resolvers: o.resolver,
    doh: o.doh,
    dnsTcp: o.dnsTcp,
  };
  const progress = await startProgress('Probing', !g.quiet && !g.json, g.color);
  let results: TargetResult<ProbeData>[];
  try {
    results = await probePeers(peers, base, { concurrency: o.concurrency, onProgress: (d, n) => progress.update(d, n) });
  } finally {
    progress.stop();
  }
  await writeTranscript(results, o.transcript);
  // The transcript went to its own destination; the report stays small.
  for (const r of results) delete r.data.transcript;
  const run = buildRun(
    'probe',
    {
      from: from ?? DEFAULT_FROM,
      host: o.host,
      port: o.port,
      tls: base.tls ?? 'auto',
      dialback: base.dialback,
      secret: secret ? 'given' : 'none',
      insecure: base.insecure,
      expiresDays: o.expiresDays,
      concurrency: o.concurrency,
      strict: g.strict,
    },
    results,
    startedAt,
    g.strict,
  );
  return emit(run, g, await section(g.json));
}
