/* The one FerretDB every server of a run uses (the project's embedded launcher), with a fresh
 * database per measurement. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { startEmbedded } from '../../src/db/embedded';
import { createLogger } from '../../src/logger';
import { ROOT } from './process';

export interface BenchDatabase {
  /** mongodb://host:port/NAME for a server of this run. */
  urlOf(name: string): string;
  /** The named database through the driver (seeding, checks). */
  db(name: string): Db;
  drop(name: string): Promise<void>;
  stop(): Promise<void>;
}

let counter = 0;
/** A database name unused in this run. */
export const freshName = (what: string) => `bench_${what}_${process.pid}_${counter++}`;

export async function startDatabase(): Promise<BenchDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gifchat-bench-db-'));
  // FerretDB over SQLite, the embedded database `npm start` uses where no mongod can be had.
  process.env.GIFCHAT_EMBEDDED = 'ferretdb';
  const embedded = await startEmbedded({ root: ROOT, dataDir, logger: createLogger('warn') });
  const client = await MongoClient.connect(embedded.url);
  const base = embedded.url.replace(/\/$/, '');
  return {
    urlOf: (name) => `${base}/${name}`,
    db: (name) => client.db(name),
    drop: async (name) => void (await client.db(name).dropDatabase()),
    stop: async () => {
      await client.close();
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
