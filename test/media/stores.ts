import { readdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { MongoClient, type Db } from 'mongodb';
import { GridFsStore } from '../../src/media/gridfs-store';
import { LocalStore } from '../../src/media/local-store';
import type { MediaStore } from '../../src/media/store';
import { tempDir } from './fixtures';

export interface StoreUnderTest {
  store: MediaStore;
  /** Names of leftovers that no reader sees: temp files, orphan chunks. */
  leftovers(): Promise<number>;
  /** How many objects readers can see. */
  objects(): Promise<number>;
  close(): Promise<void>;
}

export async function localStore(): Promise<StoreUnderTest> {
  const tmp = await tempDir('store');
  const store = new LocalStore(tmp.dir);
  return {
    store,
    leftovers: async () => (await readdir(tmp.dir)).filter((n) => n.startsWith('.tmp-')).length,
    objects: async () => (await readdir(tmp.dir)).filter((n) => !n.startsWith('.tmp-')).length,
    close: tmp.remove,
  };
}

/** A GridFS store in a fresh database of the test server, dropped on close. */
export async function gridFsStore(label: string): Promise<StoreUnderTest & { db: Db }> {
  const url = process.env.TEST_MONGO_URL;
  if (!url) throw new Error('TEST_MONGO_URL is set by the global setup');
  const client = await MongoClient.connect(url);
  const db = client.db(`media_${label}_${process.pid}_${Date.now().toString(36)}`);
  const store = new GridFsStore(db);
  return {
    store,
    db,
    // Chunks whose files document does not exist: left by a failed or losing upload.
    leftovers: async () => {
      const ids = await db.collection('media.files').distinct('_id');
      return db.collection('media.chunks').countDocuments({ files_id: { $nin: ids } });
    },
    objects: () => db.collection('media.files').countDocuments(),
    close: async () => {
      await db.dropDatabase();
      await client.close();
    },
  };
}

/** Every store, for `describe.each`: each suite runs against a directory and against GridFS. */
export const eachStore = (label: string) =>
  [
    ['LocalStore', localStore],
    ['GridFsStore', () => gridFsStore(label)],
  ] as const;

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
