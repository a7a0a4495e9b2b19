import mongoose from 'mongoose';
import { Seat } from '../../src/models/seat.model';
import { watchUnacknowledged } from '../support/acknowledged';
import { startHarness, type Harness, type Visitor } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ SWEEP_INTERVAL_MS: 60_000 });
});
afterAll(() => h.close());

const pidOf = (html: string) => /data-pid="([^"]+)"/.exec(html)?.[1];

test('the unacknowledged-write guard sees a w: 0 command', async () => {
  // Its own connection: FerretDB answers the w: 0 write, which would poison the shared pool.
  const probe = await mongoose
    .createConnection(process.env.TEST_MONGO_URL!, {
      dbName: `gifchat_w0_${Date.now()}`,
      monitorCommands: true,
      maxPoolSize: 1,
    })
    .asPromise();
  try {
    const seen = watchUnacknowledged(probe);
    await probe.collection<{ _id: string }>('things').insertOne({ _id: 'bob' });
    expect(seen).toEqual([]);
    await probe
      .collection<{ _id: string }>('things')
      .deleteMany({ _id: 'nobody' }, { writeConcern: { w: 0 } });
    expect(seen).toEqual([{ name: 'delete', collection: 'things' }]);
  } finally {
    await probe.close(true);
  }
});

test('expiring sessions is an acknowledged delete, and every lookup after it gets its own document', async () => {
  const owner = await h.visitor();
  const room = await owner.createRoom({ title: 'busy', max: 100 });
  const people: { visitor: Visitor; pid: string }[] = [];
  for (let i = 0; i < 40; i++) {
    const visitor = await h.visitor();
    const page = await visitor.agent.get(`/room/${room}`).expect(200);
    people.push({ visitor, pid: pidOf(page.text)! });
  }
  const sessions = mongoose.connection.collection<{ _id: string; expires: Date }>('sessions');
  const stored = await sessions.find({}, { projection: { _id: 1 } }).toArray();
  // Half of the sessions ran out a minute ago (as after a week without a visit).
  const expired = stored.filter((_s, i) => i % 2 === 0).map((s) => s._id);
  await sessions.updateMany(
    { _id: { $in: expired } },
    { $set: { expires: new Date(Date.now() - 60_000) } },
  );

  await h.sweeper.sweep();

  expect(await sessions.countDocuments({ _id: { $in: expired } })).toBe(0);
  expect(await sessions.countDocuments({})).toBe(stored.length - expired.length);

  // Many concurrent session and seat lookups: each answer belongs to its own question.
  const seats = await Seat.find({ room }, { session: 1, pid: 1 }).lean();
  const results = await Promise.all([
    ...people.map(async ({ visitor, pid }) => {
      const page = await visitor.agent.get(`/room/${room}`);
      return { kind: 'page', status: page.status, expected: pid, got: pidOf(page.text) };
    }),
    ...seats.map(async (seat) => {
      const found = await Seat.findOne({ room, session: seat.session }).lean();
      return { kind: 'seat', status: 200, expected: seat.pid, got: found?.pid };
    }),
  ]);
  for (const r of results) expect(r.status).toBe(200);
  // A visitor whose session expired is a new person (new pid); everyone else is themselves.
  const mixedUp = results.filter(
    (r) => r.got !== r.expected && (r.kind === 'seat' || people.some((p) => p.pid === r.got)),
  );
  expect(mixedUp).toEqual([]);
  expect(results.filter((r) => r.got === r.expected).length).toBeGreaterThan(people.length / 2);
});

test('/healthz says up or down only: nothing about rooms to the world', async () => {
  const up = await h.visitor().then((v) => v.agent.get('/healthz').expect(200));
  expect(up.body).toEqual({ status: 'ok', db: 'up' });
  await h.visitor().then((v) => v.createRoom({ title: 'secret', password: 'hush' }));
  const again = await h.visitor().then((v) => v.agent.get('/healthz').expect(200));
  expect(again.text).not.toMatch(/room/i);
});
