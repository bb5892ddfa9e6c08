/**
 * The findings part of the HTML report: one block per target (the diagnosis first: its causes
 * are the point of the report), each finding with its evidence, fix and references.
 */
import type { Finding } from '../../core/result.js';
import { esc, escMultiline, refLink, withCode } from './escape.js';
import { asRecord, CHECK_ORDER, type Entry, type ReportModel } from './model.js';

const VERDICT_TEXT: Record<string, string> = { ok: 'OK', warning: 'WARN', error: 'FAIL' };
const SEVERITY_TEXT: Record<string, string> = { error: 'ERROR', warning: 'WARN', info: 'INFO' };
export const CHECK_TITLE: Record<string, string> = { dns: 'DNS', probe: 'probe', dialback: 'dialback', axl: 'AXL', diagnose: 'diagnosis', doctor: 'configuration', other: 'check' };

export function verdictBadge(v: string): string {
  const k = v in VERDICT_TEXT ? v : 'warning';
  return `<span class="badge verdict-${k}">${VERDICT_TEXT[k]}</span>`;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** A few facts under a target's heading, per check. */
function factsOf(e: Entry): Array<[string, string]> {
  const f = e.facts ?? {};
  const out: Array<[string, string]> = [];
  if (e.check === 'probe') {
    const c = asRecord(f.connected);
    if (c) out.push(['server', `${str(c.host)} ${str(c.address)}:${str(c.port)} (${str(c.tls)})`]);
    const tls = asRecord(f.tls);
    if (tls) out.push(['tls', [str(tls.version), str(tls.cipher)].filter(Boolean).join(' ')]);
    const leaf = asRecord((tls?.chain as unknown[] | undefined)?.[0]);
    if (leaf) out.push(['certificate', `${str(leaf.subject)}, expires ${str(leaf.notAfter).slice(0, 10)}${typeof leaf.daysLeft === 'number' ? ` (${leaf.daysLeft} days)` : ''}`]);
    const db = asRecord(f.dialback);
    if (db) out.push(['dialback', `${str(db.outcome)} (${str(db.key)} key)`]);
  } else if (e.check === 'dns') {
    if (f.resolver) out.push(['resolver', str(f.resolver)]);
    const services = Array.isArray(f.services) ? f.services.map(asRecord) : [];
    for (const s of services) if (s) out.push([str(s.name), `${str(s.rcode)}, ${Array.isArray(s.records) ? s.records.length : 0} record(s)`]);
  } else if (e.check === 'axl') {
    if (f.url) out.push(['url', str(f.url)]);
    if (f.user) out.push(['user', str(f.user)]);
    const http = asRecord(f.http);
    if (http?.lastStatus !== undefined) out.push(['HTTP', str(http.lastStatus)]);
  } else if (e.check === 'diagnose') {
    const totals = asRecord(f.totals);
    if (Array.isArray(f.inputs)) out.push(['inputs', `${f.inputs.length}${totals ? `, ${str(totals.lines)} lines, ${str(totals.matched)} matched` : ''}`]);
    if (f.rules !== undefined) out.push(['rules', str(f.rules)]);
  }
  const t = e.target.timings;
  if (t && typeof t === 'object' && e.check !== 'probe') out.push(['time', Object.entries(t).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(1) : '?'} ms`).join(', ')]);
  return out.filter(([, v]) => v.trim() !== '');
}

export function renderFinding(f: Finding, anchor: string): string {
  const sev = f.severity in SEVERITY_TEXT ? f.severity : 'info';
  const ev = (Array.isArray(f.evidence) ? f.evidence : []).map((e) => {
    const where = [e.source ? `${e.source}${e.line ? `:${e.line}` : ''}` : '', e.count && e.count > 1 ? `${e.count}×` : '', e.firstSeen ? `${e.firstSeen}${e.lastSeen && e.lastSeen !== e.firstSeen ? ` – ${e.lastSeen}` : ''}` : ''].filter(Boolean).join(' · ');
    return `<tr><td class="label">${esc(e.label)}</td><td class="value">${esc(e.value)}</td><td class="where">${esc(where)}</td></tr>`;
  });
  const refs = Array.isArray(f.references) && f.references.length ? `<p class="refs">References: ${f.references.map((r) => refLink(String(r))).join(' ')}</p>` : '';
  return `<article class="finding sev-${sev}" id="${anchor}" data-finding-id="${esc(f.id)}">` +
    `<div class="head"><span class="badge sev-${sev}">${SEVERITY_TEXT[sev]}</span><span class="fid">${esc(f.id)}</span><span class="title">${esc(f.title)}</span></div>` +
    (f.detail ? `<p class="detail">${withCode(escMultiline(f.detail))}</p>` : '') +
    (ev.length ? `<table class="evidence"><tbody>${ev.join('')}</tbody></table>` : '') +
    (f.fix ? `<div class="fix"><b>Fix</b> ${withCode(escMultiline(f.fix))}</div>` : '') +
    refs +
    `</article>`;
}

function ignoredOf(e: Entry): string {
  const ign = asRecord(e.target.data)?.ignored;
  if (!Array.isArray(ign) || ign.length === 0) return '';
  const items = ign.map(asRecord).filter(Boolean).map((i) => `<li><code>${esc(str(i!.id))}</code> ${esc(str(i!.title))}${i!.ignoredBecause || i!.reason ? ` — <i>${esc(str(i!.ignoredBecause ?? i!.reason))}</i>` : ''}</li>`);
  return `<div class="ignored">Ignored by the config (not counted):<ul>${items.join('')}</ul></div>`;
}

export function runLabel(model: ReportModel, e: Entry): string {
  if (model.runs.length < 2) return '';
  const r = model.runs[e.runIndex]!;
  return `<small>run ${e.runIndex + 1}${r.source ? `: ${esc(r.source)}` : ''}</small>`;
}

function targetBlock(model: ReportModel, e: Entry): string {
  const t = e.target;
  const name = t.display && t.display !== t.target ? `${t.display} (${t.target})` : t.target;
  const facts = factsOf(e);
  const dl = facts.length ? `<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>` : '';
  const note = e.check === 'diagnose' ? '<p class="cause-note">Causes found in the logs and results, most important first, each with the evidence that points at it and the fix.</p>' : '';
  const findings = t.findings.map((f, i) => renderFinding(f, e.findingAnchors[i]!)).join('') || '<p class="facts">No findings.</p>';
  const heading = e.check === 'diagnose' && t.target === 'diagnosis' ? 'Diagnosis: causes and fixes' : `${esc(CHECK_TITLE[e.check])} · <span class="name">${esc(name)}</span>`;
  return `<div class="target-block" id="${e.anchor}"><h3>${verdictBadge(t.verdict)} ${heading}${runLabel(model, e)}</h3>${dl}${note}${findings}${ignoredOf(e)}</div>`;
}

/** Every target's block, the diagnosis first, then in the order of a federation fix. */
export function renderFindings(model: ReportModel): string {
  const rank = (e: Entry) => (e.check === 'diagnose' ? -1 : CHECK_ORDER.indexOf(e.check));
  const sorted = model.entries.map((e, i) => [e, i] as const).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([e]) => e);
  return sorted.map((e) => targetBlock(model, e)).join('');
}
