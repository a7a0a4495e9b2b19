import { Room } from '../../src/models/room.model';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ROOMS_PER_HOUR: 2, ROOMS_PER_HOUR_PER_ADDRESS: 4 });
});
afterAll(() => h.close());

test('room creation is limited per person and per address', async () => {
  const alice = await h.visitor();
  await alice.createRoom({ title: 'one' });
  await alice.createRoom({ title: 'two' });
  const third = await alice.agent
    .post('/room')
    .set('x-csrf-token', alice.csrf)
    .set('accept', 'application/json')
    .send({ title: 'three' });
  expect(third.status).toBe(429);
  const roomsBefore = await Room.countDocuments();
  // Others from the same address: together they reach the address's budget.
  const codes: number[] = [];
  for (let i = 0; i < 4; i++) {
    const v = await h.visitor();
    const res = await v.agent
      .post('/room')
      .set('x-csrf-token', v.csrf)
      .set('accept', 'application/json')
      .send({ title: `from the same address ${i}` });
    codes.push(res.status);
  }
  expect(codes.filter((c) => c === 429).length).toBeGreaterThan(0);
  expect(await Room.countDocuments()).toBe(roomsBefore + codes.filter((c) => c === 303).length);
});
