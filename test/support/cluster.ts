import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import type { Server } from 'socket.io';
import { createApp, type GifChat } from '../../src/app';
import { testConfig, type Config } from '../../src/config';
import { connectRedis, type Redis } from '../../src/lib/redis';
import { createLogger } from '../../src/logger';
import { assertAllAcknowledged } from './acknowledged';
import { clients, freshDatabase, listen } from './harness';
import { eventually } from './wait';

/** These tests need a real Redis: TEST_REDIS_URL, or the one on 127.0.0.1:6379 (.ci/run checks). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One process of the site: its own app, Socket.IO server, Redis clients and caches. */
export interface Node extends GifChat, ReturnType<typeof clients> {
  url: string;
}

export interface ClusterHarness {
  nodes: Node[];
  config: Config;
  close(): Promise<void>;
}

/**
 * Several app instances serving one site, as separate processes would: one database, one Redis
 * (under a prefix of their own), one upload directory, and nothing else shared.
 */
export async function startCluster(
  size: number,
  overrides: Partial<Config> = {},
): Promise<ClusterHarness> {
  const unacknowledged = await freshDatabase();
  const uploads = await mkdtemp(path.join(os.tmpdir(), 'gifchat-uploads-'));
  const config = testConfig({
    UPLOAD_DIR: uploads,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `gifchat-test-${randomBytes(6).toString('hex')}`,
    ...overrides,
  });
  const logger = createLogger('warn');
  const redises: Redis[] = [];
  const nodes: Node[] = [];
  for (let i = 0; i < size; i++) {
    const redis = await connectRedis(TEST_REDIS_URL, logger);
    redises.push(redis);
    const app = createApp({ config, logger, connection: mongoose.connection, redis });
    const url = await listen(app);
    nodes.push({ ...app, url, ...clients(url, app.server) });
  }
  await clusterReady(nodes);

  return {
    nodes,
    config,
    close: async () => {
      for (const node of nodes) for (const s of node.sockets) s.disconnect();
      for (const node of nodes) await node.close();
      // Each adapter's stream reader stops after its current blocking read (up to 1 s): an entry
      // added to the stream ends that read at once (readers skip an entry naming no namespace), so
      // no reader is left waiting on a stream that is then deleted.
      const stream = `${config.REDIS_PREFIX}:socket.io`;
      await redises[0]?.xAdd(stream, '*', { closing: '1' });
      await redises[0]?.del(stream);
      for (const redis of redises) await redis.quit();
      await mongoose.connection.dropDatabase().catch(() => undefined);
      await mongoose.disconnect();
      await rm(uploads, { recursive: true, force: true });
      assertAllAcknowledged(unacknowledged);
    },
  };
}

/**
 * Waits until every process knows the others (the adapter's heartbeats) and reads the adapter's
 * stream: a reader starts at the stream's end once its own Redis connection is up, so a broadcast
 * made before that would not reach its sockets.
 */
export async function clusterReady(nodes: { io: Server; url: string }[]): Promise<void> {
  const counts = () =>
    Promise.all(
      nodes.flatMap((n) => ['/room', '/chat'].map((nsp) => n.io.of(nsp).adapter.serverCount())),
    );
  await eventually(async () => (await counts()).every((count) => count >= nodes.length));

  const probes = nodes.map((node) => clients(node.url));
  const heard = await Promise.all(
    probes.map(async (probe) => {
      const socket = await probe.lobby();
      const from = new Set<number>();
      socket.on('probe', (i: number) => from.add(i));
      return from;
    }),
  );
  await eventually(() => {
    nodes.forEach((node, i) => node.io.of('/room').emit('probe', i));
    return heard.every((from) => from.size === nodes.length);
  });
  for (const socket of probes.flatMap((probe) => probe.sockets)) socket.disconnect();
}
