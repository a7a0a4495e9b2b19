import { io as connect, type Socket } from 'socket.io-client';
import { Message } from '../../src/models/message.model';
import type { Participant } from '../../src/services/types';
import {
  ask,
  caughtUp,
  startHarness,
  type ChatMessage,
  type Harness,
  type Visitor,
} from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    MESSAGES_PER_10S: 5,
    TYPING_PER_10S: 4,
    NICKS_PER_MINUTE: 3,
    JOINS_PER_MINUTE: 4,
    REPLAY_MAX: 25,
  });
});
afterAll(() => h.close());

interface Member {
  v: Visitor;
  tab: Socket;
  pid: string;
}

async function enter(room: string, v?: Visitor): Promise<Member> {
  v ??= await h.visitor();
  const tab = await v.socket();
  const res = await ask<{ pid: string }>(tab, 'join', room);
  if (!res.ok) throw new Error(`join refused: ${res.error?.message}`);
  return { v, tab, pid: res.data!.pid };
}

/** Counts the events of one kind a socket receives. */
function counter(socket: Socket, event: string): () => number {
  let n = 0;
  socket.on(event, () => n++);
  return () => n;
}

test('whispers share the message budget with posts: the sixth message of either kind is refused', async () => {
  const owner = await h.visitor();
  const room = await owner.createRoom({ title: 'budget' });
  const alice = await enter(room, owner);
  const bob = await enter(room);
  for (let i = 0; i < 3; i++) {
    const res = await alice.v.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', alice.v.csrf)
      .send({ chat: `post ${i}` });
    expect(res.status).toBe(201);
  }
  const whispers = [];
  for (let i = 0; i < 4; i++)
    whispers.push(await ask(alice.tab, 'whisper', { to: bob.pid, chat: `psst ${i}` }));
  expect(whispers.map((w) => w.ok)).toEqual([true, true, false, false]);
  expect(whispers[2]!.error).toMatchObject({ code: 'slow_down' });
  expect((await ask(alice.tab, 'chat', { chat: 'over the socket' })).ok).toBe(false);
  expect(await Message.countDocuments({ room, pid: alice.pid })).toBe(5);
});

test('a thousand typing toggles make a handful of broadcasts', async () => {
  const owner = await h.visitor();
  const room = await owner.createRoom({ title: 'typists' });
  const alice = await enter(room, owner);
  const bob = await enter(room);
  const heard = counter(bob.tab, 'typing');
  for (let i = 0; i < 1000; i++) alice.tab.emit('typing', i % 2 === 0);
  // An acknowledged event after them: the socket's events are handled in order. Then everything
  // the server sent Bob so far has arrived.
  await ask(alice.tab, 'leave');
  await caughtUp(h, bob.tab);
  expect(heard()).toBeGreaterThan(0);
  expect(heard()).toBeLessThanOrEqual(4 + 1);
});

test('nickname changes are limited, and so are their broadcasts and session writes', async () => {
  const owner = await h.visitor();
  const room = await owner.createRoom({ title: 'names' });
  const alice = await enter(room, owner);
  const bob = await enter(room);
  const lists = counter(bob.tab, 'participants');
  const answers = [];
  for (let i = 0; i < 20; i++) answers.push(await ask(alice.tab, 'nick', `Name ${i}`));
  expect(answers.filter((a) => a.ok)).toHaveLength(3);
  expect(answers[3]!.error).toMatchObject({ code: 'too_many_requests' });
  await caughtUp(h, bob.tab);
  expect(lists()).toBeLessThanOrEqual(3);
});

test('joins are limited, and each replays at most the newest REPLAY_MAX messages', async () => {
  const owner = await h.visitor();
  const room = await owner.createRoom({ title: 'history', max: 100 });
  const alice = await enter(room, owner);
  // Written by the process serving the site, as every message of a lone process is (its window of
  // newest messages knows them; a write behind its back is not a case a lone process has).
  let top = 0;
  for (let i = 0; i < 300; i++) top = (await h.chat.system(room, 'joined', `old ${i}`)).seq;
  const reader = await h.visitor();
  const tab = await reader.socket();
  const replayed: ChatMessage[] = [];
  tab.on('chat', (m: ChatMessage) => replayed.push(m));
  const joins = [];
  for (let i = 0; i < 20; i++)
    joins.push(await ask<{ truncated?: boolean }>(tab, 'join', { room, after: 0 }));
  expect(joins.filter((j) => j.ok)).toHaveLength(4);
  expect(joins[0]!.data?.truncated).toBe(true);
  expect(joins[4]!.error).toMatchObject({ code: 'too_many_requests' });
  // The newest 25 (and the join line), once per accepted join: 20 × 300 before.
  expect(replayed.length).toBeLessThanOrEqual(4 * 26);
  expect(replayed.slice(0, 25).map((m) => m.seq)).toEqual(
    Array.from({ length: 25 }, (_, i) => top - 24 + i),
  );
  alice.tab.disconnect();
});

describe('nicknames that look the same', () => {
  let room: string;
  let people: Member[];
  beforeAll(async () => {
    const owner = await h.visitor();
    room = await owner.createRoom({ title: 'look-alikes' });
    people = [await enter(room, owner), await enter(room), await enter(room), await enter(room)];
  });

  test('are refused in a room however they are spelled', async () => {
    expect((await ask(people[0]!.tab, 'nick', 'ALICE')).ok).toBe(true);
    for (const [i, name] of ['Alice', 'alice', 'Аlice' /* Cyrillic А */, 'Ａｌｉｃｅ'].entries()) {
      const res = await ask(people[1 + (i % 3)]!.tab, 'nick', name);
      expect({ name, ok: res.ok, code: res.error?.code }).toEqual({
        name,
        ok: false,
        code: 'nick_taken',
      });
    }
  });

  test('"system" is reserved, full-width or not', async () => {
    for (const name of ['system', 'SYSTEM', 'ｓｙｓｔｅｍ', 'sуstem' /* Cyrillic у */]) {
      const res = await ask(people[1]!.tab, 'nick', name);
      expect({ name, code: res.error?.code }).toEqual({ name, code: 'nick_reserved' });
    }
  });

  test('a name set outside the room does not come in with its owner when someone here has it', async () => {
    const carol = await h.visitor();
    const lobbyTab = await carol.socket();
    // Not in any room: nothing to compare with yet.
    expect((await ask(lobbyTab, 'nick', 'alice')).ok).toBe(true);
    const joined = await ask<{ nick?: string; participants: Participant[] }>(
      lobbyTab,
      'join',
      room,
    );
    expect(joined.ok).toBe(true);
    expect(joined.data!.nick).toBeUndefined();
    const named = joined.data!.participants.filter((p) => p.nick?.toLowerCase() === 'alice');
    expect(named).toHaveLength(1);
    // Their messages here carry their colour, not the name someone else has.
    const sent = await carol.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', carol.csrf)
      .send({ chat: 'who am I' });
    expect(sent.status).toBe(201);
    expect(sent.body.nick).toBeUndefined();
  });
});

test('a page elsewhere cannot open a socket with a visitor’s cookie', async () => {
  const victim = await h.visitor();
  const open = (origin: string) =>
    new Promise<string>((resolve) => {
      const socket = connect(`${h.url}/chat`, {
        transports: ['websocket'],
        extraHeaders: { cookie: victim.cookie, origin },
        forceNew: true,
        reconnection: false,
      });
      socket.once('connect', () => {
        socket.disconnect();
        resolve('connected');
      });
      socket.once('connect_error', () => resolve('refused'));
    });
  expect(await open('http://evil.example')).toBe('refused');
  expect(await open('null')).toBe('refused');
  expect(await open(h.url)).toBe('connected');
});
