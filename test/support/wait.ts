import type { Socket } from 'socket.io-client';

/**
 * Waiting for things, the one way tests do it: for the event itself, never for a duration. A
 * deadline only bounds a failure (so a stuck test names what it waited for); it is never an
 * assertion, so it is generous: a loaded 2-core CI machine may take seconds for what takes
 * milliseconds on a quiet one.
 */

/** Default bound of every wait: far above any real delay, well under jest's test timeout. */
export const WITHIN_MS = 20_000;

export interface Bound {
  /** Milliseconds after which the wait fails (default WITHIN_MS). */
  within?: number;
  /** What is awaited, for the failure message. */
  what?: string;
}

/** A short description of a check, for a failure message that did not name it. */
const describe = (check: () => unknown): string =>
  check.toString().replace(/\s+/g, ' ').slice(0, 160);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns something truthy (and resolves with it), or fails after `within`
 * naming `what` and the check's last error (a check may throw, e.g. an `expect`, to mean "not yet").
 * For what the test cannot await directly: timers in the app, state another process applies.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  { within = WITHIN_MS, every = 25, what }: Bound & { every?: number } = {},
): Promise<NonNullable<T>> {
  const end = Date.now() + within;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = `the check returned ${String(value)}`;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) {
      const reason = last instanceof Error ? last.message : String(last);
      throw new Error(`not within ${within} ms: ${what ?? describe(check)}\n  last: ${reason}`);
    }
    await pause(every);
  }
}

/** Resolves as `promise` does, or fails naming `what` if it has not settled after `within`. */
export function bounded<T>(promise: Promise<T>, { within = WITHIN_MS, what }: Bound): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`not within ${within} ms: ${what ?? 'a promise'}`)),
        within,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Resolves with the next `event` on `source` that `match` accepts, or fails after `within`. */
export function nextEvent<T>(
  source: Pick<Socket, 'on' | 'off'>,
  event: string,
  { match = () => true, within = WITHIN_MS, what }: Bound & { match?: (value: T) => boolean } = {},
): Promise<T> {
  let on!: (value: T) => void;
  const heard = new Promise<T>((resolve) => {
    on = (value: T) => {
      if (match(value)) resolve(value);
    };
    source.on(event, on);
  });
  return bounded(heard, { within, what: what ?? `a ${event} event` }).finally(() =>
    source.off(event, on),
  );
}
