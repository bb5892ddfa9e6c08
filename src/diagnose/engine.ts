/**
 * The rule engine: fed candidate records (lines that contain a keyword) source by
 * source, and xfed JSON results; keeps bounded state per rule; turns fired rules
 * into findings ordered by severity, then time.
 */
import { finding, SEVERITY_RANK, type Evidence, type Finding, type RunResult, type Severity } from '../core/result.js';
import { allPatterns, variants, type CMatcher, type CPattern, type CompiledRules, type CRule } from './compile.js';
import { lineProduct, parseTime, type Candidate } from './lines.js';
import { redactEvidence } from '../core/redact.js';
import { causeSeverity, chainEvent, clearedText, clearEvidence, cmp, completedChain, evidenceOf, MAX_TEXT, span, type ChainState, type Group, type Hit } from './engine-util.js';

export type { Hit } from './engine-util.js';
import { clearedBy, rank, type Ranked } from './rank.js';
import type { Product } from './types.js';



const MAX_KEYS = 200;
const MAX_PENDING = 10_000;

class RuleState {
  fired = false;
  onlyResults = true;
  /** The most severe of the result findings matched (results-only causes are capped at it). */
  resultSeverity: Severity | undefined;
  readonly groups = new Map<string, Group>();
  overflow = 0;
  /** The latest `clears` hit per key ('' for a line without one). */
  readonly clears = new Map<string, Hit>();

  clear(hit: Hit): void {
    const c = this.clears.get(hit.key);
    if (c ? cmp(hit, c) > 0 : this.clears.size < MAX_KEYS) this.clears.set(hit.key, hit);
  }

  add(hit: Hit): void {
    this.fired = true;
    if (hit.line !== undefined || hit.label === 'file') this.onlyResults = false;
    if (hit.severity && (!this.resultSeverity || SEVERITY_RANK[hit.severity] < SEVERITY_RANK[this.resultSeverity])) this.resultSeverity = hit.severity;
    const g = this.groups.get(hit.key);
    if (g) {
      g.count++;
      if (cmp(hit, g.last) >= 0) g.last = hit;
      if (cmp(hit, g.first) < 0) g.first = hit;
    } else if (this.groups.size < MAX_KEYS) this.groups.set(hit.key, { first: hit, last: hit, count: 1 });
    else this.overflow++;
  }
}


interface Pending {
  hit: Hit;
  deadline?: number;
}



interface SourceState {
  name: string;
  hint: Product | undefined;
  /** Per sequence matcher: pending starts. */
  pending: Map<CMatcher, Pending[]>;
  matched: number;
  /** The latest time seen in the source (sequence windows expire against it). */
  lastTime: number | undefined;
  /** File-name hits, kept until the end of the source (an empty file proves nothing). */
  files: Array<{ r: CRule; hit: Hit }>;
}

type PatternHit = { groups: Record<string, string | undefined> };

export class Engine {
  private order = 0;
  private readonly state = new Map<CRule, RuleState>();
  private readonly chains = new Map<CMatcher, ChainState>();
  private src: SourceState | undefined;
  /** The matchers (and their rules) that use a pattern. */
  private readonly users = new Map<CPattern, Array<{ r: CRule; m: CMatcher }>>();
  private readonly byKeyword = new Map<string, CPattern[]>();
  readonly issues = new Map<string, { severity: Severity; title: string; fix: string; evidence: Evidence[]; count: number }>();
  results = 0;

  constructor(
    readonly compiled: CompiledRules,
    private readonly opts: { maxEvidence: number; now?: number },
  ) {
    for (const r of compiled.rules) this.state.set(r, new RuleState());
    for (const r of compiled.rules)
      for (const m of r.matchers)
        for (const p of allPatterns(m)) {
          let users = this.users.get(p);
          if (!users) this.users.set(p, (users = []));
          if (!users.some((u) => u.m === m)) users.push({ r, m });
        }
    // A keyword found in a line triggers the patterns of every keyword it contains
    // (the prefilter's alternation reports only the longest one at a position).
    const kwPatterns = new Map<string, CPattern[]>();
    for (const p of this.users.keys())
      for (const k of p.keywords)
        for (const v of p.lower ? variants(k) : [k]) {
          const key = Buffer.from(v, 'utf8').toString('latin1');
          kwPatterns.set(key, [...(kwPatterns.get(key) ?? []), p]);
        }
    for (const k of compiled.keywords) {
      const ps = new Set<CPattern>();
      for (const [other, list] of kwPatterns) if (k.includes(other)) for (const p of list) ps.add(p);
      this.byKeyword.set(k, [...ps]);
    }
  }

  beginSource(name: string, hint: Product | undefined): void {
    this.src = { name, hint, pending: new Map(), matched: 0, lastTime: undefined, files: [] };
    for (const r of this.compiled.rules)
      for (const m of r.matchers)
        if (m.kind === 'file' && m.re.test(name)) this.src.files.push({ r, hit: { source: name, text: name, order: this.order++, key: name, label: 'file' } });
  }

  /** Ends the current source; `lastLine` dates the end of the file for sequence windows. */
  endSource(lastLine: string): number {
    const src = this.src;
    if (!src) return 0;
    const last = lastLine ? parseTime(lastLine, this.opts.now) : undefined;
    const end = last === undefined ? src.lastTime : src.lastTime === undefined ? last : Math.max(last, src.lastTime);
    // A file proves something by its name only when it has content (an empty xmpp-cm-*.log does not show federation running).
    if (lastLine) for (const { r, hit } of src.files) this.state.get(r)!.add(hit);
    for (const r of this.compiled.rules)
      for (const m of r.matchers) {
        if (m.kind !== 'sequence') continue;
        for (const p of src.pending.get(m) ?? []) {
          // A window that the log ended inside of is not a failure: we cannot tell.
          if (p.deadline === undefined || (end !== undefined && end > p.deadline)) this.state.get(r)!.add(p.hit);
        }
      }
    this.src = undefined;
    return src.matched;
  }

  /** The time of a line read between candidates (once per chunk): windows also close on quiet lines. */
  tick(line: string): void {
    const src = this.src;
    if (!src || !line) return;
    const t = parseTime(line, this.opts.now);
    if (t !== undefined && (src.lastTime === undefined || t > src.lastTime)) src.lastTime = t;
  }

  onCandidate(c: Candidate): void {
    const src = this.src!;
    const text = c.header !== undefined ? `${c.header}\n${c.line}` : c.line;
    let product: Product | undefined | null = null;
    const hits = new Map<CPattern, PatternHit>();
    const seen = new Set<CPattern>();
    for (const k of c.keywords) {
      for (const p of this.byKeyword.get(k) ?? []) {
        if (seen.has(p)) continue;
        seen.add(p);
        if (p.products) {
          if (product === null) product = lineProduct(c.header ?? c.line, src.hint);
          if (!product || !p.products.has(product)) continue;
        }
        if (p.re) {
          const m = p.re.exec(text);
          if (m) hits.set(p, { groups: m.groups ?? {} });
        } else hits.set(p, { groups: {} });
      }
    }
    if (hits.size === 0) return;
    src.matched++;
    const time = parseTime(c.header ?? c.line, this.opts.now);
    if (time !== undefined && (src.lastTime === undefined || time > src.lastTime)) src.lastTime = time;
    const order = this.order++;
    // Redacted when shown (finish()), so that the hot path stays cheap.
    const raw = c.header !== undefined ? `${c.header} ⏎ ${c.line}` : c.line;
    const mk = (g: PatternHit): Hit => ({
      source: src.name,
      line: c.lineNo,
      text: raw.length > MAX_TEXT * 2 ? raw.slice(0, MAX_TEXT * 2) : raw,
      ...(time !== undefined ? { time } : {}),
      order,
      key: g.groups.key ?? '',
    });
    const done = new Set<CMatcher>();
    for (const p of hits.keys()) {
      for (const { r, m } of this.users.get(p)!) {
        if (done.has(m)) continue;
        done.add(m);
        const st = this.state.get(r)!;
        switch (m.kind) {
          case 'line': {
            const h = hits.get(m.p);
            if (h) this.lineHit(st, m, mk(h));
            break;
          }
          case 'sequence':
            this.sequence(st, m, hits, mk, src.lastTime);
            break;
          case 'chain': {
            let cs = this.chains.get(m);
            if (!cs) this.chains.set(m, (cs = { events: [] }));
            m.steps.forEach((sp, i) => {
              const h = hits.get(sp);
              if (h) chainEvent(cs, i, mk(h));
            });
            const u = m.unless && hits.get(m.unless);
            if (u) chainEvent(cs, -1, mk(u));
            break;
          }
          case 'clear': {
            const h = hits.get(m.p);
            if (h) st.clear(mk(h));
            break;
          }
          default:
            break;
        }
      }
    }
  }

  private readonly thresholds = new Map<CMatcher, Map<string, Hit[] | true>>();

  private lineHit(st: RuleState, m: Extract<CMatcher, { kind: 'line' }>, hit: Hit): void {
    if (!m.threshold) return st.add(hit);
    let byKey = this.thresholds.get(m);
    if (!byKey) this.thresholds.set(m, (byKey = new Map()));
    const seen = byKey.get(hit.key);
    if (seen === true) return st.add(hit); // confirmed: every later hit is evidence too
    if (!seen && byKey.size >= MAX_KEYS) return;
    const buf = seen ?? [];
    byKey.set(hit.key, buf);
    buf.push(hit);
    const w = m.threshold.windowMs;
    while (w !== undefined && buf.length > 1 && hit.time !== undefined && buf[0]!.time !== undefined && hit.time - buf[0]!.time > w) buf.shift();
    if (buf.length >= m.threshold.count) {
      for (const h of buf) st.add(h);
      byKey.set(hit.key, true);
    }
  }

  private sequence(st: RuleState, m: Extract<CMatcher, { kind: 'sequence' }>, hits: Map<CPattern, PatternHit>, mk: (g: PatternHit) => Hit, time: number | undefined): void {
    const src = this.src!;
    let pend = src.pending.get(m);
    if (!pend) src.pending.set(m, (pend = []));
    if (time !== undefined && pend.length) {
      const keep: Pending[] = [];
      for (const p of pend) {
        if (p.deadline !== undefined && time > p.deadline) st.add(p.hit);
        else keep.push(p);
      }
      if (keep.length !== pend.length) src.pending.set(m, (pend = keep));
    }
    const s = hits.get(m.start);
    const e = hits.get(m.end);
    const c = m.close && hits.get(m.close);
    if (e && !s) {
      const key = e.groups.key;
      const i = key ? pend.findIndex((p) => p.hit.key === key) : 0;
      if (i >= 0 && pend.length) pend.splice(i, 1);
      else if (key && pend.length && !pend.some((p) => p.hit.key)) pend.shift();
    }
    if (s) {
      const hit = mk(s);
      if (e) return; // started and ended on the same entry
      if (c) return st.add(hit);
      const win = s.groups.window ? Number(s.groups.window) * 1000 : m.windowMs;
      const p: Pending = { hit, ...(win !== undefined && hit.time !== undefined ? { deadline: hit.time + win } : {}) };
      pend.push(p);
      if (pend.length > MAX_PENDING) pend.shift();
    } else if (c) {
      for (const p of pend) st.add(p.hit);
      pend.length = 0;
    }
  }

  /** Feeds one xfed RunResult (from a file, stdin or memory). */
  addResult(run: RunResult, source: string): void {
    this.results++;
    const time = Date.parse(run.startedAt);
    // Results come from files too: trust nothing about their shape.
    for (const t of Array.isArray(run.targets) ? run.targets : []) {
      for (const f of Array.isArray(t?.findings) ? t.findings : []) {
        if (!f || typeof f.id !== 'string') continue;
        const ev = Array.isArray(f.evidence) ? f.evidence : [];
        const text = [f.title, f.detail, ...ev.map((e) => `${e?.label} ${e?.value}`)].join('\n');
        let claimed = false;
        const catchAll: CRule[] = [];
        // A diagnose (or doctor) result fed back in: its causes stay what they were.
        if (f.id.startsWith('diagnose.')) {
          const same = this.compiled.rules.find((r) => r.spec.id === f.id);
          if (same) this.state.get(same)!.add(this.resultHit(run, t.target, f, source, time));
          continue;
        }
        // Info findings state facts (a valid dialback, a private target allowed by --allow-private): never a cause.
        if (f.severity === 'info') continue;
        for (const r of this.compiled.rules) {
          for (const m of r.matchers) {
            if (m.kind !== 'finding') continue;
            if (m.catchAll) {
              catchAll.push(r);
              continue;
            }
            if (!m.exact.has(f.id) && !m.prefixes.some((p) => f.id.startsWith(p))) continue;
            if (m.text && !m.text.test(text)) continue;
            claimed = true;
            this.state.get(r)!.add(this.resultHit(run, t.target, f, source, time));
          }
        }
        if (!claimed)
          for (const r of catchAll) this.state.get(r)!.add(this.resultHit(run, t.target, f, source, time));
      }
    }
  }

  private resultHit(run: RunResult, target: string, f: Finding, source: string, time: number): Hit {
    return {
      source: `${source} (xfed ${run.command})`,
      text: redactEvidence(`${String(target)}: ${String(f.title)}`),
      ...(Number.isNaN(time) ? {} : { time }),
      order: this.order++,
      key: `${f.id} ${target}`,
      label: f.id,
      ...(Object.hasOwn(SEVERITY_RANK, f.severity) ? { severity: f.severity } : {}),
    };
  }

  /** An input problem: one finding per id, evidence per input. */
  issue(id: string, severity: Severity, title: string, fix: string, ev: Evidence): void {
    let i = this.issues.get(id);
    if (!i) this.issues.set(id, (i = { severity, title, fix, evidence: [], count: 0 }));
    i.count++;
    if (i.evidence.length < 50) i.evidence.push(ev);
  }

  /** The findings of the whole run. */
  finish(target: string): Finding[] {
    for (const r of this.compiled.rules)
      for (const m of r.matchers) {
        if (m.kind !== 'chain') continue;
        const cs = this.chains.get(m);
        const ev = cs && completedChain(cs, m.steps.length);
        if (!ev) continue;
        const st = this.state.get(r)!;
        for (const h of ev) st.add(h);
      }

    const out: Ranked[] = [];
    const fired = new Set<string>();
    for (const r of this.compiled.rules) if (this.state.get(r)!.fired) fired.add(r.spec.id);
    const superseded = new Set<string>();
    for (const r of this.compiled.rules) if (fired.has(r.spec.id)) for (const s of r.spec.supersedes ?? []) superseded.add(s);
    for (const r of this.compiled.rules) {
      const st = this.state.get(r)!;
      if (!st.fired || superseded.has(r.spec.id)) continue;
      const groups = [...st.groups.values()].sort((a, b) => cmp(a.first, b.first));
      const total = groups.reduce((n, g) => n + g.count, 0) + st.overflow;
      const evidence: Evidence[] = groups.slice(0, this.opts.maxEvidence).map((g) => evidenceOf(g));
      if (groups.length > this.opts.maxEvidence) evidence.push({ label: 'more', value: `${groups.length - this.opts.maxEvidence} more distinct keys not shown` });
      const files = new Set(groups.map((g) => g.first.source)).size;
      const when = span(groups);
      const cleared = clearedBy(groups, st.clears);
      if (cleared) evidence.push(clearEvidence(cleared));
      out.push({
        f: finding({
          id: r.spec.id,
          severity: cleared ? 'info' : causeSeverity(r, st),
          title: r.spec.title,
          detail: `${cleared ? `Cleared: ${clearedText(groups, cleared)} ` : ''}${r.spec.cause} Seen ${total} time${total === 1 ? '' : 's'} in ${files} input${files === 1 ? '' : 's'}${when}.`,
          evidence,
          fix: r.spec.fix.map((s, i) => (r.spec.fix.length > 1 ? `${i + 1}. ${s}` : s)).join('\n'),
          target,
          phase: st.onlyResults ? 'results' : 'logs',
          ...(r.spec.references.length ? { references: r.spec.references } : {}),
        }),
        t: Math.min(Infinity, ...groups.map((g) => g.first.time ?? Infinity)),
        ...(r.spec.explains ? { explains: r.spec.explains } : {}),
      });
    }
    for (const [id, i] of this.issues) {
      out.push({
        f: finding({
          id,
          severity: i.severity,
          title: i.title,
          detail: i.count > i.evidence.length ? `${i.count} inputs; the first ${i.evidence.length} are listed.` : '',
          evidence: i.evidence,
          fix: i.fix,
          target,
          phase: 'input',
        }),
        t: -Infinity,
      });
    }
    if (!out.some((o) => !o.f.id.startsWith('diagnose.input.'))) {
      out.push({
        f: finding({
          id: 'diagnose.no-match',
          severity: 'info',
          title: 'No known failure pattern found',
          detail: `None of the ${this.compiled.rules.length} rules matched the inputs. \`xfed rules\` lists what is looked for; make sure the logs were collected at DEBUG level (Expressway-E: developer.xcp.federation and developer.clusterdb.restapi; Expressway-C: developer.clusterdb.restapi and network.axl).`,
          target,
        }),
        t: Infinity,
      });
    }
    return rank(out);
  }

  /** Fired rule ids with counts, for the data section. */
  causes(): Array<{ id: string; severity: Severity; count: number }> {
    const out: Array<{ id: string; severity: Severity; count: number }> = [];
    for (const r of this.compiled.rules) {
      const st = this.state.get(r)!;
      if (!st.fired) continue;
      // A cleared cause is info here too, as in its finding.
      const severity = clearedBy([...st.groups.values()], st.clears) ? 'info' : causeSeverity(r, st);
      out.push({ id: r.spec.id, severity, count: [...st.groups.values()].reduce((n, g) => n + g.count, 0) + st.overflow });
    }
    return out;
  }
}

