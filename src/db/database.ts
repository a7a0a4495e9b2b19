import path from 'node:path';
import mongoose from 'mongoose';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { startEmbedded, type EmbeddedDatabase } from './embedded';

export const PROJECT_ROOT = path.resolve(
  __dirname,
  '..',
  '..',
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '.',
);

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
      serverSelectionTimeoutMS: 10_000,
      // Connected before the app is built: an operation after close fails at once, never waits.
      bufferCommands: false,
    });
  } catch (err) {
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
