/**
 * The waterfall of the probe phases per target (DNS, TCP, stream, TLS, features, dialback...),
 * drawn from the timings the probe measured (`timings` on each probe target), one after the
 * other on a shared time scale, as inline SVG.
 */
import { esc } from './escape.js';
import type { Entry, ReportModel } from './model.js';

const PHASE_CLASS: Record<string, string> = { dns: 'p-dns', resolve: 'p-dns', tcp: 'p-tcp', connect: 'p-tcp', stream: 'p-stream', tls: 'p-tls', starttls: 'p-tls', features: 'p-features', dialback: 'p-auth', sasl: 'p-auth', auth: 'p-auth' };
const LABEL_W = 230;
const BAR_W = 700;
const ROW_H = 30;

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : n >= 10 || n === 0 ? `${Math.round(n)} ms` : `${n.toFixed(1)} ms`;
}

function phasesOf(e: Entry): Array<[string, number]> {
  const t = e.target.timings;
  if (!t || typeof t !== 'object') return [];
  return Object.entries(t).filter(([, v]) => typeof v === 'number' && Number.isFinite(v) && v >= 0) as Array<[string, number]>;
}

/** A step for the time axis: about five ticks over `max` ms. */
function tickStep(max: number): number {
  const raw = max / 5;
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-3)));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
}

/** The waterfall SVG for every probe target with timings, or '' when there is none. */
export function renderWaterfall(model: ReportModel): string {
  const rows = model.entries.filter((e) => e.check === 'probe').map((e) => ({ e, phases: phasesOf(e) })).filter((r) => r.phases.length > 0);
  if (rows.length === 0) return '';
  const max = Math.max(1, ...rows.map((r) => r.phases.reduce((s, [, v]) => s + v, 0)));
  const scale = BAR_W / max;
  const step = tickStep(max);
  const height = 24 + rows.length * ROW_H;
  const ticks: string[] = [];
  for (let t = 0; t <= max + 1e-9; t += step) {
    const x = LABEL_W + t * scale;
    ticks.push(`<line class="tick" x1="${x}" y1="18" x2="${x}" y2="${height - 6}"/><text class="axis" x="${x}" y="12">${esc(ms(t))}</text>`);
  }
  const body = rows.map(({ e, phases }, i) => {
    const y = 24 + i * ROW_H;
    let x = LABEL_W;
    const total = phases.reduce((s, [, v]) => s + v, 0);
    // The phases where a problem was found are outlined in its colour, with its id in the tooltip.
    const broke = new Map<string, { sev: string; ids: string[] }>();
    for (const f of e.target.findings) {
      if (f.severity === 'info' || typeof f.phase !== 'string') continue;
      const b = broke.get(f.phase) ?? { sev: f.severity, ids: [] };
      if (f.severity === 'error') b.sev = 'error';
      b.ids.push(f.id);
      broke.set(f.phase, b);
    }
    const bars = phases.map(([name, v]) => {
      const b = broke.get(name);
      const w = Math.max(1.5, v * scale);
      const full = `${name} ${ms(v)}`;
      const mark = b ? (b.sev === 'error' ? '✗ ' : '! ') : '';
      const text = w >= (mark + full).length * 6.3 + 8 ? mark + full : w >= (mark + name).length * 6.3 + 8 ? mark + name : '';
      const label = text ? `<text class="in" x="${x + 4}" y="${y + 15}">${esc(text)}</text>` : '';
      const bar = `<g class="phase ${PHASE_CLASS[name] ?? 'p-other'}${b ? ` broke-${b.sev === 'error' ? 'error' : 'warning'}` : ''}" data-phase="${esc(name)}"><title>${esc(`${name}: ${ms(v)}${b ? ` (${b.ids.join(', ')})` : ''}`)}</title><rect x="${x}" y="${y}" width="${w}" height="20" rx="2"/>${label}</g>`;
      x += v * scale;
      return bar;
    });
    const name = e.target.display ?? e.target.target;
    return `<g class="row verdict-${esc(e.target.verdict)}"><circle class="dot" cx="8" cy="${y + 10}" r="5"/><a href="#${e.anchor}"><text class="target" x="20" y="${y + 14}">${esc(name.length > 26 ? `${name.slice(0, 25)}…` : name)}</text></a>` +
      `${bars.join('')}<text class="total" x="${x + 6}" y="${y + 14}">${esc(ms(total))}</text></g>`;
  });
  const legend = [...new Set(rows.flatMap((r) => r.phases.map(([n]) => n)))]
    .map((n) => `<span class="key ${PHASE_CLASS[n] ?? 'p-other'}"><i></i>${esc(n)}</span>`)
    .join('') + '<span class="key broke"><i></i>a problem was found in this phase</span>';
  return `<svg id="waterfall" class="waterfall" role="img" aria-label="probe phases per target" viewBox="0 0 ${LABEL_W + BAR_W + 70} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">${ticks.join('')}${body.join('')}</svg><p class="legend">${legend}</p>`;
}
