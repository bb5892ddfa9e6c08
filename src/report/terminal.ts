/**
 * What the terminal asks for: colour or not, and the width to wrap human text to. Kept apart
 * from style.ts (chalk, string-width: string-width builds an Intl.Segmenter when loaded, ~25 ms)
 * so that a run writing JSON loads neither.
 */
/** Whether to colour output: --no-color, NO_COLOR and FORCE_COLOR are honoured; otherwise only on a TTY. */
export function wantColor(flag: boolean | undefined, stream: NodeJS.WriteStream = process.stdout, env = process.env): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

/** Human text is wrapped to this when nothing says otherwise (not a terminal, no COLUMNS). */
export const DEFAULT_WIDTH = 80;

/** The width human text is wrapped to: the terminal's, else `COLUMNS`, else 80 (never under 40). */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout, env = process.env): number {
  const cols = stream.isTTY && stream.columns ? stream.columns : Number.parseInt(env.COLUMNS ?? '', 10);
  return Number.isFinite(cols) && cols > 0 ? Math.max(40, cols) : DEFAULT_WIDTH;
}
