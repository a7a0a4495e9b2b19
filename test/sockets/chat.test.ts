import { Message } from '../../src/models/message.model';
import { Room } from '../../src/models/room.model';
import {
  ask,
  caughtUp,
  closeTab,
  next,
  startHarness,
  type ChatMessage,
  type Harness,
} from '../support/harness';
import { eventually } from '../support/wait';

let h: Harness;
beforeAll(async () => {
  // No periodic sweep: a room's removal is scheduled only by its last person leaving (or by a
  // test's own sweep), so once it happened nothing is left pending that could repeat it.
  h = await startHarness({
    ROOM_GRACE_MS: 600,
    PRESENCE_GRACE_MS: 150,
    SWEEP_INTERVAL_MS: 600_000,
  });
});
afterAll(() => h.close());

/**
 * Resolves once every room-removal timer started so far has fired: the removal of a room emptied
 * now (same ROOM_GRACE_MS, timers fire in the order they were set) is observed, which stands for
 * "the grace period of any room emptied earlier is over" without guessing how long that takes.
 */
async function graceOver(): Promise<void> {
  const v = await h.visitor();
  const marker = await v.createRoom({ title: 'grace marker' });
  const socket = await v.socket();
  expect((await ask(socket, 'join', marker)).ok).toBe(true);
  await closeTab(h, socket);
  await eventually(() => h.events.roomRemoved?.some(([id]) => id === marker), {
    what: 'the marker room to be removed after its grace period',
  });
}

describe('join', () => {
  test('a classic client joins with the room id string; the room hears a stored join message', async () => {
    const owner = await h.visitor();
    const room = await owner.createRoom({ title: 'classic' });
    const socket = await owner.socket();
    const joined = next<ChatMessage>(socket, 'join');
    const res = await ask<{ pid: string; owner: boolean; room: string }>(socket, 'join', room);
    expect(res.ok).toBe(true);
    expect(res.data).toMatchObject({ room, owner: true, pid: expect.any(String) });
    const message = await joined;
    expect(message).toMatchObject({
      user: 'system',
      room,
      chat: expect.stringContaining('joined'),
      kind: 'joined',
      name: expect.stringMatching(/^#[0-9a-f]{6}$/),
    });
    expect(await Message.exists({ _id: message._id, user: 'system' })).toBeTruthy();
  });

  test.each([
    ['a malformed id', 'nope'],
    ['an unknown id', '0123456789abcdef01234567'],
    ['a number', 42],
    ['an object without room', { after: 3 }],
    ['a bad after', { room: '0123456789abcdef01234567', after: 'x' }],
  ])('%s is refused and joins nothing', async (_label, payload) => {
    const v = await h.visitor();
    const socket = await v.socket();
    const res = await ask(socket, 'join', payload);
    expect(res.ok).toBe(false);
    expect(res.error?.message).toBeTruthy();
  });

  test('a secret room refuses a socket that has not unlocked it; a full room refuses too', async () => {
    const owner = await h.visitor();
    const secret = await owner.createRoom({ title: 'secret', password: 'open sesame' });
    const guest = await h.visitor();
    const socket = await guest.socket();
    expect((await ask(socket, 'join', secret)).error?.code).toBe('password_required');

    const pair = await owner.createRoom({ title: 'pair', max: 2 });
    const second = await h.visitor();
    expect((await ask(await second.socket(), 'join', pair)).ok).toBe(true);
    const third = await h.visitor();
    expect((await ask(await third.socket(), 'join', pair)).error?.code).toBe('room_full');
  });

  test('a socket without a page session cannot join', async () => {
    const owner = await h.visitor();
    const room = await owner.createRoom({ title: 'cookieless' });
    const { io } = await import('socket.io-client');
    const bare = io(`${h.url}/chat`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    await new Promise<void>((r) => bare.once('connect', () => r()));
    const res = await ask(bare, 'join', room);
    bare.disconnect();
    expect(res.ok).toBe(false);
  });

  test('join with { room, after } replays what was missed, once and in order', async () => {
    const owner = await h.visitor();
    const room = await owner.createRoom({ title: 'catch up' });
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await owner.agent
        .post(`/room/${room}/chat`)
        .set('x-csrf-token', owner.csrf)
        .send({ chat: `m${i}` });
      seqs.push(res.body.seq);
    }
    const socket = await owner.socket();
    const replayed: ChatMessage[] = [];
    socket.on('chat', (m: ChatMessage) => replayed.push(m));
    const res = await ask(socket, 'join', { room, after: seqs[1] });
    expect(res.ok).toBe(true);
    await eventually(() => replayed.length >= 3);
    await caughtUp(h, socket);
    expect(replayed.map((m) => m.chat)).toEqual(['m2', 'm3', 'm4']);
  });
});

describe('chat over both transports', () => {
  test.each([['websocket'], ['polling']] as const)(
    'a %s-only client receives chat',
    async (transport) => {
      const owner = await h.visitor();
      const room = await owner.createRoom({ title: `over ${transport}` });
      const listener = await h.visitor();
      await listener.agent.get(`/room/${room}`).expect(200);
      const socket = await listener.socket([transport]);
      expect((await ask(socket, 'join', room)).ok).toBe(true);
      const received = next<ChatMessage>(socket, 'chat');
      const sent = await owner.agent
        .post(`/room/${room}/chat`)
        .set('x-csrf-token', owner.csrf)
        .send({ chat: `<b>via ${transport}</b>` });
      expect(sent.status).toBe(201);
      const message = await received;
      expect(message).toMatchObject({
        _id: sent.body._id,
        seq: sent.body.seq,
        chat: `<b>via ${transport}</b>`,
        room,
      });
    },
  );
});

describe('presence and lifecycle', () => {
  test('two tabs of one person hold one seat and announce one join; exit comes when the last tab closes', async () => {
    const owner = await h.visitor();
    const room = await owner.createRoom({ title: 'tabs', max: 3 });
    const watcher = await owner.socket();
    await ask(watcher, 'join', room);

    const guest = await h.visitor();
    const joins: ChatMessage[] = [];
    watcher.on('join', (m: ChatMessage) => joins.push(m));
    const tab1 = await guest.socket();
    const tab2 = await guest.socket(['polling']);
    expect((await ask(tab1, 'join', room)).ok).toBe(true);
    expect((await ask(tab2, 'join', room)).ok).toBe(true);
    await eventually(() => joins.length >= 1);
    expect(h.rooms.list().find((r) => r._id === room)?.size).toBe(2);

    const exits: ChatMessage[] = [];
    watcher.on('exit', (m: ChatMessage) => exits.push(m));
    // Once the first tab's close has taken effect (no grace period runs: another tab is live) and
    // everything the server sent the watcher so far has arrived, no exit came.
    await closeTab(h, tab1);
    await caughtUp(h, watcher);
    expect(exits).toHaveLength(0);
    expect(joins).toHaveLength(1);
    tab2.disconnect();
    await eventually(() => exits.length === 1);
    expect(exits[0]?.chat).toContain('left');
    expect(h.rooms.list().find((r) => r._id === room)?.size).toBe(1);
  });

  test('when the last person leaves, the room is removed after the grace period, exactly once, with its messages', async () => {
    const owner = await h.visitor();
    const room = await owner.createRoom({ title: 'ephemeral' });
    const socket = await owner.socket();
    await ask(socket, 'join', room);
    await owner.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', owner.csrf)
      .send({ chat: 'bye' })
      .expect(201);
    socket.disconnect();
    await eventually(() => Boolean(h.events.roomRemoved?.some(([id]) => id === room)));
    expect(await Room.exists({ _id: room })).toBeNull();
    expect(await Message.countDocuments({ room })).toBe(0);
    // The room is out of the list, so this sweep schedules no removal of it, and no periodic
    // sweep runs: nothing can repeat the removal after this point.
    await h.sweeper.sweep();
    expect(h.events.roomRemoved?.filter(([id]) => id === room)).toHaveLength(1);
    expect((await owner.agent.get(`/room/${room}`)).status).toBe(303);
  });

  test('a refresh inside the grace period keeps the room and its history', async () => {
    const owner = await h.visitor();
    const room = await owner.createRoom({ title: 'refresh' });
    let socket = await owner.socket();
    await ask(socket, 'join', room);
    await owner.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', owner.csrf)
      .send({ chat: 'still here' })
      .expect(201);
    socket.disconnect();
    // Past the presence grace (the person left), inside the room grace: a refresh comes back.
    await eventually(() => h.rooms.list().find((r) => r._id === room)?.size === 0);
    const page = await owner.agent.get(`/room/${room}`).expect(200);
    expect(page.text).toContain('still here');
    socket = await owner.socket();
    expect((await ask(socket, 'join', room)).ok).toBe(true);
    // The removal timer the empty room started would have fired by now.
    await graceOver();
    expect(await Room.exists({ _id: room })).toBeTruthy();
    expect(h.events.roomRemoved?.some(([id]) => id === room) ?? false).toBe(false);
  });
});

describe('the lobby namespace', () => {
  test('newRoom carries the lobby view and never a password; removeRoom the id', async () => {
    const lobby = await h.lobby();
    try {
      const created = next<Record<string, unknown>>(lobby, 'newRoom');
      const owner = await h.visitor();
      const room = await owner.createRoom({ title: 'announced', password: 'hunter2-hunter2' });
      const view = await created;
      expect(view).toMatchObject({ _id: room, title: 'announced', secret: true, size: 1, max: 10 });
      expect(Object.keys(view).sort()).toEqual([
        '_id',
        'createdAt',
        'max',
        'owner',
        'ownerPid',
        'secret',
        'size',
        'title',
      ]);
      expect(JSON.stringify(view)).not.toContain('hunter2');
      const removed = next<string>(lobby, 'removeRoom');
      await owner.agent.delete(`/room/${room}`).set('x-csrf-token', owner.csrf).expect(200);
      expect(await removed).toBe(room);
    } finally {
      lobby.disconnect();
    }
  });
});
