/**
 * The session store's memory when several processes share the sessions: two stores on one
 * database stand for two processes (what one writes, it announces; the other forgets).
 */
import type { SessionData } from 'express-session';
import mongoose from 'mongoose';
import { SessionStore } from '../../src/http/session.store';
import { assertAllAcknowledged, type Unacknowledged } from '../support/acknowledged';
import { freshDatabase } from '../support/harness';

let unacknowledged: Unacknowledged[];
beforeAll(async () => {
  unacknowledged = await freshDatabase();
});
afterAll(async () => {
  await mongoose.connection.dropDatabase();
  await mongoose.disconnect();
  assertAllAcknowledged(unacknowledged);
});

const DAY = 86_400_000;
const session = (nick: string) =>
  ({ pid: 'p1', nick, cookie: { originalMaxAge: DAY, maxAge: DAY } }) as unknown as SessionData;

/** Two processes: each announces its writes to the other. */
function pair() {
  const options = { cacheSize: 100, touchAfterMs: DAY, ttlMs: DAY, keepMs: 60_000 };
  const stores: SessionStore[] = [];
  const make = (other: () => SessionStore) =>
    new SessionStore(mongoose.connection, { ...options, announce: (sid) => other().forget(sid) });
  stores.push(
    make(() => stores[1]!),
    make(() => stores[0]!),
  );
  return stores as [SessionStore, SessionStore];
}

/** The stored session changed behind both stores' backs (no announcement). */
const rewrite = (sid: string, nick: string) =>
  mongoose.connection
    .collection<{ _id: string; session: string }>('sessions')
    .updateOne({ _id: sid }, { $set: { session: JSON.stringify(session(nick)) } });

test('a session written by one process is read afresh by the other, which had kept it', async () => {
  const [a, b] = pair();
  await a.put('s1', session('Before'));
  expect((await b.fetch('s1'))?.nick).toBe('Before');
  // b keeps it: a change nobody announces is not seen (this is what the announcement is for).
  await rewrite('s1', 'Unannounced');
  expect((await b.fetch('s1'))?.nick).toBe('Before');
  await a.put('s1', session('After'));
  expect((await b.fetch('s1'))?.nick).toBe('After');
});

test('a read under way when an announcement arrives is not kept', async () => {
  const [a, b] = pair();
  await a.put('s2', session('First'));
  const reading = b.fetch('s2');
  // Announced while b's query is out: what it brings back may be what the write replaced.
  b.forget('s2');
  expect((await reading)?.nick).toBe('First');
  await rewrite('s2', 'Second');
  expect((await b.fetch('s2'))?.nick).toBe('Second');
});

test('a shared store reads a session again once its copy is older than keepMs', async () => {
  const store = new SessionStore(mongoose.connection, {
    cacheSize: 100,
    touchAfterMs: DAY,
    ttlMs: DAY,
    announce: () => undefined,
    keepMs: 0,
  });
  await store.put('s3', session('Kept'));
  await rewrite('s3', 'Reread');
  // Announcements lost (none is made here): the copy lasts keepMs at most.
  let nick: string | undefined;
  const deadline = Date.now() + 5_000;
  while (nick !== 'Reread' && Date.now() < deadline) nick = (await store.fetch('s3'))?.nick;
  expect(nick).toBe('Reread');
});

test('a lone process keeps what it read: no query for a session in use', async () => {
  const store = new SessionStore(mongoose.connection, {
    cacheSize: 100,
    touchAfterMs: DAY,
    ttlMs: DAY,
  });
  await store.put('s4', session('Mine'));
  await rewrite('s4', 'Elsewhere');
  // Nobody else writes the sessions of a lone process: memory is the truth.
  expect((await store.fetch('s4'))?.nick).toBe('Mine');
  expect(store.untouched('s4')).toBe(true);
  const withNotice = {
    ...session('Mine'),
    flash: { code: 'room_not_found' },
  } as unknown as SessionData;
  await store.put('s4', withNotice);
  // A page must show (and so change) it: the session layer is needed.
  expect(store.untouched('s4')).toBe(false);
});
