/**
 * Progress on stderr: an ora spinner, only on an interactive terminal.
 * Checks report progress through a plain callback and never touch the terminal.
 */
import { sanitizeLine } from './sanitize.js';

export interface Progress {
  update(done: number, total: number, label?: string): void;
  stop(): void;
  /** Clears the spinner's line (it comes back on its next frame), before other text is written. */
  clear(): void;
}

const silent: Progress = { update() {}, stop() {}, clear() {} };

export async function startProgress(text: string, enabled: boolean, color: boolean): Promise<Progress> {
  // A terminal that reports no width (e.g. `script` without a size) makes ora redraw endlessly.
  if (!enabled || !process.stderr.isTTY || !(process.stderr.columns > 0) || process.env.CI) return silent;
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream: process.stderr, color: color ? 'cyan' : false, isEnabled: true }).start();
  return {
    update(done, total, label) {
      spinner.text = `${text} ${done}/${total}${label ? ` ${sanitizeLine(label)}` : ''}`;
    },
    stop() {
      spinner.stop();
    },
    clear() {
      if (spinner.isSpinning) spinner.clear();
    },
  };
}
