import type { Socket } from 'socket.io-client';
import { Owner } from '../../src/models/owner.model';
import { colorOf } from '../../src/lib/identity';
import { Seat } from '../../src/models/seat.model';
import type { Participant } from '../../src/services/types';
import {
  ask,
  caughtUp,
  closeTab,
  flashOf,
  next,
  startHarness,
  type ChatMessage,
  type Harness,
  type Visitor,
} from '../support/harness';
import { eventually } from '../support/wait';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ PRESENCE_GRACE_MS: 150, ROOM_GRACE_MS: 2000, TYPING_TIMEOUT_MS: 300 });
});
afterAll(() => h.close());

interface Member {
  v: Visitor;
  tabs: Socket[];
  pid: string;
}

/** A person with `tabs` open sockets, all joined to the room. */
async function enter(room: string, tabs = 1, v?: Visitor): Promise<Member> {
  v ??= await h.visitor();
  const sockets: Socket[] = [];
  let pid = '';
  for (let i = 0; i < tabs; i++) {
    const socket = await v.socket();
    const res = await ask<{ pid: string }>(socket, 'join', room);
    if (!res.ok) throw new Error(`join refused: ${res.error?.message}`);
    pid = res.data!.pid;
    sockets.push(socket);
  }
  return { v, tabs: sockets, pid };
}

async function newRoom(title = 'people', max = 10) {
  const ownerVisitor = await h.visitor();
  const room = await ownerVisitor.createRoom({ title, max });
  const owner = await enter(room, 1, ownerVisitor);
  return { room, owner };
}

const latest = (socket: Socket) => {
  let list: Participant[] = [];
  socket.on('participants', (l: Participant[]) => (list = l));
  return () => list;
};

describe('presence', () => {
  test('a person with two tabs appears once and leaves only when the last tab closes', async () => {
    const { room, owner } = await newRoom();
    const seen = latest(owner.tabs[0]!);
    const guest = await enter(room, 2);
    await eventually(() => seen().length === 2);
    expect(seen().filter((p) => p.pid === guest.pid)).toHaveLength(1);
    expect(seen().find((p) => p.pid === owner.pid)).toMatchObject({
      owner: true,
      user: expect.stringMatching(/^#/),
    });
    // Once the first tab's close has taken effect and what the server sent the owner has arrived,
    // the guest is still listed (the list sent on a leave would have come before the marker).
    await closeTab(h, guest.tabs[0]!);
    await caughtUp(h, owner.tabs[0]!);
    expect(seen().map((p) => p.pid)).toContain(guest.pid);
    guest.tabs[1]!.disconnect();
    await eventually(() => seen().length === 1);
    expect(seen()[0]?.pid).toBe(owner.pid);
  });

  test('a reconnect crossing the end of the grace period keeps the person in, either way round', async () => {
    const { room } = await newRoom('flaky network');
    const guest = await enter(room);
    const seat = (await Seat.findOne({ room, pid: guest.pid }).lean())!;
    const person = { session: seat.session, pid: guest.pid, user: colorOf(seat.session) };
    guest.tabs[0]!.disconnect();
    await eventually(() => !h.people.participants(room).some((p) => p.pid === guest.pid));

    const join = (socketId: string) =>
      h.people.join(room, person, { socketId, attach: () => Promise.resolve() });

    // The leave of the closed tab and the new tab's join race, either one first: the person is in.
    await Promise.all([h.people.leave(room, person.session), join('reconnected-tab-1')]);
    expect(await Seat.countDocuments({ room, pid: guest.pid })).toBe(1);
    expect(h.people.participants(room).map((p) => p.pid)).toContain(guest.pid);

    h.people.depart(room, person.session, 'reconnected-tab-1');
    await Promise.all([join('reconnected-tab-2'), h.people.leave(room, person.session)]);
    expect(await Seat.countDocuments({ room, pid: guest.pid })).toBe(1);
    expect(h.people.participants(room).map((p) => p.pid)).toContain(guest.pid);
    const posted = await guest.v.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', guest.v.csrf)
      .send({ chat: 'still here' });
    expect(posted.status).toBe(201);
    h.people.depart(room, person.session, 'reconnected-tab-2');
  });

  test('the lobby counts follow joins and leaves', async () => {
    const lobby = await h.lobby();
    try {
      const { room } = await newRoom('counted');
      const sizes: number[] = [];
      lobby.on(
        'roomUpdate',
        (u: { _id: string; size: number }) => u._id === room && sizes.push(u.size),
      );
      const guest = await enter(room);
      await eventually(() => sizes.includes(2));
      guest.tabs[0]!.disconnect();
      await eventually(() => sizes[sizes.length - 1] === 1);
      expect(h.rooms.list().find((r) => r._id === room)?.size).toBe(1);
    } finally {
      lobby.disconnect();
    }
  });
});

describe('nicknames', () => {
  test('a nickname shows in the participant list and on new messages, in every room', async () => {
    const { room, owner } = await newRoom();
    const other = await newRoom('elsewhere');
    const guest = await enter(room);
    await enter(other.room, 1, guest.v);
    const seenHere = latest(owner.tabs[0]!);
    const seenThere = latest(other.owner.tabs[0]!);
    const res = await ask<{ nick: string }>(guest.tabs[0]!, 'nick', '  Night   Owl ');
    expect(res).toEqual({ ok: true, data: { nick: 'Night Owl' } });
    await eventually(
      () =>
        seenHere().some((p) => p.nick === 'Night Owl') &&
        seenThere().some((p) => p.nick === 'Night Owl'),
    );
    const sent = await guest.v.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', guest.v.csrf)
      .send({ chat: 'hoot' });
    expect(sent.body.nick).toBe('Night Owl');
  });

  test('a nickname taken in the room is refused; bad nicknames are refused', async () => {
    const { room, owner } = await newRoom();
    const guest = await enter(room);
    expect((await ask(owner.tabs[0]!, 'nick', 'Taken')).ok).toBe(true);
    expect((await ask(guest.tabs[0]!, 'nick', 'taken')).error?.code).toBe('nick_taken');
    for (const bad of ['', '   ', 'x'.repeat(25), 42, null, { nick: 'x' }, 'system', 'a\u0000b']) {
      const res = await ask(guest.tabs[0]!, 'nick', bad);
      expect(res.ok).toBe(false);
    }
  });

  test('HTML in a nickname comes back escaped in pages', async () => {
    const { room, owner } = await newRoom();
    await ask(owner.tabs[0]!, 'nick', '<b>bold</b>');
    await owner.v.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', owner.v.csrf)
      .send({ chat: 'hi' })
      .expect(201);
    const page = await owner.v.agent.get(`/room/${room}`).expect(200);
    expect(page.text).not.toContain('<b>bold</b>');
    expect(page.text).toContain('&lt;b&gt;bold&lt;/b&gt;');
  });
});

describe('whisper', () => {
  test('only sender and recipient (all their tabs) see a whisper, live and in history', async () => {
    const { room, owner } = await newRoom();
    const bob = await enter(room, 2);
    const carol = await enter(room);
    const carolGot: unknown[] = [];
    for (const event of ['whisper', 'chat'])
      carol.tabs[0]!.on(event, (m: unknown) => carolGot.push(m));

    const tab1 = next<ChatMessage>(bob.tabs[0]!, 'whisper');
    const tab2 = next<ChatMessage>(bob.tabs[1]!, 'whisper');
    const mine = next<ChatMessage>(owner.tabs[0]!, 'whisper');
    const res = await ask<{ delivered: boolean; message: ChatMessage }>(owner.tabs[0]!, 'whisper', {
      to: bob.pid,
      chat: 'psst, secret',
    });
    expect(res.ok).toBe(true);
    expect(res.data?.delivered).toBe(true);
    for (const m of await Promise.all([tab1, tab2, mine]))
      expect(m).toMatchObject({ chat: 'psst, secret', to: bob.pid, pid: owner.pid });

    // Something public afterwards proves Carol's socket was listening all along.
    const publicMsg = next<ChatMessage>(carol.tabs[0]!, 'chat');
    await owner.v.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', owner.v.csrf)
      .send({ chat: 'public' })
      .expect(201);
    await publicMsg;
    expect(carolGot.map((m) => (m as ChatMessage).chat)).toEqual(['public']);

    const carolHistory = await carol.v.agent
      .get(`/room/${room}/chats`)
      .set('accept', 'application/json')
      .expect(200);
    expect(JSON.stringify(carolHistory.body)).not.toContain('psst');
    const carolPage = await carol.v.agent.get(`/room/${room}`).expect(200);
    expect(carolPage.text).not.toContain('psst');
    const bobHistory = await bob.v.agent
      .get(`/room/${room}/chats`)
      .set('accept', 'application/json')
      .expect(200);
    expect(JSON.stringify(bobHistory.body)).toContain('psst');
    const carolReplay: ChatMessage[] = [];
    const late = await carol.v.socket();
    late.on('whisper', (m: ChatMessage) => carolReplay.push(m));
    late.on('chat', (m: ChatMessage) => carolReplay.push(m));
    await ask(late, 'join', { room, after: 0 });
    await eventually(() => carolReplay.some((m) => m.chat === 'public'));
    expect(carolReplay.some((m) => m.chat?.includes('psst'))).toBe(false);
  });

  test('the acknowledgement says why a whisper was not delivered', async () => {
    const { room, owner } = await newRoom();
    const elsewhere = await newRoom('other');
    const tab = owner.tabs[0]!;
    expect((await ask(tab, 'whisper', { to: 'nobody-at-all', chat: 'hi' })).error?.code).toBe(
      'no_such_person',
    );
    expect((await ask(tab, 'whisper', { to: elsewhere.owner.pid, chat: 'hi' })).error?.code).toBe(
      'not_in_room',
    );
    expect((await ask(tab, 'whisper', { to: owner.pid, chat: 'hi' })).ok).toBe(false);
    for (const bad of [
      null,
      'x',
      { to: 5, chat: 'x' },
      { to: owner.pid },
      { to: owner.pid, chat: ' ' },
      { to: owner.pid, chat: 'x'.repeat(1001) },
    ]) {
      expect((await ask(tab, 'whisper', bad)).ok).toBe(false);
    }
    const stranger = await h.visitor();
    const s = await stranger.socket();
    expect((await ask(s, 'whisper', { to: owner.pid, chat: 'not joined' })).error?.code).toBe(
      'not_participant',
    );
    void room;
  });
});

describe('owner tools', () => {
  test('kick: all tabs leave at once, see why, and cannot come back by page or socket', async () => {
    const { room, owner } = await newRoom();
    const bob = await enter(room, 2);
    const seen = latest(owner.tabs[0]!);
    const kicked = Promise.all(
      bob.tabs.map((t) => next<{ room: string; reason: string }>(t, 'kicked')),
    );
    const bobName = colorOf((await Seat.findOne({ pid: bob.pid }).lean())!.session);
    const exit = next<ChatMessage>(owner.tabs[0]!, 'exit');
    expect((await ask(owner.tabs[0]!, 'kick', { pid: bob.pid })).ok).toBe(true);
    for (const info of await kicked)
      expect(info).toMatchObject({ room, reason: expect.stringContaining('removed') });
    await eventually(() => seen().length === 1);
    expect(await exit).toMatchObject({
      user: 'system',
      kind: 'removed',
      name: bobName,
      chat: `${bobName} was removed`,
    });
    // Each page says it in its reader's language.
    const korean = await owner.v.agent.get(`/room/${room}`).set('accept-language', 'ko');
    expect(korean.text).toContain(`${bobName}님이 내보내졌습니다`);

    // Bob's old tabs no longer receive the room's messages.
    let leaked = false;
    bob.tabs[0]!.on('chat', () => (leaked = true));
    const ownerSees = next<ChatMessage>(owner.tabs[0]!, 'chat');
    await owner.v.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', owner.v.csrf)
      .send({ chat: 'after kick' })
      .expect(201);
    await ownerSees;
    await caughtUp(h, bob.tabs[0]!);
    expect(leaked).toBe(false);

    const page = await bob.v.agent.get(`/room/${room}`);
    expect(page.status).toBe(303);
    expect(flashOf((await bob.v.agent.get('/')).text)).toContain('you were removed from this room');
    expect((await ask(bob.tabs[0]!, 'join', room)).error?.code).toBe('banned');
    const fresh = await bob.v.socket();
    expect((await ask(fresh, 'join', room)).error?.code).toBe('banned');
    const post = await bob.v.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', bob.v.csrf)
      .send({ chat: 'let me back' });
    expect(post.status).toBe(403);
  });

  test('non-owners cannot kick or hand over; unknown targets are refused', async () => {
    const { room, owner } = await newRoom();
    const bob = await enter(room);
    expect((await ask(bob.tabs[0]!, 'kick', { pid: owner.pid })).error?.code).toBe('not_owner');
    expect((await ask(bob.tabs[0]!, 'handover', { pid: bob.pid })).error?.code).toBe('not_owner');
    expect((await ask(owner.tabs[0]!, 'kick', { pid: 'ghost' })).error?.code).toBe('not_in_room');
    expect((await ask(owner.tabs[0]!, 'handover', { pid: 'ghost' })).error?.code).toBe(
      'not_in_room',
    );
    expect((await ask(owner.tabs[0]!, 'kick', { pid: owner.pid })).ok).toBe(false);
    for (const bad of [null, 'pid', { pid: 3 }, []]) {
      expect((await ask(owner.tabs[0]!, 'kick', bad)).ok).toBe(false);
      expect((await ask(owner.tabs[0]!, 'handover', bad)).ok).toBe(false);
    }
    // Nothing changed hands.
    expect((await Owner.find({ room }).lean()).map((o) => o.pid)).toEqual([owner.pid]);
  });

  test('hand-over: everyone hears owner, the new owner can delete, the old one cannot', async () => {
    const { room, owner } = await newRoom();
    const bob = await enter(room);
    const heard = Promise.all([
      next<{ pid: string }>(owner.tabs[0]!, 'owner'),
      next<{ pid: string }>(bob.tabs[0]!, 'owner'),
    ]);
    expect((await ask(owner.tabs[0]!, 'handover', { pid: bob.pid })).ok).toBe(true);
    expect(await heard).toEqual([{ pid: bob.pid }, { pid: bob.pid }]);
    expect((await ask(owner.tabs[0]!, 'kick', { pid: bob.pid })).error?.code).toBe('not_owner');
    expect(
      (await owner.v.agent.delete(`/room/${room}`).set('x-csrf-token', owner.v.csrf)).status,
    ).toBe(403);
    expect((await bob.v.agent.delete(`/room/${room}`).set('x-csrf-token', bob.v.csrf)).status).toBe(
      200,
    );
  });

  test('when the owner leaves for good, the longest-present participant owns the room', async () => {
    const { room, owner } = await newRoom();
    const bob = await enter(room);
    const carol = await enter(room);
    const heard = next<{ pid: string }>(carol.tabs[0]!, 'owner');
    const listed = next<Participant[]>(
      carol.tabs[0]!,
      'participants',
      (l) => l.length === 2 && l.some((p) => p.owner),
    );
    owner.tabs[0]!.disconnect();
    expect(await heard).toEqual({ pid: bob.pid });
    expect((await listed).find((p) => p.owner)?.pid).toBe(bob.pid);
  });

  test('a hand-over racing the owner leaving still leaves exactly one owner', async () => {
    for (let round = 0; round < 5; round++) {
      const { room, owner } = await newRoom(`race ${round}`);
      const bob = await enter(room);
      const carol = await enter(room);
      const ownerSession = [...(await Owner.find({ room }).lean())][0]!.session;
      const [handover] = await Promise.all([
        ask(owner.tabs[0]!, 'handover', { pid: carol.pid }),
        h.people.leave(room, ownerSession),
      ]);
      const log = await Owner.find({ room }).sort({ epoch: 1 }).lean();
      const epochs = log.map((o) => o.epoch);
      expect(new Set(epochs).size).toBe(epochs.length);
      expect(epochs).toEqual([0, 1]);
      const final = log[log.length - 1]!;
      expect([bob.pid, carol.pid]).toContain(final.pid);
      if (handover.ok) expect(final.pid).toBe(carol.pid);
      expect(h.people.participants(room).filter((p) => p.owner)).toHaveLength(1);
    }
  });
});

describe('typing', () => {
  test('others see typing; it clears on send and after silence; junk is ignored', async () => {
    const { room, owner } = await newRoom();
    const bob = await enter(room);
    let ownSeen = false;
    owner.tabs[0]!.on('typing', () => (ownSeen = true));
    const on = next<{ pid: string; typing: boolean }>(bob.tabs[0]!, 'typing');
    owner.tabs[0]!.emit('typing', true);
    expect(await on).toMatchObject({ pid: owner.pid, typing: true, user: expect.any(String) });
    const off = next<{ pid: string; typing: boolean }>(bob.tabs[0]!, 'typing', (t) => !t.typing);
    await owner.v.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', owner.v.csrf)
      .send({ chat: 'done typing' })
      .expect(201);
    expect(await off).toMatchObject({ pid: owner.pid, typing: false });

    const again = next<{ typing: boolean }>(bob.tabs[0]!, 'typing', (t) => t.typing);
    owner.tabs[0]!.emit('typing', true);
    await again;
    const silence = next<{ typing: boolean }>(bob.tabs[0]!, 'typing', (t) => !t.typing);
    expect(await silence).toMatchObject({ typing: false });

    let junk = 0;
    bob.tabs[0]!.on('typing', () => junk++);
    for (const bad of ['yes', 1, null, { typing: true }]) owner.tabs[0]!.emit('typing', bad);
    // A socket's events are handled in order: the ping sent on the same socket is broadcast after
    // whatever the junk made, so once Bob has it (and the owner has caught up) nothing is pending.
    const ping = next<ChatMessage>(bob.tabs[0]!, 'chat', (m) => m.chat === 'ping');
    expect((await ask(owner.tabs[0]!, 'chat', { chat: 'ping' })).ok).toBe(true);
    await ping;
    await caughtUp(h, owner.tabs[0]!);
    expect(junk).toBe(0);
    expect(ownSeen).toBe(false);
  });
});
