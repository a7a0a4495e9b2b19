/* What serving one site from two processes costs: a message posted to one process and heard by a
 * tab on the other (through Redis), against the same message heard by a tab on the same process. */
import mongoose from 'mongoose';
import { createApp, type GifChat } from '../src/app';
import type { Config } from '../src/config';
import { connectRedis, type Redis } from '../src/lib/redis';
import type { Logger } from '../src/logger';
import { clusterReady } from '../test/support/cluster';
import { ask, clients, listen, next } from '../test/support/harness';

export interface Delivery {
  /** Posts a message through one process; resolves when the listening tab has it. */
  send(): Promise<void>;
  close(): Promise<void>;
}

async function start(config: Config, logger: Logger, redis?: Redis) {
  const app = createApp({ config, logger, connection: mongoose.connection, redis });
  return { app, url: await listen(app) };
}

/** A room made through the first app and a tab listening in it through the last. */
async function delivery(
  apps: { app: GifChat; url: string }[],
  after: () => unknown,
): Promise<Delivery> {
  const [posting, listening] = [apps[0]!, apps[apps.length - 1]!];
  const [here, there] = [clients(posting.url), clients(listening.url)];
  const poster = await here.visitor();
  const room = await poster.createRoom({ title: 'delivery' });
  const listener = await there.visitor();
  await listener.agent.get(`/room/${room}`).expect(200);
  const tab = await listener.socket();
  await ask(tab, 'join', room);
  let n = 0;
  return {
    send: async () => {
      const text = `m${n++}`;
      const heard = next(tab, 'chat', (m) => m.chat === text, 10_000);
      await poster.agent
        .post(`/room/${room}/chat`)
        .set('x-csrf-token', poster.csrf)
        .send({ chat: text })
        .expect(201);
      await heard;
    },
    close: async () => {
      for (const socket of [...here.sockets, ...there.sockets]) socket.disconnect();
      for (const { app } of apps) await app.close();
      await after();
    },
  };
}

/** One process posting and delivering. */
export async function sameProcess(config: Config, logger: Logger): Promise<Delivery> {
  return delivery([await start(config, logger)], () => undefined);
}

/** Two processes sharing one Redis: posted to the first, heard on the second. */
export async function twoProcesses(config: Config, logger: Logger): Promise<Delivery> {
  const redises = await Promise.all([1, 2].map(() => connectRedis(config.REDIS_URL!, logger)));
  const apps = await Promise.all(redises.map((redis) => start(config, logger, redis)));
  await clusterReady(apps.map(({ app, url }) => ({ io: app.io, url })));
  return delivery(apps, async () => {
    await redises[0]!.del(`${config.REDIS_PREFIX}:socket.io`);
    for (const redis of redises) await redis.quit();
  });
}
