// Many people sending into one room at once: their messages are stored in whatever batches and
// order the writes end in, and yet every member hears every message once and in seq order, and
// the stored seqs are unique.
import type { Socket } from 'socket.io-client';
import { Message } from '../../src/models/message.model';
import {
  ask,
  member,
  startHarness,
  type ChatMessage,
  type Harness,
  type Member,
} from '../support/harness';
import { eventually } from '../support/wait';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ MESSAGES_PER_10S: 1_000 });
});
afterAll(() => h.close());

const MEMBERS = 12;
const EACH = 6;

/** Everything `socket` hears of the room's messages (chat and join/exit lines), in order. */
function heard(socket: Socket): ChatMessage[] {
  const got: ChatMessage[] = [];
  for (const event of ['chat', 'join', 'exit']) socket.on(event, (m: ChatMessage) => got.push(m));
  return got;
}

async function roomOf(size: number): Promise<{ room: string; members: Member[] }> {
  const owner = await h.visitor();
  const room = await owner.createRoom({ title: 'crowd', max: size });
  const members: Member[] = [await member(h, room, owner)];
  for (let i = 1; i < size; i++) members.push(await member(h, room));
  return { room, members };
}

/** Strictly increasing seqs, each message once. */
function expectInOrderOnce(got: ChatMessage[]) {
  const seqs = got.map((m) => m.seq);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
  expect(new Set(got.map((m) => m._id)).size).toBe(got.length);
}

async function expectStoredSeqsUnique(room: string) {
  const stored = await Message.find({ room }, { seq: 1 }).lean<{ seq: number }[]>();
  expect(new Set(stored.map((m) => m.seq)).size).toBe(stored.length);
}

test('concurrent sends from many sockets: every member hears every message once, in seq order', async () => {
  const { room, members } = await roomOf(MEMBERS);
  const logs = members.map((m) => heard(m.socket));
  const answers = await Promise.all(
    members.flatMap((m, who) =>
      Array.from({ length: EACH }, (_, i) =>
        i % 2
          ? ask<ChatMessage>(m.socket, 'chat', { chat: `${who}/${i}`, cid: `crowd-${who}-${i}-x` })
          : m.v.agent
              .post(`/room/${room}/chat`)
              .set('x-csrf-token', m.v.csrf)
              .send({ chat: `${who}/${i}`, cid: `crowd-${who}-${i}-x` })
              .then((res) => ({ ok: res.status === 201, data: res.body as ChatMessage })),
      ),
    ),
  );
  expect(answers.every((a) => a.ok)).toBe(true);
  const sent = new Set(answers.map((a) => a.data!._id));
  expect(sent.size).toBe(MEMBERS * EACH);

  await eventually(() =>
    logs.every((log) => [...sent].every((id) => log.some((m) => m._id === id))),
  );
  for (const log of logs) {
    expectInOrderOnce(log);
    expect(log.filter((m) => sent.has(m._id))).toHaveLength(sent.size);
  }
  await expectStoredSeqsUnique(room);
});

test('a send retried with its client id amid concurrent sends is stored and heard once', async () => {
  const { room, members } = await roomOf(6);
  const logs = members.map((m) => heard(m.socket));
  const [alice] = members;
  const cid = 'retried-in-the-crowd';
  const retry = () =>
    alice!.v.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', alice!.v.csrf)
      .send({ chat: 'said once', cid })
      .then((res) => res.body as ChatMessage);
  const others = (round: number) =>
    members.map((m, who) =>
      ask<ChatMessage>(m.socket, 'chat', { chat: 'around', cid: `around-${round}-${who}-x` }).then(
        (res) => res.data!,
      ),
    );
  const answers = await Promise.all([
    ...others(1),
    retry(),
    ask<ChatMessage>(alice!.socket, 'chat', { chat: 'said once', cid }).then((res) => res.data!),
    ...others(2),
    retry(),
    ...others(3),
  ]);
  const repeats = answers.filter((m) => m.cid === cid);
  expect(repeats).toHaveLength(3);
  expect(new Set(repeats.map((m) => `${m._id} ${m.seq}`)).size).toBe(1);
  expect(await Message.countDocuments({ room, cid })).toBe(1);

  const ids = new Set(answers.map((m) => m._id));
  await eventually(() =>
    logs.every((log) => [...ids].every((id) => log.some((m) => m._id === id))),
  );
  for (const log of logs) {
    expectInOrderOnce(log);
    expect(log.filter((m) => m.cid === cid)).toHaveLength(1);
  }
  await expectStoredSeqsUnique(room);
});

test('a seq another process took: the send moves past it, and members still hear in order', async () => {
  const { room, members } = await roomOf(4);
  const logs = members.map((m) => heard(m.socket));
  const [alice] = members;
  const first = await ask<ChatMessage>(alice!.socket, 'chat', { chat: 'first' });
  // Another process stores the next two seqs: this one's counter does not know.
  const theirs = [first.data!.seq + 1, first.data!.seq + 2];
  for (const seq of theirs)
    await Message.create({ room, seq, user: '#000000', pid: 'elsewhere', chat: 'from elsewhere' });

  const answers = await Promise.all(
    members.map((m, who) =>
      ask<ChatMessage>(m.socket, 'chat', { chat: `after ${who}`, cid: `after-collision-${who}` }),
    ),
  );
  expect(answers.every((a) => a.ok)).toBe(true);
  const seqs = answers.map((a) => a.data!.seq);
  expect(seqs.every((seq) => seq > theirs[1]!)).toBe(true);
  const ids = new Set(answers.map((a) => a.data!._id));
  await eventually(() =>
    logs.every((log) => [...ids].every((id) => log.some((m) => m._id === id))),
  );
  for (const log of logs) expectInOrderOnce(log);
  await expectStoredSeqsUnique(room);
});
