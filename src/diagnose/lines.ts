/**
 * The streaming line scanner. Chunks are searched for the rules' keywords as a
 * whole (decoded as latin1, so string offsets are byte offsets) before anything
 * is split into lines: most lines are never materialised. Line numbers are kept
 * by counting newlines between matches. Memory stays bounded: a line longer than
 * `maxLine` bytes is cut, and only the previous chunk is kept for look-back.
 */
import { KeywordSearch } from './search.js';
import type { Product } from './types.js';

export const MAX_LINE = 256 * 1024;
/** How far back a continuation line looks for the header line of its entry. */
const LOOKBACK_BYTES = 8192;
const LOOKBACK_LINES = 12;

export interface Candidate {
  /** 1-based line number of the physical line. */
  lineNo: number;
  /** The physical line (UTF-8 decoded, no line terminator). */
  line: string;
  /** The header line of a multi-line entry, when `line` is a continuation. */
  header?: string;
  /** The prefilter keywords found in the line (latin1 form). */
  keywords: string[];
}

/**
 * A line that starts an entry: a timestamp (ISO, syslog `Mon dd hh:mm:ss`, IM&P XCP
 * trace `hh:mm:ss.mmm |level`), or an
 * Expressway process prefix (`host tvcs:`, `XCP_CM2[pid]:`, `alarm:`).
 */
const HEADER_RE =
  /^(?:\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\d\d:\d\d:\d\d\.\d{3} \||[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|[\w.-]+ (?:tvcs|alarm|XCP_[A-Z0-9_]+|[\w.-]+\[\d+\]):|XCP_[A-Z0-9_]+(?:\[\d+\])?:|tvcs:|UTCTime=)/;

export function isHeader(line: string): boolean {
  return HEADER_RE.test(line);
}

export class LineScanner {
  /** Complete lines seen so far. */
  lines = 0;
  bytes = 0;
  longLines = 0;
  private carry: Buffer | null = null;
  private skipping = false;
  private prev = '';
  private lastLine = '';

  /** The sampled keyword search (search.ts); without it, the prefilter regex scans whole chunks. */
  private readonly search: KeywordSearch | undefined;

  /** `keywords`: the prefilter's keywords (latin1), for the sampled search; omitted, the regex scans everything. */
  constructor(
    private readonly prefilter: RegExp | null,
    private readonly onCandidate: (c: Candidate) => void,
    private readonly maxLine = MAX_LINE,
    keywords?: readonly string[],
  ) {
    this.search = prefilter && keywords ? KeywordSearch.of(keywords) : undefined;
  }

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    let data = chunk;
    if (this.skipping) {
      const nl = data.indexOf(10);
      if (nl === -1) return;
      this.skipping = false;
      this.lines++;
      data = data.subarray(nl + 1);
    }
    if (this.carry) {
      // Finish the carried partial line on its own: no copy of the whole chunk.
      const nl = data.indexOf(10);
      if (nl === -1) {
        this.carry = Buffer.concat([this.carry, data]);
        if (this.carry.length > this.maxLine) this.cutLong();
        return;
      }
      const first = Buffer.concat([this.carry, data.subarray(0, nl + 1)]);
      this.carry = null;
      if (first.length > this.maxLine + 1) {
        this.carry = first.subarray(0, this.maxLine);
        this.cutLong();
        this.skipping = false;
        this.lines++;
      } else this.scan(first);
      data = data.subarray(nl + 1);
    }
    if (data.length === 0) return;
    const last = data.lastIndexOf(10);
    if (last === -1) {
      this.carry = data;
      if (data.length > this.maxLine) this.cutLong();
      return;
    }
    this.scan(last === data.length - 1 ? data : data.subarray(0, last + 1));
    if (last < data.length - 1) {
      this.carry = data.subarray(last + 1);
      if (this.carry.length > this.maxLine) this.cutLong();
    }
  }

  /** Call at the end of the input: the last line may lack its newline. */
  end(): void {
    if (this.carry && this.carry.length > 0) {
      const c = this.carry;
      this.carry = null;
      this.scan(Buffer.concat([c, Buffer.from('\n')]));
    }
    this.carry = null;
  }

  /** The last complete line read (for the source's end time). */
  get last(): string {
    return this.lastLine;
  }

  /** Scans the first maxLine bytes of an over-long line, then skips to its end. */
  private cutLong(): void {
    const head = this.carry!.subarray(0, this.maxLine);
    this.carry = null;
    this.longLines++;
    const lineNo = this.lines + 1;
    const s = head.toString('latin1', 0, head.length);
    if (this.prefilter) {
      this.prefilter.lastIndex = 0;
      const keywords: string[] = [];
      for (let m = this.prefilter.exec(s); m; m = this.prefilter.exec(s)) keywords.push(m[0]);
      if (keywords.length) this.onCandidate({ lineNo, line: head.toString('utf8').replace(/\r$/, ''), keywords });
    }
    this.skipping = true;
  }

  /** `seg` ends with a newline. */
  private scan(seg: Buffer): void {
    const s = seg.toString('latin1', 0, seg.length);
    const re = this.prefilter;
    let counted = 0;
    let lineNo = this.lines;
    /** The line [start, end) holds these keywords: count the lines before it and report it. */
    const candidate = (start: number, end: number, keywords: string[]) => {
      for (let p = s.indexOf('\n', counted); p !== -1 && p < start; p = s.indexOf('\n', p + 1)) lineNo++;
      counted = start;
      let line = seg.toString('utf8', start, end);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      const c: Candidate = { lineNo: lineNo + 1, line, keywords };
      if (!isHeader(line)) {
        const h = this.lookback(s, start);
        if (h !== undefined) c.header = h;
      }
      this.onCandidate(c);
    };
    if (re && this.search) {
      // Sampled search for the lines that hold a keyword; the regex runs on those lines only.
      for (let p = this.search.find(seg, 0); p !== -1; ) {
        const start = s.lastIndexOf('\n', p) + 1;
        let end = s.indexOf('\n', p);
        if (end === -1) end = s.length;
        const text = s.slice(start, end);
        const keywords: string[] = [];
        re.lastIndex = 0;
        for (let m = re.exec(text); m !== null; m = re.exec(text)) keywords.push(m[0]);
        if (keywords.length) candidate(start, end, keywords);
        p = end + 1 < seg.length ? this.search.find(seg, end + 1) : -1;
      }
    } else if (re) {
      re.lastIndex = 0;
      let m = re.exec(s);
      while (m !== null) {
        const start = s.lastIndexOf('\n', m.index) + 1;
        let end = s.indexOf('\n', m.index);
        if (end === -1) end = s.length;
        // Every keyword of the line, in the same pass: the next match beyond the line is the next candidate.
        const keywords = [m[0]];
        let next: RegExpExecArray | null;
        while ((next = re.exec(s)) !== null && next.index < end) keywords.push(next[0]);
        candidate(start, end, keywords);
        m = next;
      }
    }
    for (let p = s.indexOf('\n', counted); p !== -1; p = s.indexOf('\n', p + 1)) lineNo++;
    this.lines = lineNo;
    const tailStart = s.lastIndexOf('\n', s.length - 2) + 1;
    this.lastLine = s.slice(tailStart, s.length - 1);
    this.prev = s.length > LOOKBACK_BYTES ? s.slice(s.length - LOOKBACK_BYTES) : s;
  }

  /** The header line of the entry that the line at `start` continues, if near. */
  private lookback(s: string, start: number): string | undefined {
    let end = start - 1;
    for (let i = 0; i < LOOKBACK_LINES && end > 0 && start - end < LOOKBACK_BYTES; i++) {
      const b = s.lastIndexOf('\n', end - 1) + 1;
      const l = latin1ToUtf8(s.slice(b, end));
      if (isHeader(l)) return l.replace(/\r$/, '');
      end = b - 1;
    }
    if (end <= 0 && this.prev) {
      // The entry started in the previous chunk.
      const p = this.prev;
      let e = p.length - 1;
      for (let i = 0; i < LOOKBACK_LINES && e > 0; i++) {
        const b = p.lastIndexOf('\n', e - 1) + 1;
        const l = latin1ToUtf8(p.slice(b, e));
        if (isHeader(l)) return l.replace(/\r$/, '');
        if (b === 0) break;
        e = b - 1;
      }
    }
    return undefined;
  }
}

function latin1ToUtf8(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const UTC_RE = /UTCTime="(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:[,.](\d{1,6}))?"/;
const ISO_RE = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?\s?(Z|[+-]\d\d:?\d\d)?/;
const SYSLOG_RE = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)/;

/**
 * Time of a log entry in ms since the epoch: Expressway's `UTCTime="..."` first
 * (it is UTC), then a leading ISO-8601 stamp (no offset: taken as UTC), then a
 * syslog/Prosody `Mon dd hh:mm:ss` stamp, which has no year: the year of `refYear`
 * (the current year unless it would lie in the future).
 */
export function parseTime(text: string, now = Date.now()): number | undefined {
  let m = UTC_RE.exec(text);
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0);
  m = ISO_RE.exec(text);
  if (m) {
    const frac = m[3] ? `.${m[3].slice(0, 3).padEnd(3, '0')}` : '';
    const off = m[4] ? (m[4] === 'Z' ? 'Z' : m[4].length === 5 ? `${m[4].slice(0, 3)}:${m[4].slice(3)}` : m[4]) : 'Z';
    const t = Date.parse(`${m[1]}T${m[2]}${frac}${off}`);
    return Number.isNaN(t) ? undefined : t;
  }
  m = SYSLOG_RE.exec(text);
  if (m && MONTHS[m[1]!] !== undefined) {
    const year = new Date(now).getUTCFullYear();
    let t = Date.UTC(year, MONTHS[m[1]!]!, +m[2]!.trim(), +m[3]!, +m[4]!, +m[5]!);
    if (t > now + 86_400_000) t = Date.UTC(year - 1, MONTHS[m[1]!]!, +m[2]!.trim(), +m[3]!, +m[4]!, +m[5]!);
    return t;
  }
  return undefined;
}

const EXPRESSWAY_RE = /(?:^|\s)(?:tvcs|alarm|XCP_[A-Z0-9_]+(?:\[\d+\])?):|UTCTime="/;
const PROSODY_RE = /^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d )?\S+\s+(?:debug|info|warn|error)\t|\bprosody\[\d+\]: /;
const METRONOME_RE = /\bmetronome(?:\[\d+\]: |\/)/;
const EJABBERD_RE = /\[(?:debug|info|notice|warning|error|critical)\] <\d+\.\d+\.\d+>/;
const MONGOOSE_RE = /\bmongoose(?:im|_)/i;
const JABBERD2_RE = /\bjabberd\/(?:s2s|c2s|sm|router)\[\d+\]:|^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} (?:\[\w+\] \[\d+\]|[\w.]+\.c:\d+ )/;
const OPENFIRE_RE = /^\d{4}\.\d\d\.\d\d \d\d:\d\d:\d\d|org\.jivesoftware\./;
/** IM&P XCP trace lines carry the time only: `HH:MM:SS.mmm |level component …`. */
const IMP_TRACE_RE = /^\d\d:\d\d:\d\d\.\d{3} \|\w+ /;
const TIGASE_RE = /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}\] \[(?:SEVERE|WARNING|INFO|CONFIG|FINEST|FINER|FINE)\s*\]|\btigase\.(?:server|xmpp|net)\./;

/** Which product wrote a line, from its shape; `hint` comes from the file's path. */
export function lineProduct(text: string, hint: Product | undefined): Product | undefined {
  if (hint === 'imp') return 'imp';
  if (IMP_TRACE_RE.test(text)) return 'imp';
  if (EXPRESSWAY_RE.test(text)) return 'expressway';
  if (EJABBERD_RE.test(text)) return hint === 'mongooseim' || MONGOOSE_RE.test(text) ? 'mongooseim' : 'ejabberd';
  if (PROSODY_RE.test(text)) return hint === 'metronome' || METRONOME_RE.test(text) ? 'metronome' : 'prosody';
  if (JABBERD2_RE.test(text)) return 'jabberd2';
  if (OPENFIRE_RE.test(text)) return 'openfire';
  if (TIGASE_RE.test(text)) return 'tigase';
  return hint;
}

/** IM&P trace files are recognised by their documented paths and names; the others by the product's name in the path. */
export function pathProduct(path: string): Product | undefined {
  if (/(?:^|[/!\\])(?:epas|xcp)[/\\]|rtr-jsm|xmpp-cm-|(?:^|[/!\\_.-])(?:imp|cup)(?:[/!\\_.-]|$)/i.test(path)) return 'imp';
  for (const p of ['metronome', 'prosody', 'mongooseim', 'ejabberd', 'openfire', 'jabberd2', 'tigase'] as const) if (path.toLowerCase().includes(p)) return p;
  return undefined;
}
