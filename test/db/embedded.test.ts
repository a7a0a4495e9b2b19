import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { ensureFerretBinary, NoDatabase } from '../../src/db/embedded';
import { createLogger } from '../../src/logger';

test('without a binary and without Go, provisioning fails with the one line naming the way out', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'gifchat-nogo-'));
  try {
    const attempt = ensureFerretBinary({ root, logger: createLogger('silent'), goSearch: [] });
    await expect(attempt).rejects.toBeInstanceOf(NoDatabase);
    await expect(attempt).rejects.toThrow(/^no database: set MONGO_URL or install Go$/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the database the run provisioned is a real server speaking the MongoDB protocol', async () => {
  const conn = await mongoose
    .createConnection(process.env.TEST_MONGO_URL!, { dbName: 'gifchat_probe' })
    .asPromise();
  try {
    const hello = await conn.db!.admin().command({ hello: 1 });
    expect(hello.isWritablePrimary ?? hello.ismaster).toBe(true);
  } finally {
    await conn.close();
  }
});
