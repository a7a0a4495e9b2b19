/* What serving one site from two processes costs: a message posted to one process and heard by a
 * tab on the other (through Redis), against the same message heard by a tab on the same process. */
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import { io as connect, type Socket } from 'socket.io-client';
import request from 'supertest';
import { createApp, type GifChat } from '../src/app';
import type { Config } from '../src/config';
import { connectRedis, type Redis } from '../src/lib/redis';
import type { Logger } from '../src/logger';

export interface Delivery {
  /** Posts a message through one process; resolves when the listening tab has it. */
  send(): Promise<void>;
  close(): Promise<void>;
}

interface Browser {
  agent: request.Agent;
  csrf: string;
  cookie: string;
}

async function browser(url: string): Promise<Browser> {
  const agent = request.agent(url);
  const page = await agent.get('/').expect(200);
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const cookie = (page.headers['set-cookie'] as unknown as string[])
    .map((c) => c.split(';')[0])
    .join('; ');
  return { agent, csrf, cookie };
}

async function start(config: Config, logger: Logger, redis?: Redis) {
  const app = createApp({ config, logger, connection: mongoose.connection, redis });
  await app.start();
  await new Promise<void>((r) => app.server.listen(0, '127.0.0.1', r));
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

/** A room made through `poster`'s process and a tab listening in it through `listener`'s. */
async function delivery(postUrl: string, listenUrl: string, apps: GifChat[], after: () => unknown) {
  const poster = await browser(postUrl);
  const created = await poster.agent
    .post('/room')
    .set('x-csrf-token', poster.csrf)
    .type('form')
    .send({ title: 'delivery', max: 10 });
  const room = String(created.headers.location).split('/').pop() ?? '';
  const listener = await browser(listenUrl);
  await listener.agent.get(`/room/${room}`).expect(200);
  const tab: Socket = connect(`${listenUrl}/chat`, {
    transports: ['websocket'],
    extraHeaders: { cookie: listener.cookie },
    forceNew: true,
  });
  await new Promise<void>((resolve) => tab.emit('join', room, () => resolve()));
  let n = 0;
  const send = async (ms = 10_000) => {
    const text = `m${n++}`;
    const heard = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      tab.on('chat', function on(m: { chat?: string }) {
        if (m.chat !== text) return;
        clearTimeout(timer);
        tab.off('chat', on);
        resolve(true);
      });
    });
    await poster.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', poster.csrf)
      .send({ chat: text })
      .expect(201);
    return heard;
  };
  // A process reads the adapter's stream from when its reader connected: wait until it flows.
  for (let i = 0; !(await send(500)); i++) if (i === 20) throw new Error('no delivery');
  return {
    send: async () => {
      if (!(await send())) throw new Error('a message was not delivered');
    },
    close: async () => {
      tab.disconnect();
      for (const app of apps) await app.close();
      await after();
    },
  };
}

/** One process posting and delivering. */
export async function sameProcess(config: Config, logger: Logger): Promise<Delivery> {
  const { app, url } = await start(config, logger);
  return delivery(url, url, [app], () => undefined);
}

/** Two processes sharing one Redis: posted to the first, heard on the second. */
export async function twoProcesses(config: Config, logger: Logger): Promise<Delivery> {
  const redises = await Promise.all([1, 2].map(() => connectRedis(config.REDIS_URL!, logger)));
  const [one, two] = await Promise.all(redises.map((redis) => start(config, logger, redis)));
  return delivery(one!.url, two!.url, [one!.app, two!.app], async () => {
    await redises[0]!.del(`${config.REDIS_PREFIX}:socket.io`);
    for (const redis of redises) await redis.quit();
  });
}
