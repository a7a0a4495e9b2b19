import mongoose from 'mongoose';
import { Message } from '../../src/models/message.model';
import { startHarness, type ChatMessage, type Harness, type Visitor } from '../support/harness';

let h: Harness;
let owner: Visitor;
let room: string;
beforeAll(async () => {
  h = await startHarness({ MESSAGES_PER_10S: 10_000 });
  owner = await h.visitor();
  room = await owner.createRoom({ title: 'talk' });
});
afterAll(() => h.close());

const say = (v: Visitor, chat: unknown, id = room) =>
  v.agent.post(`/room/${id}/chat`).set('x-csrf-token', v.csrf).send({ chat });

test('a participant sends text: saved, pushed as chat, answered with the saved message', async () => {
  const res = await say(owner, '  hello there  ');
  expect(res.status).toBe(201);
  const message = res.body as ChatMessage;
  expect(message).toMatchObject({ room, chat: 'hello there', seq: expect.any(Number) });
  expect(message.user).toMatch(/^#[0-9a-f]{6}$/);
  expect(await Message.exists({ _id: message._id })).toBeTruthy();
  expect(h.events.chat?.some(([r, m]) => r === room && m._id === message._id)).toBe(true);
});

test('a form post redirects back to the room', async () => {
  const res = await owner.agent
    .post(`/room/${room}/chat`)
    .type('form')
    .send({ chat: 'from a form', _csrf: owner.csrf });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe(`/room/${room}`);
});

test.each([
  ['empty', ''],
  ['blank', '   \n '],
  ['too long', 'x'.repeat(1001)],
  ['a number', 42],
  ['an object', { $gt: '' }],
  ['missing', undefined],
])('%s text is refused with 400 and nothing is stored', async (_label, chat) => {
  const before = await Message.countDocuments({ room });
  const res = await say(owner, chat);
  expect(res.status).toBe(400);
  expect(res.body.error.message).toBeTruthy();
  expect(await Message.countDocuments({ room })).toBe(before);
});

test('1000 characters after trimming are accepted', async () => {
  const res = await say(owner, ` ${'y'.repeat(1000)} `);
  expect(res.status).toBe(201);
  expect(res.body.chat).toHaveLength(1000);
});

test('someone who is not in the room cannot post or read history', async () => {
  const stranger = await h.visitor();
  const before = await Message.countDocuments({ room });
  expect((await say(stranger, 'let me in')).status).toBe(403);
  expect(
    (await stranger.agent.get(`/room/${room}/chats`).set('accept', 'application/json')).status,
  ).toBe(403);
  expect(await Message.countDocuments({ room })).toBe(before);
});

test('malformed and unknown room ids are 404, an oversized body 413, bad JSON 400', async () => {
  expect((await say(owner, 'x', 'not-an-id')).status).toBe(404);
  expect((await say(owner, 'x', '0123456789abcdef01234567')).status).toBe(404);
  const big = await owner.agent
    .post(`/room/${room}/chat`)
    .set('x-csrf-token', owner.csrf)
    .send({ chat: 'x'.repeat(40_000) });
  expect(big.status).toBe(413);
  const bad = await owner.agent
    .post(`/room/${room}/chat`)
    .set('x-csrf-token', owner.csrf)
    .set('content-type', 'application/json')
    .send('{"chat":');
  expect(bad.status).toBe(400);
});

test('HTML in messages comes back escaped in the page', async () => {
  await say(owner, '<img src=x onerror=alert(1)>');
  const page = await owner.agent.get(`/room/${room}`).expect(200);
  expect(page.text).not.toContain('<img src=x onerror=alert(1)>');
  expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
});

test('concurrent senders get distinct, increasing sequence numbers', async () => {
  const people = [owner, ...(await Promise.all([1, 2, 3].map(() => h.visitor())))];
  for (const p of people.slice(1)) await p.agent.get(`/room/${room}`).expect(200);
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) => say(people[i % people.length]!, `burst ${i}`)),
  );
  expect(results.every((r) => r.status === 201)).toBe(true);
  const seqs = results.map((r) => (r.body as ChatMessage).seq);
  expect(new Set(seqs).size).toBe(40);
  const stored = await Message.find({ room }).sort({ seq: 1 }).lean();
  const all = stored.map((m) => m.seq);
  expect(new Set(all).size).toBe(all.length);
  expect(all).toEqual([...all].sort((a, b) => a - b));
});

test('history: the page shows the latest 50, older pages come from ?before=SEQ', async () => {
  const h2 = await h.visitor();
  const id = await h2.createRoom({ title: 'long history' });
  for (let i = 1; i <= 120; i++) expect((await say(h2, `m${i}`, id)).status).toBe(201);
  const page = await h2.agent.get(`/room/${id}`).expect(200);
  const rendered = [...page.text.matchAll(/data-seq="(\d+)"/g)].map((m) => Number(m[1]));
  expect(rendered).toHaveLength(50);
  expect(page.text).toContain('>m120<');
  expect(page.text).not.toContain('>m70<');

  const first = Math.min(...rendered);
  const older = await h2.agent.get(`/room/${id}/chats?before=${first}`).expect(200);
  const seqs = (older.body.messages as ChatMessage[]).map((m) => m.seq);
  expect(seqs).toHaveLength(50);
  expect(Math.max(...seqs)).toBe(first - 1);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(older.body.more).toBe(true);

  const oldest = await h2.agent.get(`/room/${id}/chats?before=${Math.min(...seqs)}`).expect(200);
  expect(oldest.body.messages.length).toBeLessThan(50);
  expect(oldest.body.more).toBe(false);

  for (const before of ['abc', '-1', '1.5', '1e400']) {
    expect((await h2.agent.get(`/room/${id}/chats?before=${before}`)).status).toBe(400);
  }
});

test('a person keeps one colour across requests and sockets; another person has another', async () => {
  const first = await say(owner, 'one');
  const second = await say(owner, 'two');
  expect(second.body.user).toBe(first.body.user);
  const socket = await owner.socket(['polling']);
  const joined = await new Promise<{ ok: boolean; data?: { user: string; pid: string } }>((r) =>
    socket.emit('join', room, r),
  );
  expect(joined.data?.user).toBe(first.body.user);
  expect(joined.data?.pid).toBe(first.body.pid);
  const other = await h.visitor();
  await other.agent.get(`/room/${room}`).expect(200);
  expect((await say(other, 'three')).body.user).not.toBe(first.body.user);
});

test('a room just made needs no query of the stored messages for its first page and messages', async () => {
  const commands: string[] = [];
  const mongo = mongoose.connection.getClient();
  const watch = (e: { commandName: string; command: Record<string, unknown> }) =>
    commands.push(`${e.commandName} ${String(e.command[e.commandName])}`);
  mongo.on('commandStarted', watch);
  let fresh: string;
  try {
    fresh = await owner.createRoom({ title: 'brand new' });
    await owner.agent.get(`/room/${fresh}`).expect(200);
    expect((await say(owner, 'first', fresh)).status).toBe(201);
    const page = await owner.agent.get(`/room/${fresh}/chats`).expect(200);
    expect((page.body as { messages: ChatMessage[] }).messages.map((m) => m.chat)).toContain(
      'first',
    );
  } finally {
    mongo.off('commandStarted', watch);
  }
  // Over FerretDB/SQLite a read of the messages scans all of them, whatever the filter.
  expect(commands.filter((c) => /^(find|aggregate|count) messages/.test(c))).toEqual([]);
  expect(commands).toContain('insert messages');
});
