/**
 * The one result model shared by every xfed command.
 *
 * input -> check -> findings -> report: checks build these plain objects and
 * never print; the report layer renders the same data as text, JSON, JUnit...
 */
import { appendFileSync } from 'node:fs';
import { exitCodeFor } from './exit-codes.js';
import { VERSION } from './version.js';

export type Severity = 'error' | 'warning' | 'info';

export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** One observed fact that supports a finding. Values are already redacted. */
export interface Evidence {
  /** What the value is: "SRV", "A", "log", "tls.version", "http.status"... */
  label: string;
  /** The observed value, as one line of text. */
  value: string;
  /** Where it was seen (a file, a resolver, a host:port). */
  source?: string;
  /** 1-based line number in `source`, for log evidence. */
  line?: number;
  /** ISO-8601 time of the first and last occurrence, for repeated log evidence. */
  firstSeen?: string;
  lastSeen?: string;
  /** How many times it was seen. */
  count?: number;
}

export interface Finding {
  /** Stable dotted id, e.g. `dns.srv.missing`. Part of the public contract. */
  id: string;
  severity: Severity;
  /** One line: what is wrong (or right, for info findings). */
  title: string;
  /** Why it matters, in a sentence or two. */
  detail: string;
  evidence: Evidence[];
  /** What to do about it. Empty for purely informative findings. */
  fix: string;
  /** The target (domain, host, file...) this finding is about. */
  target: string;
  /** The phase of the check that produced it (dns, tcp, tls, dialback...). */
  phase?: string;
  /** Links to the RFC, XEP or vendor document behind the finding. */
  references?: string[];
}

export type Verdict = 'ok' | 'warning' | 'error';

/** The result for one target (a domain, a peer, an AXL server, a log bundle). */
export interface TargetResult<D = unknown> {
  /** Canonical target name (for domains: the A-label form). */
  target: string;
  /** Human form when it differs (for domains: the U-label form). */
  display?: string;
  verdict: Verdict;
  findings: Finding[];
  /** Per-phase durations in milliseconds. */
  timings?: Record<string, number>;
  /** Command-specific facts, e.g. `{ dns: {...} }` for check-dns. */
  data: D;
}

export interface Summary {
  targets: number;
  errors: number;
  warnings: number;
  info: number;
}

/** Version of the JSON document that `--json` writes. Bump on breaking changes. */
export const SCHEMA_VERSION = 1;

export interface RunResult<D = unknown> {
  schema: number;
  tool: 'xfed';
  version: string;
  command: string;
  startedAt: string;
  /** First after the header, so that a run can be written one target at a time (report/stream.ts). */
  targets: TargetResult<D>[];
  /** Options that shaped the run (never secrets); after the targets: Ctrl-C adds `interrupted`. */
  options: Record<string, unknown>;
  durationMs: number;
  summary: Summary;
  /** The exit code xfed exits with for this run. */
  exitCode: number;
}

/** Assembles the RunResult of a finished command (or of one check inside `xfed doctor`). */
export function buildRun<D>(command: string, options: Record<string, unknown>, targets: TargetResult<D>[], startedAt: Date, strict: boolean): RunResult<D> {
  const summary = summarize(targets);
  return {
    schema: SCHEMA_VERSION,
    tool: 'xfed',
    version: VERSION,
    command,
    startedAt: startedAt.toISOString(),
    // Key order: everything known only at the end comes after the targets (report/stream.ts).
    targets,
    options,
    durationMs: Math.round((Date.now() - startedAt.getTime()) * 10) / 10,
    summary,
    exitCode: exitCodeFor(summary, strict),
  };
}

/**
 * Test hook: with XFED_RECORD_FINDINGS=<file>, every finding built here appends
 * `{"id":...,"severity":...}` as one line to that file. scripts/run-tests.mjs sets it
 * and checks the ids against the finding catalogue (src/findings/). Read once; no cost when unset.
 */
const RECORD_FILE = process.env.XFED_RECORD_FINDINGS || undefined;

function record(id: string, severity: Severity): void {
  try {
    appendFileSync(RECORD_FILE!, `${JSON.stringify({ id, severity })}\n`);
  } catch {
    // A recording problem must never change what a command does.
  }
}

export function finding(f: Omit<Finding, 'evidence' | 'fix' | 'detail'> & Partial<Pick<Finding, 'evidence' | 'fix' | 'detail'>>): Finding {
  // Canonical key order, so that JSON reads id, severity, title, detail, evidence, fix, target.
  const { id, severity, title, detail = '', evidence = [], fix = '', target, ...rest } = f;
  if (RECORD_FILE) record(id, severity);
  return { id, severity, title, detail, evidence, fix, target, ...rest };
}

export function verdictOf(findings: readonly Finding[]): Verdict {
  if (findings.some((f) => f.severity === 'error')) return 'error';
  if (findings.some((f) => f.severity === 'warning')) return 'warning';
  return 'ok';
}

/** Orders findings: errors first, then warnings, then info; stable otherwise. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => [f, i] as const)
    .sort((a, b) => SEVERITY_RANK[a[0].severity] - SEVERITY_RANK[b[0].severity] || a[1] - b[1])
    .map(([f]) => f);
}

export function targetResult<D>(target: string, findings: Finding[], data: D, extra: Partial<TargetResult<D>> = {}): TargetResult<D> {
  const sorted = sortFindings(findings);
  const { display, timings, ...rest } = extra;
  return {
    target,
    ...(display !== undefined ? { display } : {}),
    verdict: verdictOf(sorted),
    findings: sorted,
    ...(timings !== undefined ? { timings } : {}),
    ...rest,
    data,
  };
}

export function summarize(targets: readonly TargetResult[]): Summary {
  const s: Summary = { targets: targets.length, errors: 0, warnings: 0, info: 0 };
  for (const t of targets) {
    for (const f of t.findings) {
      if (f.severity === 'error') s.errors++;
      else if (f.severity === 'warning') s.warnings++;
      else s.info++;
    }
  }
  return s;
}
