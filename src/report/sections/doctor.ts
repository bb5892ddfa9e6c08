/**
 * Human output of `xfed doctor`: one part per check (DNS, probe, AXL), then the diagnosis
 * (causes and fixes), a table of every target, the ignored findings and the summary line.
 * Each target's facts are drawn by its own command's section renderer.
 */
import type { RunResult, TargetResult } from '../../core/result.js';
import { asCommandTarget } from '../../doctor/checks.js';
import { renderTarget, summaryLine, summaryRow, type HumanOptions, type SectionRenderer } from '../human.js';
import { neutralizeWorkflowCommands, sanitizeDeep } from '../sanitize.js';
import { DEFAULT_WIDTH, fitToWidth, table, type Style } from '../style.js';
import { axlSection } from './axl-verify.js';
import { dnsSection } from './check-dns.js';
import { diagnoseSection } from './diagnose.js';
import { probeSection } from './probe.js';

interface DoctorTargetData {
  check?: string;
  ignored?: Array<{ id: string; title: string; ignoredBecause: string; target: string }>;
  [k: string]: unknown;
}

const TITLES: Record<string, string> = {
  dns: 'DNS (check-dns)',
  probe: 'Server-to-server probes (probe)',
  axl: 'IM&P AXL (axl-verify)',
  diagnose: 'Diagnosis: causes and fixes (diagnose)',
  doctor: 'Configuration',
};
const ORDER = ['dns', 'probe', 'axl', 'diagnose', 'doctor'];

/** The target as its own command produced it, for that command's section renderer. */
function unwrap(t: TargetResult): TargetResult {
  return (t.data as DoctorTargetData)?.check ? asCommandTarget(t) : t;
}

const SECTIONS: Record<string, SectionRenderer> = { dns: dnsSection, probe: probeSection, axl: axlSection, diagnose: diagnoseSection };

export const doctorSection: SectionRenderer = (t, style, opts) => {
  const c = (t.data as DoctorTargetData)?.check;
  const s = c ? SECTIONS[c] : undefined;
  const u = unwrap(t);
  // A crashed check has no facts to draw.
  if (!s || u.data === undefined) return [];
  try {
    return s(u, style, opts);
  } catch {
    return [];
  }
};

export interface DoctorHumanOptions extends HumanOptions {
  /** A closing line (the demo says its failures are on purpose). */
  footer?: string;
}

export function renderDoctorHuman(input: RunResult, style: Style, opts: DoctorHumanOptions): string {
  const { c } = style;
  // Peer-supplied text everywhere (facts, ignored reasons, target names): sanitised once here.
  const run = sanitizeDeep(input);
  const lines: string[] = [];
  const groups = new Map<string, TargetResult[]>();
  for (const t of run.targets) {
    const k = (t.data as DoctorTargetData)?.check ?? 'doctor';
    groups.set(k, [...(groups.get(k) ?? []), t]);
  }
  const keys = [...groups.keys()].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  for (const k of keys) {
    const ts = groups.get(k)!;
    const bad = ts.filter((t) => t.verdict !== 'ok').length;
    lines.push(c.bold.underline(`${TITLES[k] ?? k}`) + c.dim(`  ${ts.length} target${ts.length === 1 ? '' : 's'}, ${bad} with problems`), '');
    // The diagnosis is the point of the report: always in full. Elsewhere, with many targets, details for those that need attention.
    const detailed = k === 'diagnose' || opts.verbose || ts.length <= 3 ? ts : ts.filter((t) => t.verdict !== 'ok');
    for (const t of detailed) {
      if (opts.quiet && t.verdict === 'ok') continue;
      lines.push(...renderTarget(t, style, opts, doctorSection), '');
    }
    const hiddenOk = ts.length - detailed.length;
    if (hiddenOk > 0) lines.push(c.dim(`  ${hiddenOk} more target${hiddenOk === 1 ? '' : 's'} OK (--verbose shows them)`), '');
  }

  if (!opts.quiet && run.targets.length > 1) {
    const rows = [['CHECK', 'TARGET', 'VERDICT', 'ERRORS', 'WARNINGS', 'FINDINGS']];
    for (const k of keys) {
      for (const t of groups.get(k)!) rows.push([k, ...summaryRow(t, style, t.display && t.display !== t.target ? t.display : t.target)]);
    }
    lines.push(c.bold('Summary'), ...table(rows, style, '  '), '');
  }

  const ignored = run.targets.flatMap((t) => ((t.data as DoctorTargetData)?.ignored ?? []).map((f) => ({ ...f, where: t.display ?? t.target })));
  if (ignored.length && !opts.quiet) {
    lines.push(c.bold(`Ignored by the config (${ignored.length}, not counted)`));
    const byKey = new Map<string, { id: string; reason: string; targets: string[] }>();
    for (const f of ignored) {
      const key = `${f.id}\u0000${f.ignoredBecause}`;
      const e = byKey.get(key) ?? { id: f.id, reason: f.ignoredBecause, targets: [] };
      if (!e.targets.includes(f.where)) e.targets.push(f.where);
      byKey.set(key, e);
    }
    for (const e of byKey.values()) {
      const where = e.targets.length > 3 ? `${e.targets.slice(0, 3).join(', ')} +${e.targets.length - 3}` : e.targets.join(', ');
      lines.push(fitToWidth(`  ${c.dim('-')} ${e.id} ${c.dim(`(${where})`)}: ${e.reason}`, opts.width ?? DEFAULT_WIDTH, 4));
    }
    lines.push('');
  }

  lines.push(fitToWidth(summaryLine(run, style, ignored.length ? [`${ignored.length} ignored`] : []), opts.width ?? DEFAULT_WIDTH));
  if (opts.footer) lines.push(fitToWidth(opts.footer, opts.width ?? DEFAULT_WIDTH, 0));
  return neutralizeWorkflowCommands(lines.join('\n') + '\n');
}
