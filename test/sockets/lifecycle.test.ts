import mongoose from 'mongoose';
import { createApp } from '../../src/app';
import { testConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { Removal } from '../../src/models/removal.model';
import { Room } from '../../src/models/room.model';
import { startHarness, until, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ROOM_GRACE_MS: 50, SEAT_TTL_MS: 1000, SWEEP_INTERVAL_MS: 60_000 });
});
afterAll(() => h.close());

test('a room whose seats were never backed by a tab expires through the sweeper', async () => {
  const owner = await h.visitor();
  const room = await owner.createRoom({ title: 'never entered' });
  await h.sweeper.sweep();
  expect(await Room.exists({ _id: room })).toBeTruthy();
  await new Promise((r) => setTimeout(r, 1100));
  await h.sweeper.sweep();
  await until(() => Boolean(h.events.roomRemoved?.some(([id]) => id === room)), 3000);
  expect(await Room.exists({ _id: room })).toBeNull();
  await h.sweeper.sweep();
  expect(h.events.roomRemoved?.filter(([id]) => id === room)).toHaveLength(1);
});

test('after a crash, a restarted app sweeps what was left behind', async () => {
  const owner = await h.visitor();
  const abandoned = await owner.createRoom({ title: 'abandoned by a crash' });
  const halfRemoved = await owner.createRoom({ title: 'removal cut short' });
  await Removal.create({ _id: halfRemoved });
  await new Promise((r) => setTimeout(r, 1100));

  // A second process starting on the same database: it knows nothing but what is stored.
  const removed: string[] = [];
  const restarted = createApp({
    config: testConfig({
      ROOM_GRACE_MS: 50,
      SEAT_TTL_MS: 1000,
      SWEEP_INTERVAL_MS: 60_000,
      UPLOAD_DIR: h.config.UPLOAD_DIR,
    }),
    logger: createLogger('silent'),
    connection: mongoose.connection,
    observers: [{ roomRemoved: (id) => removed.push(id) }],
  });
  try {
    await restarted.start();
    await restarted.sweeper.sweep();
    await until(() => removed.includes(abandoned) && removed.includes(halfRemoved), 3000);
    expect(await Room.exists({ _id: abandoned })).toBeNull();
    expect(await Room.exists({ _id: halfRemoved })).toBeNull();
    expect(restarted.rooms.list().map((r) => r._id)).not.toContain(abandoned);
  } finally {
    await restarted.close();
  }
});
