import { randomBytes } from 'node:crypto';
import { ConnectionStates, type default as mongoose } from 'mongoose';
import type { SweepTask } from '../services/sweeper';

const PROBE_TIMEOUT_MS = 2_000;
const PROBE_CACHE_MS = 1_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Whether the database answers commands correctly, not merely whether the socket is open: a probe
 * writes a fresh nonce to this process's own document and reads it back. A reply meant for another
 * command (the symptom of an unacknowledged write on FerretDB), a failing write (disk full) or a
 * server that stopped answering all read as "down". Probes are shared for a second, so a busy
 * monitor cannot turn health checks into load.
 */
export function databaseHealth(connection: mongoose.Connection): {
  check: () => Promise<boolean>;
  /** Forgets the probe documents of processes gone for a day. */
  expiry: SweepTask;
} {
  const key = `${process.pid}-${randomBytes(6).toString('hex')}`;
  let last: { at: number; result: Promise<boolean> } | undefined;

  const probe = async (): Promise<boolean> => {
    if (connection.readyState !== ConnectionStates.connected) return false;
    const health = connection.collection<{ _id: string; nonce: string; at: Date }>('health');
    const nonce = randomBytes(8).toString('hex');
    const work = (async () => {
      await health.replaceOne(
        { _id: key },
        { nonce, at: new Date() },
        { upsert: true, maxTimeMS: PROBE_TIMEOUT_MS },
      );
      const doc = await health.findOne({ _id: key }, { maxTimeMS: PROBE_TIMEOUT_MS });
      return doc?.nonce === nonce;
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([work.catch(() => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    check: () => {
      const now = Date.now();
      if (!last || now - last.at > PROBE_CACHE_MS) last = { at: now, result: probe() };
      return last.result;
    },
    expiry: {
      name: 'health probes',
      everyMs: 60 * 60_000,
      run: (now) =>
        connection.collection('health').deleteMany({ at: { $lt: new Date(now - DAY_MS) } }),
    },
  };
}
