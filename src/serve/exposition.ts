/**
 * The answer of `/probe` in the Prometheus text exposition format (version 0.0.4), built from a
 * check's TargetResult alone: pure, unit-tested from recorded facts. Metric names are part of
 * the public contract (deploy/prometheus/ alerts and the dashboard use them):
 *   xfed_up, xfed_check_success, xfed_phase_duration_seconds{phase},
 *   xfed_cert_not_after_timestamp_seconds, xfed_dialback_result{result},
 *   xfed_dns_srv_targets, xfed_findings{id,severity}.
 * Label values are finding ids, severities, phase names and dialback outcomes: never evidence,
 * never a secret.
 */
import type { TargetResult } from '../core/result.js';
import type { DnsSection } from '../dns/check.js';
import type { ProbeFacts } from '../probe/types.js';
import type { ServeCheck } from '../doctor/config.js';

/** Every outcome xfed_dialback_result has a series for (one is 1, the rest 0). */
export const DIALBACK_RESULTS = ['valid', 'invalid', 'error', 'timeout', 'closed', 'not-offered', 'skipped'] as const;

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface CheckOutcome {
  check: ServeCheck;
  /** The check's result; absent when it could not finish (timed out, or failed inside xfed). */
  result?: TargetResult;
  /** Wall time of the whole check. */
  seconds: number;
}

/** A label value escaped for the text format (backslash, double quote, line feed). */
export function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A sample value in the text format (integers as such, floats without exponent noise). */
export function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
}

/** Writes metric families: HELP, TYPE, then samples. */
export class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'gauge' | 'counter' | 'histogram', help: string): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, value: number, labels: Record<string, string> = {}): this {
    const l = Object.entries(labels).map(([k, v]) => `${k}="${labelValue(v)}"`);
    this.lines.push(`${name}${l.length ? `{${l.join(',')}}` : ''} ${num(value)}`);
    return this;
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** The probe facts of a probe or dialback result. */
function probeFacts(o: CheckOutcome): ProbeFacts | undefined {
  return (o.result?.data as { probe?: ProbeFacts } | undefined)?.probe;
}

/** Server SRV targets (a "." decline counts none); for a probe, the targets its resolution found. */
export function srvTargets(o: CheckOutcome): number | undefined {
  const dns = (o.result?.data as { dns?: DnsSection } | undefined)?.dns;
  if (dns) {
    return dns.services
      .filter((s) => s.service === 'xmpp-server' || s.service === 'xmpps-server')
      .reduce((n, s) => n + s.records.filter((r) => r.target !== '.' && r.target !== '').length, 0);
  }
  return probeFacts(o)?.resolve?.found;
}

/** The peer's leaf certificate's notAfter, in seconds since the epoch. */
export function certNotAfter(o: CheckOutcome): number | undefined {
  const leaf = probeFacts(o)?.tls?.chain[0];
  if (!leaf) return undefined;
  const t = Date.parse(leaf.notAfter);
  return Number.isFinite(t) ? t / 1000 : undefined;
}

/** The exposition of one check. */
export function checkExposition(o: CheckOutcome): string {
  const e = new Exposition();
  const r = o.result;
  e.family('xfed_up', 'gauge', 'Whether the check ran to its end (0: it timed out or failed inside xfed).').sample('xfed_up', r ? 1 : 0);
  e.family('xfed_check_success', 'gauge', 'Whether the check found no error (1) or at least one error finding (0).').sample('xfed_check_success', r && r.verdict !== 'error' ? 1 : 0);
  e.family('xfed_phase_duration_seconds', 'gauge', 'Duration of each phase of the check ("total": the whole check).');
  for (const [phase, ms] of Object.entries(r?.timings ?? {})) e.sample('xfed_phase_duration_seconds', ms / 1000, { phase });
  e.sample('xfed_phase_duration_seconds', o.seconds, { phase: 'total' });
  const notAfter = certNotAfter(o);
  if (notAfter !== undefined) {
    e.family('xfed_cert_not_after_timestamp_seconds', 'gauge', "The peer's certificate's notAfter date, in seconds since the epoch.").sample('xfed_cert_not_after_timestamp_seconds', notAfter);
  }
  if (o.check === 'probe' || o.check === 'dialback') {
    const outcome = probeFacts(o)?.dialback?.outcome;
    e.family('xfed_dialback_result', 'gauge', 'The Server Dialback (XEP-0220) outcome: 1 for the one seen, 0 for the others (all 0: not reached).');
    for (const result of DIALBACK_RESULTS) e.sample('xfed_dialback_result', outcome === result ? 1 : 0, { result });
  }
  const srv = srvTargets(o);
  if (srv !== undefined) e.family('xfed_dns_srv_targets', 'gauge', 'Server SRV targets published for the domain (_xmpp-server and _xmpps-server).').sample('xfed_dns_srv_targets', srv);
  e.family('xfed_findings', 'gauge', 'Findings of the check, by finding id and severity (see docs/findings.md).');
  const counts = new Map<string, { id: string; severity: string; n: number }>();
  for (const f of r?.findings ?? []) {
    const k = `${f.id}\u0000${f.severity}`;
    const c = counts.get(k) ?? { id: f.id, severity: f.severity, n: 0 };
    c.n++;
    counts.set(k, c);
  }
  for (const c of [...counts.values()].sort((a, b) => a.id.localeCompare(b.id) || a.severity.localeCompare(b.severity))) {
    e.sample('xfed_findings', c.n, { id: c.id, severity: c.severity });
  }
  return e.text();
}
