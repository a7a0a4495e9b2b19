import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startEmbedded, type EmbeddedDatabase } from '../../src/db/embedded';
import { createLogger } from '../../src/logger';

/** A database of the test's own that it can stop and start again on the same address and data. */
export interface StoppableDatabase {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and deletes its data. */
  destroy(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..', '..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The run's kind of database (FerretDB here, a real mongod where one can be downloaded). */
export async function stoppableDatabase(): Promise<StoppableDatabase> {
  const address = `127.0.0.1:${await freePort()}`;
  if (process.env.TEST_DB_KIND === 'mongodb-memory-server') return memoryServer(address);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gifchat-outage-'));
  const logger = createLogger('silent');
  const launch = () => startEmbedded({ root: ROOT, dataDir, logger, address });
  let db: EmbeddedDatabase | undefined = await launch();
  return {
    url: db.url,
    stop: async () => {
      await db?.stop();
      db = undefined;
    },
    start: async () => {
      db = await launch();
    },
    destroy: async () => {
      await db?.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function memoryServer(address: string): Promise<StoppableDatabase> {
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const port = Number(address.split(':')[1]);
  const server = await MongoMemoryServer.create({ instance: { port, ip: '127.0.0.1' } });
  return {
    url: server.getUri(),
    stop: async () => void (await server.stop({ doCleanup: false })),
    start: async () => void (await server.start(true)),
    destroy: async () => void (await server.stop({ doCleanup: true, force: true })),
  };
}
