/**
 * The owner's settings across two processes (needs Redis, as every test/cluster suite).
 */
import type { Socket } from 'socket.io-client';
import type { RoomSettings } from '../../src/services/types';
import { startCluster, type ClusterHarness, type Node } from '../support/cluster';
import { ask, next, type Visitor } from '../support/harness';
import { eventually } from '../support/wait';

let c: ClusterHarness;
let a: Node;
let b: Node;
beforeAll(async () => {
  c = await startCluster(2);
  [a, b] = c.nodes as [Node, Node];
}, 60_000);
afterAll(() => c.close());

async function enter(room: string, node: Node, v?: Visitor): Promise<{ tab: Socket; pid: string }> {
  v ??= await node.visitor();
  const tab = await v.socket(['websocket'], node.url);
  const res = await ask<{ pid: string }>(tab, 'join', { room });
  if (!res.ok) throw new Error(`join refused: ${res.error?.code}`);
  return { tab, pid: res.data!.pid };
}

test('lock, mute and slow mode set on one process hold on the other', async () => {
  const ownerVisitor = await a.visitor();
  const room = await ownerVisitor.createRoom({ title: 'two processes' });
  const owner = await enter(room, a, ownerVisitor);
  const guestVisitor = await b.visitor();
  const guest = await enter(room, b, guestVisitor);
  await eventually(() => b.rooms.list().some((r) => r._id === room));

  // Slow mode from A: a send through B then another through A is early.
  const told = next<RoomSettings>(guest.tab, 'settings', (s) => s.slowSeconds === 20);
  await ask(owner.tab, 'settings', { slowSeconds: 20 });
  await told;
  await eventually(() => b.moderation.settings(room).slowSeconds === 20);
  // The same person's tab on the other process shares the one message per 20 s.
  const guestOnA = await enter(room, a, guestVisitor);
  expect(await ask(guest.tab, 'chat', { chat: 'via b' })).toMatchObject({ ok: true });
  expect(await ask(guestOnA.tab, 'chat', { chat: 'via a, too soon' })).toMatchObject({
    ok: false,
    error: { code: 'slow_mode' },
  });

  // Mute from A: refused on B.
  await ask(owner.tab, 'mute', { pid: guest.pid, muted: true });
  await eventually(() => b.moderation.settings(room).muted.includes(guest.pid));
  expect(await ask(guest.tab, 'whisper', { to: owner.pid, chat: 'psst' })).toMatchObject({
    ok: false,
    error: { code: 'muted' },
  });

  // Lock from A: nobody new enters through B.
  await ask(owner.tab, 'settings', { locked: true });
  await eventually(() => Boolean(b.rooms.list().find((r) => r._id === room)?.locked));
  const stranger = await b.visitor();
  const tab = await stranger.socket(['websocket'], b.url);
  expect(await ask(tab, 'join', { room })).toMatchObject({
    ok: false,
    error: { code: 'room_locked' },
  });
});

test('reactions, edits, deletions and reports reach tabs on the other process, counted once', async () => {
  const aliceVisitor = await a.visitor();
  const room = await aliceVisitor.createRoom({ title: 'talk across' });
  const alice = await enter(room, a, aliceVisitor);
  const bobVisitor = await b.visitor();
  const bob = await enter(room, b, bobVisitor);
  const bobOnA = await enter(room, a, bobVisitor);
  const said = await ask<{ _id: string; seq: number }>(alice.tab, 'chat', { chat: 'across' });
  const id = said.data!._id;

  // The same person reacting through both processes at once: one reaction.
  const heard = next<{ reactions: Record<string, string[]> }>(alice.tab, 'react');
  const both = await Promise.all([
    ask(bob.tab, 'react', { _id: id, emoji: '🎉' }),
    ask(bobOnA.tab, 'react', { _id: id, emoji: '🎉' }),
  ]);
  expect(both.filter((r) => r.ok)).toHaveLength(1);
  expect((await heard).reactions).toEqual({ '🎉': [bob.pid] });

  const edited = next<{ chat?: string }>(bob.tab, 'edit');
  await ask(alice.tab, 'edit', { _id: id, chat: 'across, edited' });
  expect((await edited).chat).toBe('across, edited');

  const queue = next<unknown[]>(alice.tab, 'reports');
  expect(await ask(bob.tab, 'report', { _id: id })).toMatchObject({ ok: true });
  expect(await queue).toHaveLength(1);

  const deleted = next<{ deleted?: boolean }>(bob.tab, 'delete');
  await ask(alice.tab, 'delete', { _id: id });
  expect((await deleted).deleted).toBe(true);
});
