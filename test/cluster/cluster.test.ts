/**
 * Several processes serving one site. Needs a real Redis (TEST_REDIS_URL, default
 * redis://127.0.0.1:6379; .ci/run checks that it answers) besides the test database.
 */
import { Types } from 'mongoose';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { Seat } from '../../src/models/seat.model';
import type { Participant, RoomView } from '../../src/services/types';
import { startCluster, type ClusterHarness, type Node } from '../support/cluster';
import {
  ask,
  caughtUp,
  closeTab,
  flashOf,
  next,
  type ChatMessage,
  type Visitor,
} from '../support/harness';
import { eventually } from '../support/wait';

let c: ClusterHarness;
let a: Node;
let b: Node;
beforeAll(async () => {
  c = await startCluster(2, {
    PRESENCE_GRACE_MS: 150,
    ROOM_GRACE_MS: 400,
    MESSAGES_PER_10S: 6,
    // Racers' seats have no tabs: they must outlive the race on a slow machine.
    SEAT_TTL_MS: 600_000,
    // Sweeps run only when a test runs one: a sweep in a process that still lists a room being
    // removed would purge it a second time (see the removal test).
    SWEEP_INTERVAL_MS: 600_000,
  });
  [a, b] = c.nodes as [Node, Node];
}, 60_000);
afterAll(() => c.close());

interface Member {
  v: Visitor;
  tab: Socket;
  pid: string;
}

/** A person whose tab is joined to `room` through `node`. */
async function enter(room: string, node: Node, v?: Visitor): Promise<Member> {
  v ??= await node.visitor();
  const tab = await v.socket(['websocket'], node.url);
  const res = await ask<{ pid: string }>(tab, 'join', room);
  if (!res.ok) throw new Error(`join refused: ${res.error?.message}`);
  return { v, tab, pid: res.data!.pid };
}

const participants = (socket: Socket) => {
  let list: Participant[] = [];
  socket.on('participants', (l: Participant[]) => (list = l));
  return () => list;
};

/** The visitor's browser, its request routed to `node` (as a load balancer might). */
const via = (node: Node, v: Visitor) => ({
  post: (path: string) =>
    request(node.server).post(path).set('cookie', v.cookie).set('x-csrf-token', v.csrf),
  delete: (path: string) =>
    request(node.server).delete(path).set('cookie', v.cookie).set('x-csrf-token', v.csrf),
});

const sizeOn = (node: Node, room: string) => node.rooms.list().find((r) => r._id === room)?.size;

test('a room made on one process reaches the lobby of the other, and can be entered there', async () => {
  const lobbyB = await b.lobby();
  const created = next<RoomView>(lobbyB, 'newRoom', (r) => r.title === 'across');
  const owner = await a.visitor();
  const room = await owner.createRoom({ title: 'across' });
  expect((await created)._id).toBe(room);
  const guest = await b.visitor();
  await guest.agent.get(`/room/${room}`).expect(200);
  await eventually(() => sizeOn(a, room) === 2 && sizeOn(b, room) === 2);
  const page = await (await b.visitor()).agent.get('/').expect(200);
  expect(page.text).toContain('across');
});

test('text sent through one process reaches tabs on the other, with one sequence', async () => {
  const owner = await a.visitor();
  const room = await owner.createRoom({ title: 'talk' });
  const left = await enter(room, a, owner);
  const right = await enter(room, b);
  const heardRight = next<ChatMessage>(right.tab, 'chat', (m) => m.chat === 'from a');
  await via(a, left.v).post(`/room/${room}/chat`).send({ chat: 'from a' }).expect(201);
  const first = await heardRight;
  const heardLeft = next<ChatMessage>(left.tab, 'chat', (m) => m.chat === 'from b');
  await via(b, right.v).post(`/room/${room}/chat`).send({ chat: 'from b' }).expect(201);
  const second = await heardLeft;
  expect(second.seq).toBeGreaterThan(first.seq);
});

test('capacity holds when people race for seats through both processes', async () => {
  const owner = await a.visitor();
  const room = await owner.createRoom({ title: 'tight', max: 10 });
  const racers = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).visitor()));
  const results = await Promise.all(racers.map((v) => v.agent.get(`/room/${room}`)));
  const admitted = results.filter((r) => r.status === 200).length;
  expect(admitted).toBe(9); // the owner holds the tenth seat
  expect(await Seat.countDocuments({ room: new Types.ObjectId(room) })).toBe(10);
  await eventually(() => sizeOn(a, room) === 10 && sizeOn(b, room) === 10);
  const refused = results.find((r) => r.status !== 200)!;
  expect(refused.status).toBe(303);
});

test('the participant list spans processes; two tabs on two processes make one person', async () => {
  const owner = await a.visitor();
  const room = await owner.createRoom({ title: 'presence' });
  const host = await enter(room, a, owner);
  const seen = participants(host.tab);
  const guest = await enter(room, b);
  await eventually(() => seen().some((p) => p.pid === guest.pid));
  const secondTab = await guest.v.socket(['websocket'], a.url);
  expect((await ask(secondTab, 'join', room)).ok).toBe(true);
  expect(seen().filter((p) => p.pid === guest.pid)).toHaveLength(1);

  const exits: ChatMessage[] = [];
  host.tab.on('exit', (m: ChatMessage) => exits.push(m));
  // Once b has handled the close (its grace period over, its leave done) and what b sent the host
  // has come through the adapter, there was no exit: the guest still has a tab on a.
  await closeTab(b, guest.tab);
  await caughtUp(b, host.tab);
  expect(exits).toHaveLength(0);
  expect(seen().map((p) => p.pid)).toContain(guest.pid);
  expect(b.people.participants(room).map((p) => p.pid)).toContain(guest.pid);

  secondTab.disconnect();
  await eventually(() => exits.length === 1 && !seen().some((p) => p.pid === guest.pid));
  await eventually(() => sizeOn(a, room) === 1 && sizeOn(b, room) === 1);
  await eventually(() => !b.people.participants(room).some((p) => p.pid === guest.pid));
});

test('a tab joining through a process with a stale view still gets a seat from the database', async () => {
  const owner = await a.visitor();
  const room = await owner.createRoom({ title: 'stale' });
  const guest = await enter(room, a);
  await eventually(() => b.people.participants(room).some((p) => p.pid === guest.pid));
  // The guest's seat goes in the database, as a release by some process whose event is still on
  // the way would leave it: both caches still show the guest present and seated.
  await Seat.deleteOne({ room: new Types.ObjectId(room), pid: guest.pid });
  const tab = await guest.v.socket(['websocket'], b.url);
  expect((await ask(tab, 'join', room)).ok).toBe(true);
  expect(await Seat.exists({ room: new Types.ObjectId(room), pid: guest.pid })).toBeTruthy();
});

test('a nickname set through one process shows in the other process', async () => {
  const owner = await a.visitor();
  const room = await owner.createRoom({ title: 'names' });
  await enter(room, a, owner);
  const guest = await enter(room, b);
  expect(await ask(guest.tab, 'nick', 'Remote')).toMatchObject({ ok: true });
  await eventually(() => a.people.participants(room).some((p) => p.nick === 'Remote'));
});

test('a session written through one process is read afresh by the other, which kept a copy', async () => {
  const owner = await a.visitor();
  const room = await owner.createRoom({ title: 'sessions' });
  const guest = await a.visitor();
  const nickOn = async (node: Node) => {
    const page = await request(node.server)
      .get(`/room/${room}`)
      .set('cookie', guest.cookie)
      .expect(200);
    return /data-nick="([^"]*)"/.exec(page.text)?.[1];
  };
  // b reads the session now, and keeps it in memory.
  expect(await nickOn(b)).toBe('');
  const tab = await guest.socket(['websocket'], a.url);
  expect((await ask(tab, 'join', room)).ok).toBe(true);
  expect(await ask(tab, 'nick', 'Renamed')).toMatchObject({ ok: true });
  // a announced the write: b forgets its copy and reads the session again.
  let seen: string | undefined;
  await eventually(async () => (seen = await nickOn(b)) === 'Renamed', {
    what: 'b to read the renamed session',
  });
  expect(seen).toBe('Renamed');
  // The lobby, served from memory to someone known, still answers them on both.
  await request(b.server).get('/').set('cookie', guest.cookie).expect(200);
});

test('a whisper crosses processes and reaches no one else', async () => {
  const owner = await a.visitor();
  const room = await owner.createRoom({ title: 'secrets' });
  const sender = await enter(room, a, owner);
  const target = await enter(room, b);
  const bystander = await enter(room, b);
  const overheard: ChatMessage[] = [];
  bystander.tab.on('whisper', (m: ChatMessage) => overheard.push(m));
  const received = next<ChatMessage>(target.tab, 'whisper');
  const ack = await ask<{ delivered: boolean }>(sender.tab, 'whisper', {
    to: target.pid,
    chat: 'psst',
  });
  expect(ack).toMatchObject({ ok: true, data: { delivered: true } });
  expect((await received).chat).toBe('psst');
  // a sent the whisper; whatever a sent the bystander before this marker has arrived.
  await caughtUp(a, bystander.tab);
  expect(overheard).toHaveLength(0);
});

test('the owner on one process kicks a person on the other, who cannot come back', async () => {
  const owner = await a.visitor();
  const room = await owner.createRoom({ title: 'strict' });
  const host = await enter(room, a, owner);
  const guest = await enter(room, b);
  await eventually(() => a.people.participants(room).some((p) => p.pid === guest.pid));
  const kicked = next<{ reason: string }>(guest.tab, 'kicked');
  expect((await ask(host.tab, 'kick', { pid: guest.pid })).ok).toBe(true);
  expect((await kicked).reason).toMatch(/removed/);
  const again = await guest.v.socket(['websocket'], b.url);
  const refused = await ask(again, 'join', room);
  expect(refused.ok).toBe(false);
  const page = await guest.v.agent.get(`/room/${room}`);
  expect(page.status).toBe(303);
  expect(flashOf((await guest.v.agent.get('/')).text)).toBeTruthy();
});

test('ownership passes across processes, and the new owner is the owner everywhere', async () => {
  const owner = await a.visitor();
  const room = await owner.createRoom({ title: 'heirs' });
  const host = await enter(room, a, owner);
  const heir = await enter(room, b);
  const promoted = next<{ pid: string }>(heir.tab, 'owner');
  host.tab.disconnect();
  expect((await promoted).pid).toBe(heir.pid);
  await eventually(() => a.rooms.list().find((r) => r._id === room)?.ownerPid === heir.pid);
  // The heir's tab is on b, but process a knows them as owner: deleting through a is allowed.
  const lobbyA = await a.lobby();
  const lobbyB = await b.lobby();
  const removedA: string[] = [];
  const removedB: string[] = [];
  lobbyA.on('removeRoom', (id: string) => removedA.push(id));
  lobbyB.on('removeRoom', (id: string) => removedB.push(id));
  await via(a, heir.v).delete(`/room/${room}`).expect(200);
  await eventually(() => removedA.includes(room) && removedB.includes(room));
  expect(removedA.filter((id) => id === room)).toHaveLength(1);
  expect(removedB.filter((id) => id === room)).toHaveLength(1);
  await eventually(() => !a.rooms.list().some((r) => r._id === room));
  expect(b.rooms.list().some((r) => r._id === room)).toBe(false);
});

test('an empty room is removed once, whichever process saw the last person leave', async () => {
  const lobbyA = await a.lobby();
  const lobbyB = await b.lobby();
  const removed: string[] = [];
  lobbyA.on('removeRoom', (id: string) => removed.push(`a:${id}`));
  lobbyB.on('removeRoom', (id: string) => removed.push(`b:${id}`));
  const owner = await a.visitor();
  const room = await owner.createRoom({ title: 'fleeting' });
  const host = await enter(room, b, owner);
  host.tab.disconnect();
  await eventually(() => removed.includes(`a:${room}`) && removed.includes(`b:${room}`));
  // Both processes swept once they know the room is gone (a hears it through Redis, after the
  // lobbies may have); neither repeats the removal. The markers come after anything either
  // process sent the lobbies.
  await eventually(() => ![a, b].some((n) => n.rooms.list().some((r) => r._id === room)), {
    what: 'both processes to forget the removed room',
  });
  await Promise.all([a.sweeper.sweep(), b.sweeper.sweep()]);
  for (const node of [a, b])
    for (const lobby of [lobbyA, lobbyB]) await caughtUp(node, lobby, '/room');
  expect(removed.filter((e) => e.endsWith(room)).sort()).toEqual([`a:${room}`, `b:${room}`]);
  const late = await (await b.visitor()).agent.get(`/room/${room}`);
  expect(late.status).toBe(303);
});

test('health says whether the shared Redis is up', async () => {
  const res = await request(a.server).get('/healthz').expect(200);
  expect(res.body).toMatchObject({ status: 'ok', db: 'up', redis: 'up' });
});

test('the flood guard counts messages sent through every process', async () => {
  const owner = await a.visitor();
  const room = await owner.createRoom({ title: 'busy' });
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) {
    const res = await via(i % 2 ? a : b, owner)
      .post(`/room/${room}/chat`)
      .send({ chat: `m${i}` });
    statuses.push(res.status);
  }
  expect(statuses.filter((s) => s === 201)).toHaveLength(6);
  expect(statuses.slice(6)).toEqual([429, 429]);
});
