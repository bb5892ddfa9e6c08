/**
 * What the HTML report draws, taken from one or more runs (a command's own run, or the saved
 * runs given to `xfed report`): every target with the check it comes from, the run it belongs
 * to, and stable anchors for the verdict table's links.
 */
import type { Finding, RunResult, TargetResult } from '../../core/result.js';

export type CheckKind = 'dns' | 'probe' | 'axl' | 'diagnose' | 'dialback' | 'doctor' | 'other';

/** One run the report shows, and where it came from (a file given to `xfed report`). */
export interface ReportRun {
  run: RunResult;
  /** The file it was read from, when rendered by `xfed report`. */
  source?: string;
}

export interface Entry {
  /** Anchor of the target's section: `t1`, `t2`... */
  anchor: string;
  /** 0-based index of its run in `ReportModel.runs`. */
  runIndex: number;
  check: CheckKind;
  target: TargetResult;
  /** The target's facts for its check (data.dns, data.probe...), when present. */
  facts: Record<string, unknown> | undefined;
  /** Anchors of its findings, in order: `t1-f1`... */
  findingAnchors: string[];
}

export interface ReportModel {
  runs: ReportRun[];
  entries: Entry[];
  /** Our own domains (doctor's `domains`, a probe's `--from`), to tell our side from the partners. */
  ours: Set<string>;
}

const BY_COMMAND: Record<string, CheckKind> = { 'check-dns': 'dns', probe: 'probe', 'axl-verify': 'axl', diagnose: 'diagnose', dialback: 'dialback' };
const DATA_KEYS: CheckKind[] = ['dns', 'probe', 'axl', 'diagnose', 'dialback'];
/** The order of a federation fix; the diagnosis (causes) is drawn first among the findings. */
export const CHECK_ORDER: CheckKind[] = ['dns', 'probe', 'dialback', 'axl', 'diagnose', 'doctor', 'other'];

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The check a target comes from: doctor's `data.check`, else its command, else the key of its facts. */
export function checkOf(run: RunResult, t: TargetResult): CheckKind {
  const data = asRecord(t.data);
  const c = data?.check;
  if (typeof c === 'string') return (DATA_KEYS as string[]).includes(c) ? (c as CheckKind) : c === 'doctor' ? 'doctor' : 'other';
  const byCommand = BY_COMMAND[run.command];
  if (byCommand) return byCommand;
  const key = DATA_KEYS.find((k) => data && k in data);
  return key ?? (run.command === 'doctor' ? 'doctor' : 'other');
}

function oursOf(run: RunResult): string[] {
  const o = asRecord(run.options) ?? {};
  const out: string[] = [];
  if (Array.isArray(o.domains)) for (const d of o.domains) if (typeof d === 'string') out.push(d.toLowerCase());
  if (typeof o.from === 'string' && !o.from.endsWith('.invalid')) out.push(o.from.toLowerCase());
  return out;
}

export function buildModel(runs: ReportRun[]): ReportModel {
  const entries: Entry[] = [];
  const ours = new Set<string>();
  runs.forEach(({ run }, runIndex) => {
    for (const d of oursOf(run)) ours.add(d);
    for (const target of run.targets ?? []) {
      const check = checkOf(run, target);
      const anchor = `t${entries.length + 1}`;
      const data = asRecord(target.data);
      const facts = data ? asRecord(data[check]) : undefined;
      const findings: Finding[] = Array.isArray(target.findings) ? target.findings : [];
      entries.push({ anchor, runIndex, check, target: { ...target, findings }, facts, findingAnchors: findings.map((_, i) => `${anchor}-f${i + 1}`) });
    }
  });
  return { runs, entries, ours };
}

/** The first finding of the worst severity among `findings` (the one that "broke" an edge). */
export function worst(findings: readonly Finding[]): Finding | undefined {
  return findings.find((f) => f.severity === 'error') ?? findings.find((f) => f.severity === 'warning');
}

export function verdictOfFindings(findings: readonly Finding[]): 'ok' | 'warning' | 'error' {
  const w = worst(findings);
  return w ? (w.severity as 'warning' | 'error') : 'ok';
}

export { asRecord };
