/* Benchmarks: each compares GifChat with a baseline doing the same job the classic way, run side by
 * side (interleaved) in one process against the same database, and reports the ratio. */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mongoose, { Types } from 'mongoose';
import request from 'supertest';
import { createApp } from '../src/app';
import { testConfig } from '../src/config';
import { startEmbedded } from '../src/db/embedded';
import { colorOf } from '../src/lib/identity';
import { NoRedis } from '../src/lib/redis';
import { createLogger } from '../src/logger';
import { Message } from '../src/models/message.model';
import { Room } from '../src/models/room.model';
import { Seat } from '../src/models/seat.model';
import { sameProcess, twoProcesses } from './delivery';

const ROOMS = 300;
const ROUNDS = 30;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function compare(
  name: string,
  ours: () => Promise<unknown>,
  baseline: () => Promise<unknown>,
) {
  await ours();
  await baseline();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    a.push(await time(ours));
    b.push(await time(baseline));
  }
  const [ma, mb] = [median(a), median(b)];
  process.stdout.write(
    `${name.padEnd(44)} gifchat ${ma.toFixed(2).padStart(8)} ms   baseline ${mb.toFixed(2).padStart(8)} ms   ratio ${(mb / ma).toFixed(1)}x\n`,
  );
}

async function main() {
  const logger = createLogger('warn');
  const url = process.env.MONGO_URL;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gifchat-bench-'));
  const db = url
    ? undefined
    : await startEmbedded({ root: path.resolve(__dirname, '..'), dataDir, logger });
  await mongoose.connect(url ?? db!.url, { dbName: `gifchat_bench_${Date.now()}` });
  const uploads = await mkdtemp(path.join(os.tmpdir(), 'gifchat-bench-up-'));
  const app = createApp({
    config: testConfig({ UPLOAD_DIR: uploads, MESSAGES_PER_10S: 1_000_000 }),
    logger,
    connection: mongoose.connection,
  });
  try {
    await app.start();
    await new Promise<void>((r) => app.server.listen(0, '127.0.0.1', r));
    const agent = request.agent(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
    const page = await agent.get('/');
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(page.text)?.[1] ?? '';

    for (let i = 0; i < ROOMS; i++) {
      await agent
        .post('/room')
        .set('x-csrf-token', csrf)
        .type('form')
        .send({ title: `room ${i}`, max: 10 });
    }
    const rooms = app.rooms.list();
    const room = rooms[0]!._id;

    // Baseline lobby: the classic app lists rooms and counts people per room on every render.
    const classicLobby = async () => {
      const docs = await Room.find({}).lean();
      const sizes = await Promise.all(docs.map((r) => Seat.countDocuments({ room: r._id })));
      return docs.map((r, i) => ({ ...r, size: sizes[i] }));
    };
    await compare(
      `lobby with ${ROOMS} rooms (GET / vs count per room)`,
      () => agent.get('/').expect(200),
      async () => {
        await classicLobby();
        await agent.get('/healthz');
      },
    );

    // Baseline send: look the room up, check membership by query, insert, then re-read the message.
    const me = { pid: 'bench', user: colorOf('bench') };
    let n = 0;
    await compare(
      'send a message (POST chat vs classic lookups)',
      () =>
        agent
          .post(`/room/${room}/chat`)
          .set('x-csrf-token', csrf)
          .send({ chat: `hi ${n++}` })
          .expect(201),
      async () => {
        await Room.findById(room).lean();
        await Seat.exists({ room: new Types.ObjectId(room) });
        const top = await Message.findOne({ room }).sort({ seq: -1 }).lean();
        const doc = await Message.create({
          room,
          seq: (top?.seq ?? 0) + 1_000_000 + n++,
          user: me.user,
          pid: me.pid,
          chat: 'hi',
        });
        await Message.findById(doc._id).lean();
        await agent.get('/healthz');
      },
    );

    // The price of several processes: the same message, heard by a tab on another process.
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const config = testConfig({ UPLOAD_DIR: uploads, MESSAGES_PER_10S: 1_000_000 });
    const one = await sameProcess(config, logger);
    const two = await twoProcesses(
      { ...config, REDIS_URL: redisUrl, REDIS_PREFIX: `gifchat-bench-${Date.now()}` },
      logger,
    ).catch((err: unknown) => {
      if (!(err instanceof NoRedis)) throw err;
      process.stdout.write(`delivery across processes: not measured (${err.message})\n`);
    });
    if (two) {
      await compare(
        'deliver a message (2 processes vs 1)',
        () => two.send(),
        () => one.send(),
      );
      await two.close();
    }
    await one.close();
  } finally {
    await app.close();
    await mongoose.connection.dropDatabase().catch(() => undefined);
    await mongoose.disconnect();
    await db?.stop();
    await rm(uploads, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
