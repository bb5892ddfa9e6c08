/**
 * Ctrl-C (SIGINT, SIGTERM): the running command reports what it gathered so far, says it was
 * interrupted, and xfed exits 130. A command that can do so registers a handler while it works;
 * without one (or on a second Ctrl-C) xfed exits 130 at once.
 */
let handler: (() => Promise<void>) | undefined;
let hit = false;

/** Registers (or, with undefined, removes) what Ctrl-C does for the running command. */
export function onInterrupt(h: (() => Promise<void>) | undefined): void {
  handler = h;
}

/** Whether Ctrl-C was pressed during this run. */
export function interrupted(): boolean {
  return hit;
}

/** Runs the command's handler once; false when there is none (the caller exits at once). */
export async function interrupt(): Promise<boolean> {
  if (hit || !handler) {
    hit = true;
    return false;
  }
  hit = true;
  await handler();
  return true;
}

/** The line printed on stderr after a partial report. */
export function interruptedLine(done: number, total: number): string {
  return `xfed: interrupted: ${done} of ${total} target${total === 1 ? '' : 's'} done; the report has those (exit 130)\n`;
}
