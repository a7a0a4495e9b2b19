// The chat service over the real database: concurrent inserts into one room (messages, whispers,
// system lines), one of them failing, are announced once each and in seq order, each sender is
// answered only after their message was announced, and nothing waits on the failure.
import { Types } from 'mongoose';
import { colorOf, type Person } from '../../src/lib/identity';
import { roomIdOf } from '../../src/lib/room-id';
import { createLogger } from '../../src/logger';
import { Message } from '../../src/models/message.model';
import { ChatService, type GifContent } from '../../src/services/chat.service';
import type { ChatMessage, Notifier } from '../../src/services/types';
import { freshDatabase } from '../support/harness';
import mongoose from 'mongoose';

beforeAll(async () => {
  await freshDatabase();
  await Message.init();
});
afterAll(async () => {
  await mongoose.connection.dropDatabase();
  await mongoose.disconnect();
});

const person = (i: number): Person => ({
  session: `order-session-${i}`,
  pid: `order${i}`,
  user: colorOf(`order-session-${i}`),
});

/** A chat service of its own, whose notifier writes every announced message into one list. */
function service(alone: boolean) {
  const heard: ChatMessage[] = [];
  const notifier = {
    chat: (_room: string, m: ChatMessage) => heard.push(m),
    system: (_room: string, _kind: string, m: ChatMessage) => heard.push(m),
    whisper: (_room: string, m: ChatMessage) => heard.push(m),
    typing: () => undefined,
  } as unknown as Notifier;
  const chat = new ChatService({
    notifier,
    releaseMedia: () => Promise.resolve(),
    logger: createLogger('silent'),
    typingTimeoutMs: 1_000,
    replayMax: 100,
    alone,
  });
  return { chat, heard };
}

test.each([
  ['a lone process (with its window of newest messages)', true],
  ['one of several processes', false],
])('%s: a crowd of inserts with a failing one, announced in order', async (_label, alone) => {
  const { chat, heard } = service(alone);
  const room = roomIdOf(new Types.ObjectId());
  chat.opened(room);
  const bad = { width: 'not a number', height: 1 } as unknown as GifContent;
  const heardWhenAnswered = new Map<string, number>();
  const sends = Array.from({ length: 40 }, (_, i) => {
    const sending =
      i === 13
        ? chat.post(room, person(i), { chat: 'broken', ...bad })
        : i % 7 === 3
          ? chat.whisper(room, person(i), person(0).pid, `psst ${i}`)
          : i % 5 === 4
            ? chat.system(room, 'joined', `guest ${i}`)
            : chat.post(room, person(i), { chat: `hello ${i}` }, `cid-${i}-xxxxxx`);
    return sending.then((m) => {
      heardWhenAnswered.set(m._id, heard.length);
      return m;
    });
  });
  const results = await Promise.allSettled(sends);

  expect(results[13]!.status).toBe('rejected');
  const saved = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  expect(saved).toHaveLength(39);
  expect(new Set(heard.map((m) => m._id))).toEqual(new Set(saved.map((m) => m._id)));
  expect(heard).toHaveLength(saved.length);
  for (let i = 1; i < heard.length; i++) expect(heard[i]!.seq).toBeGreaterThan(heard[i - 1]!.seq);
  // Nobody was answered before the room heard their message.
  for (const m of saved)
    expect(heard.findIndex((x) => x._id === m._id)).toBeLessThan(heardWhenAnswered.get(m._id)!);

  // A repeat of a saved client id answers the same message and announces nothing.
  const again = await chat.post(room, person(0), { chat: 'hello 0' }, 'cid-0-xxxxxx');
  expect(again._id).toBe(saved[0]!._id);
  expect(heard).toHaveLength(saved.length);
  // The room goes on after the failure and the repeat, and its history is whole and in order.
  const last = heard.at(-1)!.seq;
  const after = await chat.post(room, person(99), { chat: 'after' });
  expect(after.seq).toBeGreaterThan(last);
  expect(heard.at(-1)!._id).toBe(after._id);
  const page = await chat.history(room, person(0).pid);
  expect(page.map((m) => m.seq)).toEqual([...heard.map((m) => m.seq)]);
  const stored = await Message.find({ room }, { seq: 1 }).lean<{ seq: number }[]>();
  expect(stored).toHaveLength(heard.length);
  expect(new Set(stored.map((m) => m.seq)).size).toBe(stored.length);
  chat.close();
});
