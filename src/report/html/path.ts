/**
 * The picture of the federation path, as inline SVG: for each domain, its SRV records, the
 * targets they name, and the server xfed reached there (our Expressway-E, or the partner's
 * server); under our side, Expressway-C and IM&P over AXL (the `xmpps2snodes` table). Each
 * edge is coloured by its verdict and labelled with the finding that broke it (a link to it).
 */
import type { Finding } from '../../core/result.js';
import { esc } from './escape.js';
import { asRecord, worst, type Entry, type ReportModel } from './model.js';

type Tone = 'ok' | 'warning' | 'error' | 'none';

interface Node {
  x: number;
  y: number;
  w: number;
  kind: string;
  title: string;
  sub?: string | undefined;
  tone: Tone;
}

interface Edge {
  from: Node;
  to: Node;
  tone: Tone;
  label: string;
  href?: string | undefined;
  dashed?: boolean;
  /** Drawn from `from`'s left side to `to`'s right side. */
  leftward?: boolean;
}

const W = 1000;
const MAX_LANES = 24;
const NODE_H = 46;
const ROW = 60;
const COL = [{ x: 10, w: 170 }, { x: 395, w: 215 }, { x: 805, w: 185 }] as const;
const MARK: Record<Tone, string> = { ok: '✓', warning: '!', error: '✗', none: '·' };

interface RecordFacts {
  host: string;
  port: number | undefined;
  service: string;
  tls: string;
  resolvable: boolean;
}

interface Lane {
  domain: string;
  ours: boolean;
  dns?: Entry;
  probe?: Entry;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** The SRV records of a domain: from check-dns facts, else from the probe's connection attempts. */
function recordsOf(lane: Lane): RecordFacts[] {
  const out: RecordFacts[] = [];
  const services = lane.dns?.facts?.services;
  if (Array.isArray(services)) {
    for (const s of services) {
      for (const r of (asRecord(s)?.records as unknown[]) ?? []) {
        const rec = asRecord(r);
        if (!rec) continue;
        out.push({ host: str(rec.target), port: typeof rec.port === 'number' ? rec.port : undefined, service: str(rec.service) || str(asRecord(s)?.service), tls: str(rec.tls), resolvable: rec.resolvable !== false });
      }
    }
    return out.slice(0, 8);
  }
  const attempts = lane.probe?.facts?.attempts;
  if (Array.isArray(attempts)) {
    for (const a of attempts) {
      const at = asRecord(a);
      if (!at) continue;
      out.push({ host: str(at.host), port: typeof at.port === 'number' ? at.port : undefined, service: str(at.source), tls: str(at.tls), resolvable: at.code !== 'NOADDRESS' });
    }
  }
  return out.slice(0, 8);
}

/** Whether `text` names `host` as a whole DNS name (so xmpp.x does not match xmpps.x). */
function names(text: string, host: string): boolean {
  if (!host) return false;
  const h = host.toLowerCase().replace(/\.$/, '');
  const t = text.toLowerCase();
  for (let i = t.indexOf(h); i >= 0; i = t.indexOf(h, i + 1)) {
    const before = i === 0 ? '' : t[i - 1]!;
    const after = t[i + h.length] ?? '';
    if (!/[a-z0-9_.-]/.test(before) && !/[a-z0-9_-]/.test(after) && !(after === '.' && /[a-z0-9]/.test(t[i + h.length + 1] ?? ''))) return true;
  }
  return false;
}

function mentions(f: Finding, host: string): boolean {
  return names(f.title, host) || (f.evidence ?? []).some((e) => names(`${e.value}`, host));
}

function toneOf(f: Finding | undefined): Tone {
  return f ? (f.severity === 'error' ? 'error' : 'warning') : 'ok';
}

function hrefOf(entry: Entry | undefined, f: Finding | undefined): string | undefined {
  if (!entry || !f) return undefined;
  const i = entry.target.findings.indexOf(f);
  return i >= 0 ? `#${entry.findingAnchors[i]}` : undefined;
}

function lanesOf(model: ReportModel): Lane[] {
  const lanes = new Map<string, Lane>();
  const lane = (domain: string): Lane => {
    const key = domain.toLowerCase();
    let l = lanes.get(key);
    if (!l) lanes.set(key, (l = { domain, ours: model.ours.has(key) }));
    return l;
  };
  for (const e of model.entries) {
    if (e.check === 'dns') lane(str(e.facts?.domain) || e.target.target).dns ??= e;
    if (e.check === 'probe') lane(str(e.facts?.peer) || e.target.target).probe ??= e;
  }
  // Our side first, then the partners with problems, then the others, each in the order the run had them.
  const bad = (l: Lane) => [l.dns, l.probe].some((e) => e && e.target.verdict !== 'ok');
  return [...lanes.values()].sort((a, b) => Number(b.ours) - Number(a.ours) || Number(bad(b)) - Number(bad(a)));
}

interface Drawing {
  nodes: Node[];
  edges: Edge[];
  captions: Array<{ y: number; text: string }>;
  height: number;
}

function connectEdge(lane: Lane, rec: RecordFacts, from: Node, server: Node): Edge {
  const p = lane.probe!;
  const connected = asRecord(p.facts?.connected);
  const attempt = ((p.facts?.attempts as unknown[]) ?? []).map(asRecord).find((a) => a && str(a.host) === rec.host && (rec.port === undefined || a.port === rec.port));
  if (connected && str(connected.host) === rec.host && (rec.port === undefined || connected.port === rec.port)) {
    const w = worst(p.target.findings);
    const tls = str(asRecord(p.facts?.tls)?.version);
    const okLabel = ['S2S', tls].filter(Boolean).join(' ');
    return { from, to: server, tone: toneOf(w), label: w ? w.id : okLabel, ...(w ? { href: hrefOf(p, w) } : {}) };
  }
  if (attempt && attempt.ok === false) {
    const anyOk = connected !== undefined;
    return { from, to: server, tone: anyOk ? 'warning' : 'error', label: `not reached: ${str(attempt.code) || 'failed'}`, dashed: true };
  }
  return { from, to: server, tone: 'none', label: 'not tried', dashed: true };
}

function laneDrawing(lane: Lane, top: number, d: Drawing): number {
  const records = recordsOf(lane);
  const rows = Math.max(1, records.length);
  d.captions.push({ y: top + 14, text: `${lane.ours ? 'OUR DOMAIN' : 'PARTNER'}  ${lane.domain}` });
  const y0 = top + 24;
  const mid = y0 + ((rows - 1) * ROW) / 2;
  const dnsFindings = lane.dns?.target.findings ?? [];
  const domainNode: Node = { ...COL[0], y: mid, kind: lane.dns ? 'SRV lookup' : 'domain', title: lane.domain, sub: lane.dns ? `${records.length} record${records.length === 1 ? '' : 's'}` : 'not checked', tone: lane.dns ? toneOf(worst(dnsFindings)) : 'none' };
  d.nodes.push(domainNode);
  let server: Node | undefined;
  if (lane.probe) {
    const p = lane.probe;
    const tls = asRecord(p.facts?.tls);
    const cert = (asRecord((tls?.chain as unknown[])?.[0]) ?? {}) as Record<string, unknown>;
    const db = str(asRecord(p.facts?.dialback)?.outcome);
    const sub = [db ? `dialback ${db}` : '', cert.subject ? str(cert.subject) : str(tls?.version) || 'no TLS'].filter(Boolean).join(' · ');
    server = { ...COL[2], y: mid, kind: lane.ours ? 'Expressway-E (ours)' : 'peer server', title: lane.domain, sub, tone: toneOf(worst(p.target.findings)) };
    d.nodes.push(server);
  }
  const unmatched = dnsFindings.filter((f) => f.severity !== 'info' && !records.some((r) => mentions(f, r.host)));
  if (records.length === 0) {
    const w = worst(dnsFindings);
    const none: Node = { ...COL[1], y: y0, kind: 'SRV target', title: 'no SRV record', tone: lane.dns ? toneOf(w) : 'none' };
    d.nodes.push(none);
    d.edges.push({ from: domainNode, to: none, tone: none.tone, label: w ? w.id : 'SRV', ...(w ? { href: hrefOf(lane.dns, w) } : {}) });
  }
  records.forEach((rec, i) => {
    const y = y0 + i * ROW;
    const mine = dnsFindings.filter((f) => f.severity !== 'info' && mentions(f, rec.host));
    const w = worst(mine) ?? (i === 0 ? worst(unmatched) : undefined);
    const tone: Tone = lane.dns ? toneOf(w) : 'none';
    const node: Node = { ...COL[1], y, kind: `_${rec.service.replace(/^_/, '') || 'srv'} · ${rec.tls || '?'}`, title: `${rec.host}${rec.port !== undefined ? `:${rec.port}` : ''}`, sub: rec.resolvable ? undefined : 'no address', tone: rec.resolvable ? tone : tone === 'ok' ? 'warning' : tone };
    d.nodes.push(node);
    d.edges.push({ from: domainNode, to: node, tone: node.tone === 'none' ? 'none' : tone, label: w ? w.id : 'SRV', ...(w ? { href: hrefOf(lane.dns, w) } : {}) });
    if (lane.probe && server) d.edges.push(connectEdge(lane, rec, node, server));
  });
  return y0 + rows * ROW;
}

function axlDrawing(e: Entry, top: number, d: Drawing, expE: Node | undefined): number {
  d.captions.push({ y: top + 14, text: 'OUR IM&P CLUSTER (AXL)' });
  const y = top + 24;
  const endpoint = asRecord(e.facts?.endpoint);
  const w = worst(e.target.findings);
  const tone = toneOf(w);
  const expC: Node = { ...COL[2], y, kind: 'Expressway-C', title: 'writes xmpps2snodes', tone: 'none' };
  const imp: Node = { ...COL[1], y, kind: 'IM&P · AXL', title: str(endpoint?.display) || e.target.target, sub: `user ${str(e.facts?.user) || '?'}`, tone };
  d.nodes.push(expC, imp);
  d.edges.push({ from: expC, to: imp, tone, label: w ? w.id : 'AXL xmpps2snodes', leftward: true, ...(w ? { href: hrefOf(e, w) } : {}) });
  if (expE) d.edges.push({ from: expE, to: expC, tone: 'none', label: 'traversal (not checked)', dashed: true });
  return y + ROW;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function nodeSvg(n: Node): string {
  const chars = Math.floor((n.w - 16) / 7.2);
  return `<g class="node tone-${n.tone}"><title>${esc(`${n.kind}: ${n.title}${n.sub ? ` (${n.sub})` : ''}`)}</title>` +
    `<rect x="${n.x}" y="${n.y}" width="${n.w}" height="${NODE_H}" rx="6"/>` +
    `<text class="kind" x="${n.x + 8}" y="${n.y + 13}">${esc(truncate(n.kind, chars + 6))}</text>` +
    `<text class="name" x="${n.x + 8}" y="${n.y + 28}">${esc(truncate(n.title, chars))}</text>` +
    (n.sub ? `<text class="sub" x="${n.x + 8}" y="${n.y + 41}">${esc(truncate(n.sub, chars + 6))}</text>` : '') +
    `</g>`;
}

function edgeSvg(e: Edge): string {
  const vertical = e.from.x === e.to.x;
  let x1: number, y1: number, x2: number, y2: number, path: string;
  if (vertical) {
    x1 = x2 = e.from.x + e.from.w / 2;
    y1 = e.from.y + NODE_H;
    y2 = e.to.y;
    path = `M${x1},${y1} L${x2},${y2}`;
  } else {
    x1 = e.leftward ? e.from.x : e.from.x + e.from.w;
    x2 = e.leftward ? e.to.x + e.to.w : e.to.x;
    y1 = e.from.y + NODE_H / 2;
    y2 = e.to.y + NODE_H / 2;
    const cx = (x1 + x2) / 2;
    path = `M${x1},${y1} C${cx},${y1} ${cx},${y2} ${x2},${y2}`;
  }
  const mx = (x1 + x2) / 2;
  const my = (y1 + y2) / 2;
  const text = `${MARK[e.tone]} ${truncate(e.label, 29)}`;
  const tw = text.length * 6.4 + 12;
  const lx = vertical ? mx - tw - 10 : mx - tw / 2;
  const label = `<g class="label"><rect x="${lx}" y="${my - 9}" width="${tw}" height="18" rx="9"/><text x="${lx + 6}" y="${my + 4}">${esc(text)}</text></g>`;
  const linked = e.href ? `<a href="${esc(e.href)}">${label}</a>` : label;
  return `<g class="edge tone-${e.tone}${e.dashed ? ' dashed' : ''}" data-edge="${esc(e.label)}"><path d="${path}" marker-end="url(#arrow-${e.tone})"/>${linked}</g>`;
}

const MARKERS = (['ok', 'warning', 'error', 'none'] as Tone[])
  .map((t) => `<marker id="arrow-${t}" class="tone-${t}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`)
  .join('');

/** The federation path as an SVG element, or '' when the run has nothing to draw. */
export function renderPath(model: ReportModel): string {
  const all = lanesOf(model);
  // A picture stays readable: past MAX_LANES domains, the rest (OK ones last) are left to the table.
  const lanes = all.slice(0, MAX_LANES);
  const hidden = all.length - lanes.length;
  const axl = model.entries.filter((e) => e.check === 'axl');
  if (lanes.length === 0 && axl.length === 0) return '';
  const d: Drawing = { nodes: [], edges: [], captions: [], height: 0 };
  let y = 0;
  let expE: Node | undefined;
  const oursCount = lanes.filter((l) => l.ours).length;
  lanes.forEach((lane, i) => {
    const before = d.nodes.length;
    y = laneDrawing(lane, y, d) + 6;
    if (lane.ours && !expE) expE = d.nodes.slice(before).find((n) => n.kind.startsWith('Expressway-E'));
    // Our IM&P cluster right under our own domain(s).
    if (i === oursCount - 1 || (oursCount === 0 && i === lanes.length - 1)) for (const e of axl.splice(0)) y = axlDrawing(e, y, d, oursCount ? expE : undefined) + 6;
  });
  for (const e of axl) y = axlDrawing(e, y, d, undefined) + 6;
  const height = y + 4;
  const captions = d.captions.map((c) => `<text class="caption" x="10" y="${c.y}">${esc(c.text)}</text>`).join('');
  return `<svg id="federation-path" class="path" role="img" aria-label="federation path" viewBox="0 0 ${W} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">` +
    `<defs>${MARKERS}</defs>${captions}${d.edges.map(edgeSvg).join('')}${d.nodes.map(nodeSvg).join('')}</svg>` +
    (hidden > 0 ? `<p class="legend">${hidden} more domain${hidden === 1 ? '' : 's'} not drawn (those with problems are drawn first); the verdict table lists every target.</p>` : '');
}
