import { createClient } from 'redis';
import type { Logger } from '../logger';

/** Startup could not reach Redis: one line naming the way out, like a missing database. */
export class NoRedis extends Error {}

/**
 * Connects to Redis. The first connection must succeed (so a typo fails at start, not later);
 * after that, a lost connection is retried with backoff while the app keeps running.
 */
export async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const state = { ready: false };
  const client = newClient(url, state);
  client.on('error', (err: unknown) => {
    if (state.ready) logger.warn('redis connection trouble', { err: String(err) });
  });
  try {
    await client.connect();
  } catch (err) {
    throw new NoRedis(
      `cannot reach Redis at ${redactUrl(url)} (${String(err)}): start it, fix REDIS_URL, or unset REDIS_URL to run one process`,
    );
  }
  state.ready = true;
  return client;
}

const newClient = (url: string, state: { ready: boolean }) =>
  createClient({
    url,
    socket: {
      connectTimeout: 5_000,
      reconnectStrategy: (retries: number, cause: Error) =>
        state.ready ? Math.min(100 * 2 ** retries, 5_000) : cause,
    },
  });

export type Redis = ReturnType<typeof newClient>;

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}
