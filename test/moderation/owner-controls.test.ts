import mongoose from 'mongoose';
import request from 'supertest';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/logger';
import { Message } from '../../src/models/message.model';
import { Room } from '../../src/models/room.model';
import type { RoomSettings } from '../../src/services/types';
import {
  ask,
  flashOf,
  GIF_BYTES,
  next,
  startHarness,
  type Harness,
  type Visitor,
  member,
} from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function enter(room: string, v?: Visitor) {
  const m = await member<{ pid: string; settings: RoomSettings }>(h, room, v);
  return { ...m, settings: m.joined.settings };
}

async function newRoom(title = 'moderated') {
  const ownerVisitor = await h.visitor();
  const room = await ownerVisitor.createRoom({ title });
  const owner = await enter(room, ownerVisitor);
  const guest = await enter(room);
  return { room, owner, guest };
}

const messagesIn = (room: string) => Message.countDocuments({ room, user: { $ne: 'system' } });

describe('lock', () => {
  test('a non-owner locking is refused (socket and HTTP) and changes nothing', async () => {
    const { room, guest } = await newRoom();
    const res = await ask(guest.socket, 'settings', { locked: true });
    expect(res).toMatchObject({ ok: false, error: { code: 'not_owner' } });
    const http = await guest.v.agent
      .post(`/room/${room}/settings`)
      .set('x-csrf-token', guest.v.csrf)
      .send({ locked: true });
    expect(http.status).toBe(403);
    expect(http.body.error.code).toBe('not_owner');
    expect(h.rooms.view(room as never).locked).toBeFalsy();
    expect((await Room.findById(room).lean())?.locked).toBe(false);
    // A newcomer still gets in.
    await enter(room);
  });

  test('locked: nobody new enters by page or socket, those inside stay and rejoin; the lobby says so', async () => {
    const { room, owner, guest } = await newRoom('raid shelter');
    const told = next<RoomSettings>(guest.socket, 'settings');
    const lobby = await h.lobby();
    const lobbyTold = next<{ _id: string; locked?: boolean }>(
      lobby,
      'roomUpdate',
      (r) => r._id === room,
    );
    const res = await ask<RoomSettings>(owner.socket, 'settings', { locked: true });
    expect(res).toMatchObject({ ok: true, data: { locked: true, slowSeconds: 0, muted: [] } });
    expect(await told).toMatchObject({ locked: true });
    expect(await lobbyTold).toMatchObject({ locked: true });
    expect((await request(h.app).get('/')).text).toContain(`is-locked" data-id="${room}"`);

    const stranger = await h.visitor();
    const page = await stranger.agent.get(`/room/${room}`).redirects(1);
    expect(page.status).toBe(200);
    expect(flashOf(page.text)).toMatch(/locked/);
    const socket = await stranger.socket();
    expect(await ask(socket, 'join', { room })).toMatchObject({
      ok: false,
      error: { code: 'room_locked' },
    });
    // The guest inside reloads the page and rejoins.
    await guest.v.agent.get(`/room/${room}`).expect(200);
    guest.socket.disconnect();
    await enter(room, guest.v);

    await ask(owner.socket, 'settings', { locked: false });
    await enter(room, stranger);
  });

  test('bad settings are refused with field_invalid and change nothing', async () => {
    const { room, owner } = await newRoom();
    for (const bad of [{}, { locked: 'yes' }, { slowSeconds: -1 }, { slowSeconds: 1.5 }, 'x'])
      expect(await ask(owner.socket, 'settings', bad)).toMatchObject({
        ok: false,
        error: { code: 'field_invalid' },
      });
    expect(h.moderation.settings(room as never)).toEqual({
      locked: false,
      slowSeconds: 0,
      muted: [],
    });
  });
});

describe('mute', () => {
  test('a muted person reads but cannot post text, GIFs or whispers; unmuted they can', async () => {
    const { room, owner, guest } = await newRoom();
    const told = next<RoomSettings>(guest.socket, 'settings');
    expect(await ask(owner.socket, 'mute', { pid: guest.pid, muted: true })).toMatchObject({
      ok: true,
      data: { muted: [guest.pid] },
    });
    expect((await told).muted).toEqual([guest.pid]);
    const stored = await owner.v.agent
      .post(`/room/${room}/gif`)
      .set('x-csrf-token', owner.v.csrf)
      .attach('gif', GIF_BYTES, 'b.gif')
      .expect(201);
    const name = String(stored.body.gif);
    const before = await messagesIn(room);

    expect(await ask(guest.socket, 'chat', { chat: 'hello?' })).toMatchObject({
      ok: false,
      error: { code: 'muted' },
    });
    expect(await ask(guest.socket, 'whisper', { to: owner.pid, chat: 'psst' })).toMatchObject({
      ok: false,
      error: { code: 'muted' },
    });
    const http = await guest.v.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', guest.v.csrf)
      .send({ chat: 'over http' });
    expect(http.status).toBe(403);
    expect(http.body.error.code).toBe('muted');
    const gif = await guest.v.agent
      .post(`/room/${room}/gif`)
      .set('x-csrf-token', guest.v.csrf)
      .attach('gif', GIF_BYTES, 'a.gif');
    expect(gif.status).toBe(403);
    expect(gif.body.error.code).toBe('muted');
    // Nor a GIF already sent in the room, by name, over the socket or HTTP.
    expect(await ask(guest.socket, 'gif', { name })).toMatchObject({
      ok: false,
      error: { code: 'muted' },
    });
    const resent = await guest.v.agent
      .post(`/room/${room}/gif`)
      .set('x-csrf-token', guest.v.csrf)
      .send({ gif: name });
    expect(resent.status).toBe(403);
    expect(await messagesIn(room)).toBe(before);

    // Still reads: the owner's message reaches them.
    const heard = next(guest.socket, 'chat');
    await ask(owner.socket, 'chat', { chat: 'you can still read' });
    expect((await heard).chat).toBe('you can still read');

    await ask(owner.socket, 'mute', { pid: guest.pid, muted: false });
    expect(await ask(guest.socket, 'chat', { chat: 'back' })).toMatchObject({ ok: true });
  });

  test('only the owner mutes, never themselves; a muted person stays muted when they come back', async () => {
    const { room, owner, guest } = await newRoom();
    expect(await ask(guest.socket, 'mute', { pid: owner.pid, muted: true })).toMatchObject({
      ok: false,
      error: { code: 'not_owner' },
    });
    expect(await ask(owner.socket, 'mute', { pid: owner.pid, muted: true })).toMatchObject({
      ok: false,
      error: { code: 'mute_self' },
    });
    expect(await ask(owner.socket, 'mute', { pid: 'nobody', muted: true })).toMatchObject({
      ok: false,
      error: { code: 'not_in_room' },
    });
    expect(h.moderation.settings(room as never).muted).toEqual([]);

    await ask(owner.socket, 'mute', { pid: guest.pid, muted: true });
    guest.socket.disconnect();
    const again = await enter(room, guest.v);
    expect(again.settings?.muted).toEqual([guest.pid]);
    expect(await ask(again.socket, 'chat', { chat: 'still?' })).toMatchObject({
      ok: false,
      error: { code: 'muted' },
    });
  });
});

describe('slow mode', () => {
  test('an early send is refused with 429 slow_mode and the seconds left; the owner is exempt', async () => {
    const { room, owner, guest } = await newRoom();
    await ask(owner.socket, 'settings', { slowSeconds: 30 });
    expect(await ask(guest.socket, 'chat', { chat: 'first' })).toMatchObject({ ok: true });
    const early = await ask<unknown>(guest.socket, 'chat', { chat: 'second' });
    expect(early).toMatchObject({ ok: false, error: { code: 'slow_mode' } });
    const seconds = (early.error as { params?: { seconds: number } }).params?.seconds ?? 0;
    expect(seconds).toBeGreaterThan(20);
    expect(seconds).toBeLessThanOrEqual(30);

    const http = await guest.v.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', guest.v.csrf)
      .send({ chat: 'over http' });
    expect(http.status).toBe(429);
    expect(http.body.error).toMatchObject({
      code: 'slow_mode',
      params: { seconds: expect.any(Number) },
    });
    // Whispers are private: slow mode is about the room.
    expect(await ask(guest.socket, 'whisper', { to: owner.pid, chat: 'psst' })).toMatchObject({
      ok: true,
    });

    for (const text of ['one', 'two', 'three'])
      expect(await ask(owner.socket, 'chat', { chat: text })).toMatchObject({ ok: true });

    await ask(owner.socket, 'settings', { slowSeconds: 0 });
    expect(await ask(guest.socket, 'chat', { chat: 'free again' })).toMatchObject({ ok: true });
  });
});

describe('settings pass with ownership and survive a restart', () => {
  test('after a hand-over the new owner rules and the old one is refused', async () => {
    const { owner, guest } = await newRoom();
    await ask(owner.socket, 'settings', { slowSeconds: 10 });
    expect(await ask(owner.socket, 'handover', { pid: guest.pid })).toMatchObject({ ok: true });
    expect(await ask(owner.socket, 'settings', { locked: true })).toMatchObject({
      ok: false,
      error: { code: 'not_owner' },
    });
    expect(await ask(guest.socket, 'settings', { locked: true })).toMatchObject({
      ok: true,
      data: { locked: true, slowSeconds: 10 },
    });
    // The new owner is exempt from slow mode now, the old one is not.
    expect(await ask(owner.socket, 'chat', { chat: 'a' })).toMatchObject({ ok: true });
    expect(await ask(owner.socket, 'chat', { chat: 'b' })).toMatchObject({
      ok: false,
      error: { code: 'slow_mode' },
    });
    expect(await ask(guest.socket, 'mute', { pid: owner.pid, muted: true })).toMatchObject({
      ok: true,
    });
  });

  test('a restarted process knows the lock, slow mode and mutes', async () => {
    const { room, owner, guest } = await newRoom();
    await ask(owner.socket, 'settings', { locked: true, slowSeconds: 15 });
    await ask(owner.socket, 'mute', { pid: guest.pid, muted: true });
    const restarted = createApp({
      config: h.config,
      logger: createLogger('silent'),
      connection: mongoose.connection,
    });
    try {
      await restarted.start();
      expect(restarted.moderation.settings(room as never)).toEqual({
        locked: true,
        slowSeconds: 15,
        muted: [guest.pid],
      });
      const stranger = await h.visitor();
      const page = await request(restarted.app).get(`/room/${room}`).set('cookie', stranger.cookie);
      expect(page.status).toBe(303);
      const sent = await request(restarted.app)
        .post(`/room/${room}/chat`)
        .set('cookie', guest.v.cookie)
        .set('x-csrf-token', guest.v.csrf)
        .send({ chat: 'muted still' });
      expect(sent.status).toBe(403);
    } finally {
      await restarted.close();
    }
  });
});
