/**
 * `runDoctor()`: the programmatic core of `xfed doctor`. Runs check-dns, probe and axl-verify
 * at the same time (each with bounded concurrency), applies the ignore list, then feeds every
 * result and the configured logs into the diagnose rules, so the run ends with causes and
 * fixes. It reuses the commands' own cores and never prints.
 */
import { isIP } from '../core/ip.js';
import { buildRun, finding, targetResult, type RunResult, type TargetResult } from '../core/result.js';
import { XfedError } from '../core/errors.js';
import { mapPool } from '../core/pool.js';
import { asCommandTarget, asDoctorTarget, CHECK_COMMAND, type CheckName } from './checks.js';
import { DnsClient } from '../dns/client.js';
import { checkDomains, CONFIG_OPTION_NAMES } from '../dns/check.js';
import { parseDomain } from '../dns/names.js';
import { probePeer } from '../probe/probe.js';
import { DEFAULT_TIMEOUTS, PROBE_CONFIG_NAMES, type ProbeOptions } from '../probe/types.js';
import { axlVerify } from '../axl/verify.js';
import { AXL_CONFIG_NAMES } from '../axl/evaluate-exchange.js';
import { diagnose } from '../diagnose/index.js';
import type { DoctorPlan } from './plan.js';
import { applyIgnore, unusedIgnores, type IgnoredFinding } from './ignore.js';
import { DEFAULT_RUN_DEADLINE_MS, runDeadline, untilDeadline, type RunDeadline } from './deadline.js';

export { CHECK_COMMAND, type CheckName } from './checks.js';

/**
 * A doctor target's data: which check produced it, and that check's own data under the
 * check's name (`data.dns`, `data.probe`, `data.axl`, `data.diagnose`).
 */
export interface DoctorData {
  check: CheckName;
  dns?: unknown;
  probe?: unknown;
  axl?: unknown;
  diagnose?: unknown;
  /** Findings moved aside by the config's ignore list (not counted). */
  ignored?: IgnoredFinding[];
}

export interface DoctorRunOptions {
  /** Aborted on Ctrl-C: the run ends now and reports what finished. */
  signal?: AbortSignal;
  /** Default per-phase timeout (the global --timeout) for phases the config leaves open. */
  timeoutMs?: number;
  onProgress?: (done: number, total: number, label: string) => void;
  /** Passed to diagnose (tests). */
  now?: number;
  /** The deadline of the whole run (ms): --deadline; else the config's timeouts.total; else 300 s. */
  deadlineMs?: number;
}

export interface DoctorOutcome {
  targets: TargetResult<DoctorData>[];
  /** What each check saw, as the command itself would have reported it (after the ignore list). */
  runs: Array<{ source: string; run: RunResult }>;
  /** The options block of the doctor's RunResult (never secrets). */
  options: Record<string, unknown>;
}

/** A check that could not run at all (a bug, or an environment problem) is a finding, not a crash of the whole run. */
function crashed(check: CheckName, target: string, err: unknown): TargetResult<DoctorData> {
  const e = err as Error;
  const usage = err instanceof XfedError;
  return targetResult<DoctorData>(
    target,
    [
      finding({
        id: 'doctor.check.failed',
        severity: 'error',
        target,
        phase: check,
        title: `the ${CHECK_COMMAND[check]} check could not run: ${e?.message ?? String(err)}`,
        detail: usage ? 'The configuration given to this check was refused.' : 'xfed failed inside this check; the other checks ran. Please report it with XFED_DEBUG=1 output.',
        evidence: [{ label: 'error', value: e?.message ?? String(err) }],
        fix: usage ? `Correct the ${check} part of the config file.` : `Run "xfed ${CHECK_COMMAND[check]}" alone with XFED_DEBUG=1 to see the stack, and report it.`,
      }),
    ],
    { check },
  );
}

function wrap(check: CheckName, t: TargetResult): TargetResult<DoctorData> {
  return asDoctorTarget<DoctorData>(check, t);
}

/**
 * The original (command-shaped) target back from a doctor target, for the diagnose rules.
 * Only problems go in: an info finding (a private target allowed by allow_private, a
 * certificate problem with insecure) is not a symptom, and rules match on ids alone.
 */
function unwrap(t: TargetResult<DoctorData>): TargetResult {
  const c = asCommandTarget(t);
  return { ...c, findings: c.findings.filter((f) => f.severity !== 'info') };
}

/** What every part of a run shares: the config, the timeouts, one DNS client, the progress ticker. */
interface RunCtx {
  plan: DoctorPlan;
  cfg: DoctorPlan['config'];
  dflt: number | undefined;
  dnsTimeout: number;
  probePhase: number | undefined;
  dialbackTimeout: number | undefined;
  tick(label: string): void;
  /** One DNS client for check-dns and the probes: its cache means each question is asked once per run. */
  dnsClient(): DnsClient;
  /** The deadline of the whole run. */
  deadline: RunDeadline;
}

type ProbeJob = { o: ProbeOptions; display?: string };

/** Probe jobs: every domain through DNS (as a peer sees it), and each of our domains on each Expressway-E. */
function probeJobs(x: RunCtx): ProbeJob[] {
  const { cfg, plan } = x;
  if (!cfg.probe.enabled) return [];
  const base: Omit<ProbeOptions, 'peer'> = {
    ...(cfg.probe.from ? { from: cfg.probe.from } : {}),
    ...(plan.probeCa ? { ca: plan.probeCa } : {}),
    insecure: cfg.probe.insecure,
    names: PROBE_CONFIG_NAMES,
    ...(plan.secret ? { secret: plan.secret } : {}),
    dialback: cfg.probe.dialback,
    posh: cfg.probe.posh !== false,
    timeouts: {
      ...(x.probePhase ? { tcp: x.probePhase, stream: x.probePhase, tls: x.probePhase } : {}),
      dns: x.dnsTimeout,
      ...(x.dialbackTimeout ? { dialback: x.dialbackTimeout } : {}),
    },
    expiresSoonDays: cfg.probe.expiryWarnDays,
    ...(cfg.probe.deadline !== undefined ? { deadline: cfg.probe.deadline } : {}),
    ...(cfg.dns.resolvers ? { resolvers: cfg.dns.resolvers } : {}),
    ...(cfg.dns.doh ? { doh: cfg.dns.doh } : {}),
    dnsTcp: cfg.dns.tcp,
    ...(plan.probeCert ? { cert: plan.probeCert.cert, key: plan.probeCert.key, ...(plan.probeCert.passphrase !== undefined ? { keyPassphrase: plan.probeCert.passphrase } : {}) } : {}),
  };
  // Our own servers refuse a stream "from" a domain they host (Prosody: "Attempt to connect from a host
  // we serve"), so our domains are probed as a stranger: the default .invalid from, a random key.
  // The certificate our own domain serves is judged as ours (own-cert findings), with its aliases.
  const asStranger: Omit<ProbeOptions, 'peer'> = { ...base, from: undefined, secret: undefined, cert: undefined, key: undefined, keyPassphrase: undefined };
  const ours = cfg.domains;
  const aliasMap = cfg.aliases ?? {};
  const aliasesOf = (d: string) => (aliasMap[d]?.length ? { aliases: aliasMap[d] } : {});
  const jobs: ProbeJob[] = [];
  // Our certificate file (probe.cert_file) is judged once per own domain; partners only see it presented.
  const ownPem = plan.probeCert ? { ownCertPem: plan.probeCert.cert } : {};
  for (const peer of ours) jobs.push({ o: { ...asStranger, peer, own: true, ...ownPem, ...aliasesOf(peer) } });
  for (const peer of cfg.partners) if (!ours.includes(peer)) jobs.push({ o: { ...base, peer, ownCertCheck: false } });
  // Chat node aliases and other subdomains: probed like the domain they belong to.
  const seen = new Set([...ours, ...cfg.partners]);
  for (const [d, names] of Object.entries(aliasMap)) {
    for (const peer of names) {
      if (seen.has(peer)) continue;
      seen.add(peer);
      jobs.push({ o: ours.includes(d) ? { ...asStranger, peer } : { ...base, peer, ownCertCheck: false }, display: `${parseDomain(peer).unicode} (alias of ${parseDomain(d).unicode})` });
    }
  }
  for (const e of cfg.expresswayE) {
    const port = e.port !== undefined ? { port: e.port } : {};
    for (const peer of ours) jobs.push({ o: { ...asStranger, peer, host: e.host, ...port }, display: `${parseDomain(peer).unicode} via ${e.host}${e.port !== undefined ? `:${e.port}` : ''}` });
  }
  return jobs;
}

async function dnsPart(x: RunCtx, domains: string[]): Promise<TargetResult<DoctorData>[]> {
  if (!domains.length) return [];
  try {
    const { cfg } = x;
    const res = await checkDomains(
      domains.map((d) => parseDomain(d)),
      { client: x.dnsClient(), includeClient: cfg.dns.client, allowPrivate: cfg.dns.allowPrivate, dnssec: Boolean(cfg.dns.dnssec), concurrency: cfg.concurrency, optionNames: CONFIG_OPTION_NAMES, onProgress: () => x.tick('dns') },
    );
    return res.map((t) => wrap('dns', t));
  } catch (e) {
    return [crashed('dns', domains.join(', '), e)];
  }
}

async function probePart(x: RunCtx, jobs: ProbeJob[]): Promise<TargetResult<DoctorData>[]> {
  if (!jobs.length) return [];
  // Filled as probes finish, so that the run's deadline keeps what finished before it.
  const finished: Array<TargetResult<DoctorData> | undefined> = new Array(jobs.length);
  const work = (async () => {
    try {
      const dns = x.dnsClient();
      const probeOne = async (j: ProbeJob, i: number): Promise<TargetResult<DoctorData> | undefined> => {
        if (x.deadline.expired()) return undefined;
        try {
          const r = await probePeer(j.o, j.o.host && isIP(j.o.host) ? undefined : dns);
          return (finished[i] = wrap('probe', j.display ? { ...r, display: j.display } : r));
        } catch (e) {
          return (finished[i] = crashed('probe', j.display ?? j.o.peer, e));
        }
      };
      await mapPool(jobs, x.cfg.concurrency, probeOne, () => x.tick('probe'));
      return finished.filter((t): t is TargetResult<DoctorData> => t !== undefined);
    } catch (e) {
      return [crashed('probe', jobs.map((j) => j.o.peer).join(', '), e)];
    }
  })();
  return untilDeadline(x.deadline, 'probe', work, () => ({
    done: finished.filter((t): t is TargetResult<DoctorData> => t !== undefined),
    unfinished: jobs.filter((_, i) => !finished[i]).map((j) => j.display ?? j.o.peer),
  }));
}

async function axlPart(x: RunCtx): Promise<TargetResult<DoctorData>[]> {
  const a = x.cfg.axl;
  if (!a || !x.plan.axl) return [];
  const timeoutMs = x.cfg.timeouts.axl ?? x.dflt;
  try {
    const r = await axlVerify({
      server: a.server,
      user: a.user,
      password: x.plan.axl.password,
      expect: a.expect,
      ...(x.plan.axl.ca ? { ca: x.plan.axl.ca, caSource: a.ca } : {}),
      insecure: a.insecure,
      all: a.all,
      names: AXL_CONFIG_NAMES,
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    return [wrap('axl', r)];
  } catch (e) {
    return [crashed('axl', a.server, e)];
  } finally {
    x.tick('axl');
  }
}

/** Diagnose: the logs, plus every live result, so rules on finding ids explain the symptoms. */
async function diagnosePart(x: RunCtx, runs: Array<{ source: string; run: RunResult }>, now: number | undefined): Promise<TargetResult<DoctorData>[]> {
  const { cfg } = x;
  if (!cfg.logs.length && !runs.length) return [];
  try {
    const res = await diagnose({
      paths: cfg.logs,
      results: runs,
      ...(cfg.rulesFile ? { rulesFile: cfg.rulesFile } : {}),
      target: 'diagnosis',
      ...(now !== undefined ? { now } : {}),
    });
    return res.map((t) => wrap('diagnose', t));
  } catch (e) {
    return [crashed('diagnose', 'diagnosis', e)];
  }
}

/** An ignore entry that matched nothing is an info finding on the config file. */
function unusedIgnoreTarget(cfg: DoctorPlan['config'], used: Set<number>): TargetResult<DoctorData> | undefined {
  const unused = unusedIgnores(cfg.ignore, used);
  if (!unused.length) return undefined;
  const where = cfg.file ?? 'config';
  const findings = unused.map(({ entry, index }) =>
    finding({
      id: 'doctor.ignore.unused',
      severity: 'info',
      target: where,
      title: `ignore[${index}] (${entry.id}${entry.target ? ` on ${entry.target}` : ''}) matched no finding`,
      detail: 'The problem it silenced is gone (or the id is misspelt); an ignore entry that is no longer needed hides the next occurrence.',
      evidence: [{ label: 'reason', value: entry.reason }],
      fix: 'Remove the entry from the config file if the problem is fixed.',
    }),
  );
  return targetResult<DoctorData>(where, findings, { check: 'doctor' });
}

/** The options block of the doctor's RunResult (never secrets). */
function runOptions(x: RunCtx): Record<string, unknown> {
  const { cfg, plan } = x;
  return {
    config: cfg.file ?? null,
    domains: cfg.domains,
    partners: cfg.partners.length,
    expresswayE: cfg.expresswayE.map((e) => (e.port ? `${e.host}:${e.port}` : e.host)),
    resolver: cfg.dns.doh ?? (cfg.dns.resolvers?.join(', ') || 'system'),
    allowPrivate: cfg.dns.allowPrivate,
    probe: cfg.probe.enabled,
    from: cfg.probe.from ?? null,
    secret: plan.secret ? 'given' : 'none',
    axl: cfg.axl ? { server: cfg.axl.server, user: cfg.axl.user, expect: cfg.axl.expect } : null,
    logs: cfg.logs.length,
    ignore: cfg.ignore.map((i) => ({ ...i })),
    concurrency: cfg.concurrency,
    timeouts: { dns: x.dnsTimeout, probe: x.probePhase ?? DEFAULT_TIMEOUTS.tcp, dialback: x.dialbackTimeout ?? null, axl: cfg.timeouts.axl ?? x.dflt ?? null, total: x.deadline.ms },
  };
}

export async function runDoctor(plan: DoctorPlan, opts: DoctorRunOptions = {}): Promise<DoctorOutcome> {
  const cfg = plan.config;
  const started = new Date();
  const dflt = opts.timeoutMs;
  let shared: DnsClient | undefined;
  const dnsDomains = [...new Set([...cfg.domains, ...cfg.partners])];
  let done = 0;
  let total = 0;
  const x: RunCtx = {
    plan,
    cfg,
    dflt,
    dnsTimeout: cfg.timeouts.dns ?? dflt ?? 5000,
    probePhase: cfg.timeouts.probe ?? dflt,
    dialbackTimeout: cfg.timeouts.dialback ?? dflt,
    tick: (label) => opts.onProgress?.(++done, total, label),
    dnsClient: () => (shared ??= new DnsClient({ resolvers: cfg.dns.resolvers, doh: cfg.dns.doh, tcp: cfg.dns.tcp, timeout: x.dnsTimeout })),
    deadline: runDeadline(opts.deadlineMs ?? cfg.timeouts.total ?? DEFAULT_RUN_DEADLINE_MS),
  };
  opts.signal?.addEventListener('abort', () => x.deadline.interrupt(), { once: true });
  const jobs = probeJobs(x);
  total = dnsDomains.length + jobs.length + (cfg.axl ? 1 : 0) + 1;

  let dnsT: TargetResult<DoctorData>[], probeT: TargetResult<DoctorData>[], axlT: TargetResult<DoctorData>[];
  try {
    [dnsT, probeT, axlT] = await Promise.all([
      untilDeadline(x.deadline, 'dns', dnsPart(x, dnsDomains), () => ({ done: [], unfinished: dnsDomains })),
      probePart(x, jobs),
      untilDeadline(x.deadline, 'axl', axlPart(x), () => ({ done: [], unfinished: cfg.axl ? [cfg.axl.server] : [] })),
    ]);
  } finally {
    shared?.close();
  }
  const live = [...dnsT, ...probeT, ...axlT];
  const used = new Set<number>();
  for (const t of live) applyIgnore(t, cfg.ignore, used);

  const runs: Array<{ source: string; run: RunResult }> = [];
  for (const [check, ts] of [['dns', dnsT], ['probe', probeT], ['axl', axlT]] as const) {
    if (ts.length) runs.push({ source: CHECK_COMMAND[check], run: buildRun(CHECK_COMMAND[check], {}, ts.map(unwrap), started, false) });
  }
  const diag = x.deadline.expired() ? [] : await untilDeadline(x.deadline, 'diagnose', diagnosePart(x, runs, opts.now), () => ({ done: [], unfinished: ['diagnosis'] }));
  x.deadline.cancel();
  for (const t of diag) applyIgnore(t, cfg.ignore, used);
  x.tick('diagnose');

  const targets = [...live, ...diag];
  const unused = unusedIgnoreTarget(cfg, used);
  if (unused) targets.push(unused);
  return { targets, runs, options: runOptions(x) };
}
