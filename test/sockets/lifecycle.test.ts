import mongoose from 'mongoose';
import { createApp } from '../../src/app';
import { testConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { Removal } from '../../src/models/removal.model';
import { Room } from '../../src/models/room.model';
import { ServerProcess } from '../../src/models/process.model';
import { Seat } from '../../src/models/seat.model';
import { member, startHarness, type Harness } from '../support/harness';
import { eventually } from '../support/wait';

/**
 * A seat is fresh for a whole minute, so no stall of a busy machine makes it stale before a test
 * says so; a test ages it by moving its last sighting back past SEAT_TTL_MS, as time would.
 */
const SEAT_TTL = 60_000;
const age = (room: string) =>
  Seat.updateMany({ room }, { $set: { lastSeen: new Date(Date.now() - 2 * SEAT_TTL) } });

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ROOM_GRACE_MS: 50, SEAT_TTL_MS: SEAT_TTL, SWEEP_INTERVAL_MS: 600_000 });
});
afterAll(() => h.close());

test('a room whose seats were never backed by a tab expires through the sweeper', async () => {
  const owner = await h.visitor();
  const room = await owner.createRoom({ title: 'never entered' });
  await h.sweeper.sweep();
  expect(await Room.exists({ _id: room })).toBeTruthy();
  expect(h.events.roomRemoved?.some(([id]) => id === room) ?? false).toBe(false);
  await age(room);
  // A sweep under way may have read the seats before they aged: sweep until one has released the
  // seat. The removal follows after ROOM_GRACE_MS, while sweeps go on.
  await eventually(
    async () => {
      await h.sweeper.sweep();
      return !(await Seat.exists({ room }));
    },
    { what: 'the sweeper to release the stale seat' },
  );
  await eventually(
    async () => {
      await h.sweeper.sweep();
      return h.events.roomRemoved?.some(([id]) => id === room);
    },
    { what: 'the emptied room to be removed after its grace period' },
  );
  expect(await Room.exists({ _id: room })).toBeNull();
  await h.sweeper.sweep();
  expect(h.events.roomRemoved?.filter(([id]) => id === room)).toHaveLength(1);
});

test('after a crash, a restarted app sweeps what was left behind', async () => {
  const owner = await h.visitor();
  const abandoned = await owner.createRoom({ title: 'abandoned by a crash' });
  const halfRemoved = await owner.createRoom({ title: 'removal cut short' });
  // The crash was a while ago: a young tombstone may be a removal still under way.
  await Removal.create({ _id: halfRemoved, at: new Date(Date.now() - 2 * 60_000) });
  await Promise.all([age(abandoned), age(halfRemoved)]);

  // A second process starting on the same database: it knows nothing but what is stored.
  const removed: string[] = [];
  const restarted = createApp({
    config: testConfig({
      ROOM_GRACE_MS: 50,
      SEAT_TTL_MS: SEAT_TTL,
      SWEEP_INTERVAL_MS: 600_000,
      UPLOAD_DIR: h.config.UPLOAD_DIR,
    }),
    logger: createLogger('silent'),
    connection: mongoose.connection,
    observers: [{ roomRemoved: (id) => removed.push(id) }],
  });
  try {
    await restarted.start();
    await eventually(
      async () => {
        await restarted.sweeper.sweep();
        return removed.includes(abandoned) && removed.includes(halfRemoved);
      },
      { what: 'the restarted app to remove both rooms' },
    );
    expect(await Room.exists({ _id: abandoned })).toBeNull();
    expect(await Room.exists({ _id: halfRemoved })).toBeNull();
    expect(restarted.rooms.list().map((r) => r._id)).not.toContain(abandoned);
  } finally {
    await restarted.close();
  }
});

test('a sweep racing a removal does not take it for a crash: the room is removed once', async () => {
  const owner = await h.visitor();
  const rooms = await Promise.all(
    [1, 2, 3, 4].map((i) => owner.createRoom({ title: `race ${i}` })),
  );
  for (const room of rooms) {
    let done = false;
    const removal = owner.agent
      .delete(`/room/${room}`)
      .set('x-csrf-token', owner.csrf)
      .then((res) => {
        done = true;
        return res.status;
      });
    // Sweeps one after another for as long as the removal runs, so one reads its fresh tombstone.
    while (!done) await h.sweeper.sweep();
    expect(await removal).toBe(200);
  }
  await h.sweeper.sweep();
  for (const room of rooms) {
    expect(h.events.roomRemoved?.filter(([id]) => id === room)).toHaveLength(1);
  }
});

test('a young tombstone whose room stands is left to the removal under way', async () => {
  const owner = await h.visitor();
  const room = await owner.createRoom({ title: 'being removed elsewhere' });
  await Removal.create({ _id: room });
  await h.sweeper.sweep();
  expect(await Room.exists({ _id: room })).toBeTruthy();
  expect(h.events.roomRemoved?.some(([id]) => id === room) ?? false).toBe(false);
  await Removal.deleteOne({ _id: room });
});

test('a sweep writes no seat its process holds, however old: one heartbeat for them all', async () => {
  const owner = await h.visitor();
  const room = await owner.createRoom({ title: 'held by live tabs' });
  await member(h, room, owner);
  await Promise.all([1, 2, 3].map(() => member(h, room)));
  await age(room);
  const before = await Seat.find({ room }).sort({ pid: 1 }).lean();
  expect(before).toHaveLength(4);
  // Each seat names this process, the one holding its tab.
  const [me] = new Set(before.map((s) => s.proc));
  expect(me).toEqual(expect.any(String));
  await h.sweeper.sweep();
  expect(await Seat.find({ room }).sort({ pid: 1 }).lean()).toEqual(before);
  // The process itself is what the sweep marked as seen.
  const seen = await ServerProcess.findById(me).lean();
  expect(Date.now() - seen!.seen.getTime()).toBeLessThan(SEAT_TTL);
});

test('seats of a process not seen for SEAT_TTL_MS are released, or claimed where their tab is now', async () => {
  const owner = await h.visitor();
  const room = await owner.createRoom({ title: 'a process crashed' });
  const back = await member(h, room); // reconnected here after the crash: a live tab
  const gone = await h.visitor(); // their only tab was in the crashed process
  await gone.agent.get(`/room/${room}`).expect(200);
  const elsewhere = await h.visitor(); // their tab is in another process, alive
  await elsewhere.agent.get(`/room/${room}`).expect(200);
  const me = (await Seat.findOne({ room, pid: back.pid }).lean())!.proc;

  const old = new Date(Date.now() - 2 * SEAT_TTL);
  await ServerProcess.create([
    { _id: 'crashed', seen: old },
    { _id: 'alive', seen: new Date() },
  ]);
  await age(room);
  await Seat.updateMany({ room }, { $set: { proc: 'crashed' } });
  // The newest seat is `elsewhere`'s: its tab is in the process still seen.
  const elsewhereSeat = (await Seat.find({ room }).sort({ since: -1 }).lean())[0]!;
  await Seat.updateOne({ _id: elsewhereSeat._id }, { $set: { proc: 'alive' } });

  await h.sweeper.sweep();
  const left = await Seat.find({ room }).lean();
  // Claimed by this process, not released: the person's tab is here.
  expect(left.find((s) => s.pid === back.pid)?.proc).toBe(me);
  // Held by a process still seen: kept as it is.
  expect(left.find((s) => String(s._id) === String(elsewhereSeat._id))?.proc).toBe('alive');
  // The rest (the owner's and `gone`'s seats, no tab anywhere) are released.
  expect(left).toHaveLength(2);
  // None of them was ever announced in the room, so nobody is told they left.
  expect(h.events.system?.filter(([id, kind]) => id === room && kind === 'exit') ?? []).toEqual([]);
  await ServerProcess.deleteMany({ _id: { $in: ['crashed', 'alive'] } });
});

test('a sweep reads the seats of this process now and then, not every time: its tabs are known here', async () => {
  const owner = await h.visitor();
  const room = await owner.createRoom({ title: 'many tabs here' });
  await member(h, room, owner);
  await Promise.all([1, 2, 3].map(() => member(h, room)));
  // A seat this process held for a tab that is gone, its leave having failed: no tab anywhere.
  const stranded = await h.visitor();
  await stranded.agent.get(`/room/${room}`).expect(200);
  const me = (await Seat.findOne({ room, proc: { $exists: true } }).lean())!.proc;
  const strandedSeat = (await Seat.findOne({ room, proc: { $exists: false } }).lean())!;
  await Seat.updateOne({ _id: strandedSeat._id }, { $set: { proc: me } });
  await age(room);
  // Seats read by each sweep, watched as the answers of the database on the wire.
  const read: string[] = [];
  const watch = (event: { commandName: string; reply: unknown }) => {
    const batch = (event.reply as { cursor?: { firstBatch?: { room?: unknown }[] } }).cursor
      ?.firstBatch;
    if (event.commandName === 'find' && batch)
      read.push(...batch.filter((d) => String(d.room) === room).map((d) => String(d.room)));
  };
  const client = mongoose.connection.getClient();
  client.on('commandSucceeded', watch);
  try {
    await h.sweeper.sweep(); // the first sweep of this test file, or one within minutes of it
    read.length = 0;
    await h.sweeper.sweep();
    expect(read).toEqual([]);
    expect(await Seat.countDocuments({ room })).toBe(5);
    // Minutes later, a sweep reads them: the stranded seat is let go, the live tabs' are kept.
    const later = Date.now() + 6 * 60_000;
    const now = jest.spyOn(Date, 'now').mockReturnValue(later);
    try {
      await h.sweeper.sweep();
    } finally {
      now.mockRestore();
    }
    expect(read.length).toBeGreaterThanOrEqual(5);
    const left = await Seat.find({ room }).lean();
    expect(left).toHaveLength(4);
    expect(left.map((s) => String(s._id))).not.toContain(String(strandedSeat._id));
  } finally {
    client.off('commandSucceeded', watch);
  }
});
