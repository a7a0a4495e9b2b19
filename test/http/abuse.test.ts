import mongoose from 'mongoose';
import request from 'supertest';
import { Seat } from '../../src/models/seat.model';
import { startHarness, type Harness } from '../support/harness';
import { eventually } from '../support/wait';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    PASSWORD_ATTEMPTS_PER_MINUTE: 3,
    SEAT_TTL_MS: 1_000,
    SWEEP_INTERVAL_MS: 60_000,
  });
});
afterAll(() => h.close());

const sessions = () => mongoose.connection.collection('sessions').countDocuments();
const spellings = (id: string) => [
  id,
  id.toUpperCase(),
  id.slice(0, 12).toUpperCase() + id.slice(12),
  id.slice(0, 12) + id.slice(12).toUpperCase(),
  [...id].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join(''),
  [...id].map((c, i) => (i % 2 ? c : c.toUpperCase())).join(''),
  id.slice(0, 23) + id.slice(23).toUpperCase(),
];

test('password guesses count against the room, however its id is spelled', async () => {
  const owner = await h.visitor();
  const id = await owner.createRoom({ title: 'vault', password: 'open sesame' });
  const guesser = await h.visitor();
  const statuses: number[] = [];
  for (const spelling of spellings(id)) {
    const res = await guesser.agent
      .post(`/room/${spelling}/password`)
      .set('x-csrf-token', guesser.csrf)
      .set('accept', 'application/json')
      .send({ password: 'wrong guess' });
    statuses.push(res.status);
  }
  expect(statuses).toEqual([403, 403, 403, 429, 429, 429, 429]);
  // The right password, through another spelling, does not get past the limit either.
  const right = await guesser.agent
    .post(`/room/${id.toUpperCase()}/password`)
    .set('x-csrf-token', guesser.csrf)
    .set('accept', 'application/json')
    .send({ password: 'open sesame' });
  expect(right.status).toBe(429);
  expect(right.body.error).toMatchObject({ code: 'too_many_requests' });
  expect(right.body.error.params.seconds).toBeGreaterThan(0);
});

test('a room page asked for by another spelling of its id moves to the one spelling', async () => {
  const owner = await h.visitor();
  const id = await owner.createRoom({ title: 'one spelling' });
  const res = await owner.agent.get(`/room/${id.toUpperCase()}/chats?before=5`);
  expect(res.status).toBe(308);
  expect(res.headers.location).toBe(`/room/${id}/chats?before=5`);
});

test('a visitor who only looks stores nothing; a request without cookies takes no seat', async () => {
  const owner = await h.visitor();
  const id = await owner.createRoom({ title: 'ten seats', max: 10 });
  const before = await sessions();
  for (let i = 0; i < 200; i++) await request(h.server).get('/').expect(200);
  for (let i = 0; i < 9; i++) {
    const res = await request(h.server).get(`/room/${id}`);
    // A browser would come back with the cookie it was just given; this client never does.
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/room/${id}`);
    expect(String(res.headers['set-cookie'])).toMatch(/gifchat\.hello=1/);
    expect(String(res.headers['set-cookie'])).not.toMatch(/gifchat\.sid/);
  }
  expect(await sessions()).toBe(before);
  expect(await Seat.countDocuments({ room: id })).toBe(1);
  // A client that keeps its cookies (a browser) is let in after one round trip.
  const browser = request.agent(h.server);
  await browser.get(`/room/${id}`).redirects(1).expect(200);
  expect(await Seat.countDocuments({ room: id })).toBe(2);
});

test('a seat no tab ever backs is released after SEAT_TTL_MS', async () => {
  const owner = await h.visitor();
  const id = await owner.createRoom({ title: 'drive-by' });
  const visitor = await h.visitor();
  await visitor.agent.get(`/room/${id}`).expect(200);
  expect(await Seat.countDocuments({ room: id })).toBe(2);
  // The seat expires SEAT_TTL_MS after it was taken: sweep until a sweep has released it.
  await eventually(
    async () => {
      await h.sweeper.sweep();
      return (await Seat.countDocuments({ room: id })) === 0;
    },
    { every: 100, what: 'a sweep to release the seat no tab backs' },
  );
  expect(h.rooms.list().find((r) => r._id === id)?.size ?? 0).toBe(0);
});
