import { RoomFull } from '../../src/errors';
import { colorOf, type Person } from '../../src/lib/identity';
import { Seat } from '../../src/models/seat.model';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  // Seats here are taken without tabs; the race must not outlast their expiry on a slow machine.
  h = await startHarness({ SEAT_TTL_MS: 600_000 });
});
afterAll(() => h.close());

const person = (i: number): Person => ({
  session: `racer-session-${i}`,
  pid: `racer${i}`,
  user: colorOf(`racer-session-${i}`),
});

test('200 people racing into a room of 10: exactly 10 get in, the rest are told it is full', async () => {
  const owner = await h.visitor();
  const id = await owner.createRoom({ title: 'race', max: 10 });
  const results = await Promise.allSettled(
    Array.from({ length: 200 }, (_, i) => h.admission.enter(id, person(i))),
  );
  const admitted = results.filter((r) => r.status === 'fulfilled').length;
  const refused = results.filter((r) => r.status === 'rejected');
  // The owner holds one seat already.
  expect(admitted).toBe(9);
  expect(refused.every((r) => r.status === 'rejected' && r.reason instanceof RoomFull)).toBe(true);
  expect(await Seat.countDocuments({ room: id })).toBe(10);
  const slots = (await Seat.find({ room: id }).lean()).map((s) => s.slot).sort((a, b) => a - b);
  expect(slots).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(h.rooms.view(id).size).toBe(10);
}, 120_000); // 1,000 database round trips: a backstop for a machine under load, not a time limit

test('20 people racing for the last seat: exactly one gets it', async () => {
  const owner = await h.visitor();
  const id = await owner.createRoom({ title: 'last seat', max: 2 });
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) => h.admission.enter(id, person(1000 + i))),
  );
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  expect(await Seat.countDocuments({ room: id })).toBe(2);
});

test('one person entering many times at once takes one seat', async () => {
  const owner = await h.visitor();
  const id = await owner.createRoom({ title: 'same person', max: 5 });
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, () => h.admission.enter(id, person(5000))),
  );
  expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
  expect(await Seat.countDocuments({ room: id, session: 'racer-session-5000' })).toBe(1);
  expect(await Seat.countDocuments({ room: id })).toBe(2);
});

test('concurrent page loads over HTTP hold capacity too', async () => {
  const owner = await h.visitor();
  const id = await owner.createRoom({ title: 'http race', max: 3 });
  const visitors = await Promise.all(Array.from({ length: 12 }, () => h.visitor()));
  const responses = await Promise.all(visitors.map((v) => v.agent.get(`/room/${id}`)));
  expect(responses.filter((r) => r.status === 200)).toHaveLength(2);
  expect(responses.filter((r) => r.status === 303)).toHaveLength(10);
  expect(await Seat.countDocuments({ room: id })).toBe(3);
});
