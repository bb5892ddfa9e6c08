import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { registerSecret } from '../../core/redact.js';
import type { TargetResult } from '../../core/result.js';
import { parseDomain } from '../../dns/names.js';
import { readDomainArgs } from '../inputs.js';
import { readCertKey, readPemFile, readSecretFile } from '../../inputs/index.js';
import { probePeers } from '../../probe/probe.js';
import { DEFAULT_FROM, type ProbeOptions, type ProbeTargetData } from '../../probe/types.js';
import { startProgress } from '../../report/progress.js';
import { buildRun, emit, globalOptions, reportOnInterrupt } from '../run.js';
import { section, writeTranscript } from '../probe-output.js';

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
  posh: boolean;
  dialbackTimeout?: number;
  expiresDays: number;
  transcript?: string | boolean;
  concurrency: number;
  deadline?: number;
  cert?: string;
  key?: string;
  keyPassFile?: string;
  ipv4?: boolean;
  ipv6?: boolean;
  alias?: string[];
}

/** Peer domains from arguments and --file, normalised and de-duplicated. */
async function readPeers(args: string[], file: string | undefined): Promise<string[]> {
  return (await readDomainArgs(args, file, 'probe.file')).map((d) => d.ascii);
}

/** The dialback secret: XFED_DIALBACK_SECRET or --secret-file, never argv. Registered for redaction. */
export async function readSecret(file: string | undefined, field = 'probe.secret_file'): Promise<string | undefined> {
  let secret: string | undefined;
  // The one secret-file rule (src/inputs): the whole file, one trailing line ending removed.
  if (file) secret = await readSecretFile(file, field);
  else if (process.env.XFED_DIALBACK_SECRET) secret = process.env.XFED_DIALBACK_SECRET;
  registerSecret(secret);
  return secret;
}

export async function readCaFiles(files: string[] | undefined, field = 'probe.ca'): Promise<string[] | undefined> {
  if (!files?.length) return undefined;
  return Promise.all(files.map((f) => readPemFile(f, field)));
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
  if (o.keyPassFile && !o.key) throw new UsageError('--key-pass-file needs --key');
  if (Boolean(o.cert) !== Boolean(o.key)) throw new UsageError(o.cert ? '--cert needs --key <the private key file>' : '--key needs --cert <the certificate file>');
  const ck = o.cert && o.key ? await readCertKey({ cert: o.cert, key: o.key, pass: o.keyPassFile }, { cert: 'probe.cert_file', key: 'probe.key_file', pass: 'probe.key_pass_file' }) : undefined;
  if (ck?.passphrase) registerSecret(ck.passphrase);
  const aliases = (o.alias ?? []).map((a) => parseDomain(a).ascii);
  for (const a of aliases) if (!peers.includes(a)) peers.push(a);
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
    posh: o.posh !== false,
    timeouts: t ? { dns: t, tcp: t, stream: t, tls: t, dialback: o.dialbackTimeout ?? t } : o.dialbackTimeout ? { dialback: o.dialbackTimeout } : {},
    expiresSoonDays: o.expiresDays,
    transcript: Boolean(o.transcript),
    resolvers: o.resolver,
    doh: o.doh,
    dnsTcp: o.dnsTcp,
    deadline: o.deadline,
    ...(ck ? { cert: ck.cert, key: ck.key, ...(ck.passphrase !== undefined ? { keyPassphrase: ck.passphrase } : {}) } : {}),
    ...(o.ipv4 ? { family: 4 as const } : o.ipv6 ? { family: 6 as const } : {}),
    ...(aliases.length ? { aliases } : {}),
  };
  const options = {
    from: from ?? DEFAULT_FROM,
    host: o.host,
    port: o.port,
    tls: base.tls ?? 'auto',
    dialback: base.dialback,
    posh: base.posh,
    secret: secret ? 'given' : 'none',
    insecure: base.insecure,
    expiresDays: o.expiresDays,
    concurrency: o.concurrency,
    deadline: o.deadline,
    cert: ck ? 'given' : 'none',
    family: base.family ?? 'any',
    aliases,
    strict: g.strict,
  };
  const progress = await startProgress('Probing', !g.quiet && !g.json, g.color);
  // Ctrl-C: the peers probed so far are reported (without their transcripts), then exit 130.
  const partial = await reportOnInterrupt<ProbeTargetData>('probe', options, peers.length, startedAt, g, await section(g.json), () => progress.stop());
  const keep = (t: TargetResult<ProbeTargetData>) => {
    const { transcript: _t, ...probe } = t.data.probe;
    partial.add({ ...t, data: { ...t.data, probe } });
  };
  let results: TargetResult<ProbeTargetData>[];
  try {
    results = await probePeers(peers, base, { concurrency: o.concurrency, onProgress: (d, n) => progress.update(d, n), onTarget: keep });
  } finally {
    partial.stop();
    progress.stop();
  }
  await writeTranscript(results, o.transcript);
  // The transcript went to its own destination; the report stays small.
  for (const r of results) delete r.data.probe.transcript;
  const run = buildRun('probe', options, results, startedAt, g.strict);
  return emit(run, g, await section(g.json));
}
