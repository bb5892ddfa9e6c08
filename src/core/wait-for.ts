/**
 * One way to wait for an event with a deadline (as xmpp.js's `promise(emitter, event, reject, timeout)`):
 * resolves with the event's first argument, rejects with the error of a failing event, or
 * with TimeoutError after `ms`. Listeners and the timer are removed whichever comes first.
 */
import type { EventEmitter } from 'node:events';
import { TimeoutError } from './errors.js';

export interface WaitForOptions {
  /** The phase named by the TimeoutError (default: the event's name). */
  phase?: string;
  /**
   * Events that end the wait with an error, and the error each one gives (default: `error`
   * with its own argument). An empty object waits for `event` or the timeout only.
   */
  fail?: Record<string, (...args: unknown[]) => Error>;
  /** Called once the wait timed out, before the promise rejects (e.g. to destroy a socket). */
  onTimeout?: () => void;
}

export function waitFor<T = unknown>(emitter: EventEmitter, event: string, ms: number, opts: WaitForOptions = {}): Promise<T> {
  const fail = opts.fail ?? { error: (e: unknown) => (e instanceof Error ? e : new Error(String(e))) };
  return new Promise<T>((resolve, reject) => {
    const handlers: Array<[string, (...args: unknown[]) => void]> = [];
    const done = (): void => {
      clearTimeout(timer);
      for (const [name, h] of handlers) emitter.off(name, h);
    };
    const timer = setTimeout(() => {
      done();
      opts.onTimeout?.();
      reject(new TimeoutError(opts.phase ?? event, ms));
    }, ms);
    const on = (name: string, h: (...args: unknown[]) => void): void => {
      handlers.push([name, h]);
      emitter.on(name, h);
    };
    on(event, (value: unknown) => {
      done();
      resolve(value as T);
    });
    for (const [name, make] of Object.entries(fail)) {
      on(name, (...args: unknown[]) => {
        done();
        reject(make(...args));
      });
    }
  });
}

/** The promise's value, or undefined if it has not settled within `ms` (the timer is cleared either way). */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
