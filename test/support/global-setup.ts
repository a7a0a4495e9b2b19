import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbedded, type EmbeddedDatabase } from '../../src/db/embedded';
import { createLogger } from '../../src/logger';

declare global {
  var __GIFCHAT_DB__: EmbeddedDatabase | undefined;
}

/** One real database for the whole run: MONGO_URL if set, else the same embedded provisioning as the app. */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGO_URL) {
    process.env.TEST_MONGO_URL = process.env.MONGO_URL;
    return;
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gifchat-test-db-'));
  const db = await startEmbedded({
    root: path.resolve(__dirname, '..', '..'),
    dataDir,
    logger: createLogger('warn'),
  });
  globalThis.__GIFCHAT_DB__ = db;
  process.env.TEST_MONGO_URL = db.url;
  process.env.TEST_DB_KIND = db.kind;
}
