import { Chalk, type ChalkInstance } from 'chalk';
import type { Severity, Verdict } from '../core/result.js';

/** Whether to colour output: --no-color, NO_COLOR and FORCE_COLOR are honoured; otherwise only on a TTY. */
export function wantColor(flag: boolean | undefined, stream: NodeJS.WriteStream = process.stdout, env = process.env): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

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

/** Visible width of a string, ignoring ANSI colour codes. */
export function visibleWidth(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
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
