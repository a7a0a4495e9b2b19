import path from 'node:path';
import mongoose from 'mongoose';
import { ConfigError, type Config } from '../config';
import type { Logger } from '../logger';
import { startEmbedded, type EmbeddedDatabase } from './embedded';

export const PROJECT_ROOT = path.resolve(
  __dirname,
  '..',
  '..',
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '.',
);

/**
 * How the app talks to its database during an outage: a request waits at most a few seconds for a
 * server and then answers 503 (never hangs), and a server that comes back is noticed within a
 * second or two. Connected before the app is built: an operation after close fails at once.
 */
export const CONNECTION_OPTIONS = {
  serverSelectionTimeoutMS: 3_000,
  heartbeatFrequencyMS: 1_000,
  connectTimeoutMS: 3_000,
  bufferCommands: false,
} as const;

export interface Database {
  connection: mongoose.Connection;
  embedded?: EmbeddedDatabase;
  close(): Promise<void>;
}

/** MONGO_URL when set, otherwise an embedded database this process starts and stops. */
export async function openDatabase(
  config: Config,
  logger: Logger,
  dbName = 'gifchat',
): Promise<Database> {
  const embedded = config.MONGO_URL
    ? undefined
    : await startEmbedded({
        root: PROJECT_ROOT,
        dataDir: path.resolve(PROJECT_ROOT, config.DATA_DIR, 'ferretdb'),
        logger,
      });
  const url = config.MONGO_URL ?? embedded!.url;
  try {
    await mongoose.connect(url, {
      dbName: config.MONGO_URL ? undefined : dbName,
      ...CONNECTION_OPTIONS,
    });
    refuseUnacknowledgedWrites(mongoose.connection);
  } catch (err) {
    await mongoose.disconnect().catch(() => undefined);
    await embedded?.stop();
    throw err;
  }
  return {
    connection: mongoose.connection,
    embedded,
    close: async () => {
      await mongoose.disconnect();
      await embedded?.stop();
    },
  };
}

/**
 * A MONGO_URL asking for `w=0` would make every write unacknowledged; FerretDB answers those
 * anyway, and the driver hands that answer to the next command (another person's session).
 */
function refuseUnacknowledgedWrites(connection: mongoose.Connection): void {
  if (connection.getClient().options.writeConcern?.w === 0)
    throw new ConfigError('MONGO_URL asks for unacknowledged writes (w=0): remove that option');
}
