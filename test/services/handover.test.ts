import mongoose from 'mongoose';
import request from 'supertest';
import { createApp, type GifChat } from '../../src/app';
import { createLogger } from '../../src/logger';
import { Message } from '../../src/models/message.model';
import { ServerProcess } from '../../src/models/process.model';
import { HandedWindow } from '../../src/models/window.model';
import { startHarness, type Harness, type Visitor } from '../support/harness';

/**
 * A process serving the site alone hands its rooms' newest messages to the next one when it
 * closes: over FerretDB/SQLite, reading them again costs a scan of every stored message.
 */
let h: Harness;
let owner: Visitor;
let room: string;
const next: GifChat[] = [];

beforeAll(async () => {
  h = await startHarness();
  owner = await h.visitor();
  room = await owner.createRoom({ title: 'handed over' });
  for (const chat of ['one', 'two', 'three'])
    await owner.agent.post(`/room/${room}/chat`).set('x-csrf-token', owner.csrf).send({ chat });
  // Read once, so this process keeps the room's newest messages.
  await owner.agent.get(`/room/${room}/chats`).expect(200);
  await h.stop();
});
afterAll(async () => {
  for (const app of next) await app.close();
  await h.close();
});

async function restart(): Promise<GifChat> {
  const app = createApp({
    config: h.config,
    logger: createLogger('silent'),
    connection: mongoose.connection,
  });
  next.push(app);
  await app.start();
  return app;
}

const texts = async (app: GifChat) => {
  const res = await request(app.app).get(`/room/${room}/chats`).set('cookie', owner.cookie);
  expect(res.status).toBe(200);
  const { messages } = res.body as { messages: { chat?: string; seq: number }[] };
  return messages.map((m) => m.chat ?? `#${m.seq}`);
};

test('the next process starts from the windows handed over (read once), and numbers on from them', async () => {
  const handed = await HandedWindow.find({}).lean();
  expect(handed.map((w) => String(w._id))).toContain(room);
  // Taken from the database behind the processes' backs: a history page that still shows it
  // was served from the window handed over, not read again.
  const two = await Message.findOneAndDelete({ room, chat: 'two' }).lean();
  const app = await restart();
  try {
    expect(await HandedWindow.countDocuments({})).toBe(0);
    expect(await texts(app)).toEqual(expect.arrayContaining(['one', 'two', 'three']));
    const sent = await request(app.app)
      .post(`/room/${room}/chat`)
      .set('cookie', owner.cookie)
      .set('x-csrf-token', owner.csrf)
      .send({ chat: 'four' });
    expect(sent.status).toBe(201);
    const three = await Message.findOne({ room, chat: 'three' }).lean();
    expect((sent.body as { seq: number }).seq).toBe(three!.seq + 1);
  } finally {
    await Message.create(two!);
    await app.close();
  }
});

test('windows written before another process ran are not used', async () => {
  // The last close handed over again; a process started meanwhile was seen after that.
  expect(await HandedWindow.countDocuments({ _id: room })).toBe(1);
  await ServerProcess.create({ _id: 'overlapping', seen: new Date(Date.now() + 1_000) });
  const gone = await Message.findOneAndDelete({ room, chat: 'one' }).lean();
  const app = await restart();
  expect(await HandedWindow.countDocuments({})).toBe(0);
  // Read from the database: what it holds now.
  const shown = await texts(app);
  expect(shown).not.toContain('one');
  expect(shown).toEqual(expect.arrayContaining(['two', 'three', 'four']));
  await Message.create(gone!);
});
