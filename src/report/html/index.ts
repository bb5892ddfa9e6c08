/**
 * The HTML report: one self-contained file (inline CSS and SVG, no script, no font or image from
 * the network; a Content-Security-Policy that forbids them anyway), readable offline and
 * printed. It shows the verdict table, the federation path, the probe phases and every finding.
 *
 * Runs reach it redacted (renderRun and `xfed report` call redactRun first); every string is
 * escaped here (escape.ts), since most of it comes from peers, servers, logs or files.
 */
import type { RunResult } from '../../core/result.js';
import { CSS } from './css.js';
import { esc, withCode } from './escape.js';
import { CHECK_TITLE, renderFindings, verdictBadge } from './findings.js';
import { buildModel, type Entry, type ReportModel, type ReportRun } from './model.js';
import { renderPath } from './path.js';
import { renderWaterfall } from './waterfall.js';

export type { ReportRun } from './model.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function count(model: ReportModel) {
  const c = { targets: model.entries.length, error: 0, warning: 0, info: 0 };
  for (const e of model.entries) for (const f of e.target.findings) if (f.severity in c) c[f.severity as 'error' | 'warning' | 'info']++;
  return c;
}

function headerOf(model: ReportModel): string {
  const c = count(model);
  const runs = model.runs.map((r) => r.run);
  const first = runs[0];
  const verdict = c.error ? 'error' : c.warning ? 'warning' : 'ok';
  const meta = runs.length === 1 && first
    ? `<b>xfed ${esc(first.command)}</b> · started ${esc(first.startedAt)} · ${esc(Math.round(Number(first.durationMs) || 0))} ms · xfed ${esc(first.version)} · exit ${esc(first.exitCode)}`
    : `<b>${runs.length} saved runs</b> (${runs.map((r) => esc(r.command)).join(', ')}) · rendered by <code>xfed report</code>`;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const domains = new Set<string>();
  for (const e of model.entries) if (e.check === 'dns' || e.check === 'probe') domains.add((e.target.display ?? e.target.target).toLowerCase());
  const partners = [...domains].filter((d) => !model.ours.has(d));
  const ours = [...model.ours];
  const who = [ours.length ? `our domain${ours.length === 1 ? '' : 's'} <b>${ours.map(esc).join(', ')}</b>` : '', partners.length ? `partner${partners.length === 1 ? '' : 's'} <b>${partners.slice(0, 6).map(esc).join(', ')}</b>${partners.length > 6 ? ` and ${partners.length - 6} more` : ''}` : ''].filter(Boolean).join(' · ');
  return `<header class="top"><h1>XMPP federation report</h1><div class="meta">${meta}</div>${who ? `<div class="meta">${who}</div>` : ''}<div class="chips">` +
    `<span class="chip ${verdict}">${verdict === 'ok' ? 'no problems' : verdict === 'error' ? 'federation broken' : 'warnings'}</span>` +
    `<span class="chip">${plural(c.targets, 'target')}</span><span class="chip error">${plural(c.error, 'error')}</span>` +
    `<span class="chip warning">${plural(c.warning, 'warning')}</span><span class="chip info">${c.info} info</span></div></header>`;
}

function idLinks(e: Entry): string {
  const links = e.target.findings
    .map((f, i) => [f, e.findingAnchors[i]!] as const)
    .filter(([f]) => f.severity !== 'info')
    .map(([f, a]) => `<a href="#${a}" class="sev-${esc(f.severity)}"><code>${esc(f.id)}</code></a>`);
  const info = e.target.findings.filter((f) => f.severity === 'info').length;
  return links.join('') + (info ? `<small class="facts">${info} info</small>` : '') || '–';
}

/** The findings that break federation, the diagnosis causes first: the report at a glance. */
function glance(model: ReportModel): string {
  const rank = (e: Entry) => (e.check === 'diagnose' ? 0 : 1);
  const list = model.entries
    .map((e, i) => [e, i] as const)
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1])
    .flatMap(([e]) => e.target.findings.map((f, i) => ({ e, f, a: e.findingAnchors[i]! })))
    .filter(({ f }) => f.severity === 'error');
  if (list.length === 0) return '';
  const shown = list.slice(0, 6).map(({ e, f, a }) => `<li><a href="#${a}"><code>${esc(f.id)}</code></a> ${withCode(esc(f.title))} <small>(${esc(e.target.display ?? e.target.target)})</small></li>`);
  const more = list.length > 6 ? `<li><small>… ${list.length - 6} more below</small></li>` : '';
  return `<div class="glance"><b>Where it breaks</b><ul>${shown.join('')}${more}</ul></div>`;
}

function verdictTable(model: ReportModel): string {
  const multi = model.runs.length > 1;
  const rows = model.entries.map((e) => {
    const t = e.target;
    const n = (s: string) => t.findings.filter((f) => f.severity === s).length;
    return `<tr class="verdict-${esc(t.verdict)}"><td>${esc(CHECK_TITLE[e.check])}</td><td><a href="#${e.anchor}"><code>${esc(t.display ?? t.target)}</code></a></td>` +
      (multi ? `<td class="num">${e.runIndex + 1}</td>` : '') +
      `<td>${verdictBadge(t.verdict)}</td><td class="num">${n('error')}</td><td class="num">${n('warning')}</td><td class="ids">${idLinks(e)}</td></tr>`;
  });
  return `<section class="block" id="verdicts"><h2>Verdicts<small>check × target; each links to its section</small></h2>${glance(model)}<table><thead><tr><th>Check</th><th>Target</th>${multi ? '<th>Run</th>' : ''}<th>Verdict</th><th>Errors</th><th>Warnings</th><th>Findings</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function runsTable(model: ReportModel): string {
  if (model.runs.length < 2 && !model.runs[0]?.source) return '';
  const rows = model.runs.map(({ run, source }, i) => {
    const n = model.entries.filter((e) => e.runIndex === i).length;
    return `<tr><td class="num">${i + 1}</td><td><code>${esc(source ?? '')}</code></td><td>xfed ${esc(run.command)}</td><td>${esc(run.startedAt)}</td><td>${esc(run.version)}</td><td class="num">${n}</td><td class="num">${esc(run.exitCode)}</td></tr>`;
  });
  return `<section class="block" id="runs"><h2>Runs<small>the saved results this report was rendered from</small></h2><table><thead><tr><th>Run</th><th>File</th><th>Command</th><th>Started</th><th>Version</th><th>Targets</th><th>Exit</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

const PATH_LEGEND = '<p class="legend"><span class="key tone-ok"><i></i>works</span><span class="key tone-warning"><i></i>warning</span><span class="key tone-error"><i></i>broken</span><span class="key"><i></i>not checked</span> Each edge is labelled with the finding that broke it (a link to it).</p>';

/** Renders one or more runs (already redacted) as one HTML document. */
export function renderHtml(runs: ReportRun[]): string {
  const model = buildModel(runs);
  const path = renderPath(model);
  const waterfall = renderWaterfall(model);
  const first = runs[0]?.run as RunResult | undefined;
  const title = runs.length === 1 && first ? `xfed ${first.command} report, ${first.startedAt}` : `xfed report, ${runs.length} runs`;
  const toc = [['verdicts', 'Verdicts'], ...(path ? [['path', 'Federation path']] : []), ...(waterfall ? [['phases', 'Probe phases']] : []), ['findings', 'Findings']]
    .map(([id, t]) => `<a href="#${id}">${t}</a>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="xfed ${esc(first?.version ?? '')}">
<title>${esc(title)}</title>
<style>${CSS}</style></head>
<body>${headerOf(model)}<nav class="toc">${toc}</nav><main>
${runsTable(model)}
${verdictTable(model)}
${path ? `<section class="block" id="path"><h2>Federation path<small>DNS SRV → targets → Expressway-E / the peer; Expressway-C → IM&amp;P over AXL</small></h2>${path}${PATH_LEGEND}</section>` : ''}
${waterfall ? `<section class="block" id="phases"><h2>Probe phases<small>time spent in each phase, per target</small></h2>${waterfall}</section>` : ''}
<section class="block" id="findings"><h2>Findings<small>the diagnosis (causes and fixes) first</small></h2>${renderFindings(model)}</section>
</main><footer>Generated by xfed ${esc(first?.version ?? '')}. A self-contained file: no script, nothing loaded from the network; secrets are redacted.</footer></body></html>
`;
}
