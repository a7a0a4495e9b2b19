import { readdir } from 'node:fs/promises';
import { Message } from '../../src/models/message.model';
import {
  ask,
  GIF_BYTES,
  next,
  startHarness,
  type ChatMessage,
  type Harness,
} from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ MESSAGES_PER_10S: 1_000 });
});
afterAll(() => h.close());

test('a send repeated with its client id, over HTTP and the socket at once, makes one message', async () => {
  const alice = await h.visitor();
  const room = await alice.createRoom({ title: 'retries' });
  const tab = await alice.socket();
  expect((await ask(tab, 'join', room)).ok).toBe(true);
  const listener = await (await h.visitor()).socket();
  await ask(listener, 'join', room);
  const heard: ChatMessage[] = [];
  listener.on('chat', (m: ChatMessage) => heard.push(m));

  const cid = 'retry-0123456789';
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      i % 2
        ? alice.agent
            .post(`/room/${room}/chat`)
            .set('x-csrf-token', alice.csrf)
            .send({ chat: 'once, please', cid })
            .then((res) => res.body as ChatMessage)
        : ask<ChatMessage>(tab, 'chat', { chat: 'once, please', cid }).then((res) => res.data!),
    ),
  );
  expect(new Set(answers.map((m) => m._id)).size).toBe(1);
  expect(answers.every((m) => m.cid === cid && m.chat === 'once, please')).toBe(true);
  expect(await Message.countDocuments({ room, cid })).toBe(1);
  // A later message proves the room's broadcasts are flowing; the repeat was heard once.
  const later = next<ChatMessage>(listener, 'chat', (m) => m.chat === 'next');
  await ask(tab, 'chat', { chat: 'next', cid: 'retry-next-000000' });
  await later;
  expect(heard.filter((m) => m.cid === cid)).toHaveLength(1);
  // Different people may use the same client id: it is theirs alone.
  const bob = await h.visitor();
  await bob.agent.get(`/room/${room}`).expect(200);
  const bobs = await bob.agent
    .post(`/room/${room}/chat`)
    .set('x-csrf-token', bob.csrf)
    .send({ chat: 'mine', cid });
  expect(bobs.status).toBe(201);
  expect(bobs.body._id).not.toBe(answers[0]!._id);
});

test('a GIF upload retried with its client id keeps one message and one file', async () => {
  const alice = await h.visitor();
  const room = await alice.createRoom({ title: 'gif retries' });
  const upload = () =>
    alice.agent
      .post(`/room/${room}/gif`)
      .set('x-csrf-token', alice.csrf)
      .field('cid', 'gif-retry-00000001')
      .attach('gif', GIF_BYTES, { filename: 'a.gif', contentType: 'image/gif' });
  const first = await upload();
  const second = await upload();
  expect(first.status).toBe(201);
  expect(second.status).toBe(201);
  expect(second.body._id).toBe(first.body._id);
  expect(await Message.countDocuments({ room, gif: { $exists: true } })).toBe(1);
  expect((await readdir(h.config.UPLOAD_DIR)).filter((f) => f.endsWith('.gif'))).toHaveLength(1);
});

test('a malformed client id is refused and saves nothing', async () => {
  const alice = await h.visitor();
  const room = await alice.createRoom({ title: 'bad ids' });
  for (const cid of ['', 'short', 'x'.repeat(65), 'has space 12345', { $ne: 1 }]) {
    const res = await alice.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', alice.csrf)
      .send({ chat: 'hello', cid });
    expect(res.status).toBe(400);
  }
  expect(await Message.countDocuments({ room, chat: 'hello' })).toBe(0);
});
