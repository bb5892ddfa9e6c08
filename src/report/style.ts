import { Chalk, type ChalkInstance } from 'chalk';
import stringWidth from 'string-width';
import type { Severity, Verdict } from '../core/result.js';

// Colour and width decisions live in terminal.ts (no dependency: JSON output loads only that).
export { DEFAULT_WIDTH, terminalWidth, wantColor } from './terminal.js';

export interface Style {
  c: ChalkInstance;
  color: boolean;
  sev(sev: Severity): string;
  verdict(v: Verdict): string;
}

const SEV_LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARN ', info: 'INFO ' };

export function makeStyle(color: boolean): Style {
  const c = new Chalk({ level: color ? 1 : 0 });
  return {
    c,
    color,
    sev(sev) {
      const label = SEV_LABEL[sev];
      return sev === 'error' ? c.red.bold(label) : sev === 'warning' ? c.yellow.bold(label) : c.cyan(label);
    },
    verdict(v) {
      return v === 'error' ? c.red.bold('FAIL') : v === 'warning' ? c.yellow.bold('WARN') : c.green.bold('OK');
    },
  };
}

/** Columns a string takes in a terminal: ANSI colour codes take none, CJK and most emoji two. */
export function visibleWidth(s: string): number {
  return stringWidth(s);
}


/**
 * Wraps every line of a text wider than `width` at spaces, by display width; continuation
 * lines start at `hang` columns (default: the line's indentation plus two). Tokens wider than
 * the line (URLs, XML, paths) stay whole. Tables are not given to it: they stay aligned.
 */
export function fitToWidth(text: string, width: number, hang?: number): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (visibleWidth(line) <= width) {
      out.push(line);
      continue;
    }
    const indent = /^\s*/.exec(line)![0];
    let prefix = indent;
    let cur = '';
    for (const word of line.slice(indent.length).split(' ')) {
      const candidate = cur ? `${cur} ${word}` : word;
      if (cur && visibleWidth(prefix + candidate) > width) {
        out.push(prefix + cur);
        prefix = ' '.repeat(hang ?? indent.length + 2);
        cur = word;
      } else cur = candidate;
    }
    out.push(prefix + cur);
  }
  return out.join('\n');
}

/** Renders rows as an aligned text table; the first row is the header. */
export function table(rows: string[][], style: Style, indent = ''): string[] {
  if (rows.length === 0) return [];
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(cell))));
  return rows.map((row, r) => {
    const line = row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleWidth(cell))))
      .join('  ')
      .trimEnd();
    return indent + (r === 0 ? style.c.bold(line) : line);
  });
}

export function ms(n: number | undefined): string {
  if (n === undefined) return '-';
  return n < 10 ? `${n.toFixed(1)} ms` : `${Math.round(n)} ms`;
}
