import mongoose from 'mongoose';
import request from 'supertest';
import { createApp, type GifChat } from '../../src/app';
import { testConfig } from '../../src/config';
import { CONNECTION_OPTIONS } from '../../src/db/database';
import { createLogger } from '../../src/logger';
import { clients, listen, type Visitor } from '../support/harness';
import { eventually } from '../support/wait';
import { stoppableDatabase, type StoppableDatabase } from '../support/outage';

// The outage lasts 10 s on purpose (the driver's reconnection, not a quick blip); recovering from
// it on a busy machine may take as long again: the bound only ends a recovery that never comes.
jest.setTimeout(120_000);

let db: StoppableDatabase;
let app: GifChat;
let base: string;
let sockets: ReturnType<typeof clients>['sockets'];
let visitor: () => Promise<Visitor>;

beforeAll(async () => {
  db = await stoppableDatabase();
  await mongoose.connect(db.url, { dbName: 'gifchat_outage', ...CONNECTION_OPTIONS });
  app = createApp({
    // Alice's seat has no tab: it must outlive the outage.
    config: testConfig({ SWEEP_INTERVAL_MS: 500, SEAT_TTL_MS: 600_000 }),
    logger: createLogger('silent'),
    connection: mongoose.connection,
  });
  base = await listen(app);
  ({ visitor, sockets } = clients(base, app.server));
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await app.close();
  await mongoose.disconnect();
  await db.destroy();
});

const send = (v: Visitor, room: string, chat: string) =>
  v.agent.post(`/room/${room}/chat`).set('x-csrf-token', v.csrf).send({ chat });

test('a database outage answers 503 everywhere, and everything resumes by itself once it is back', async () => {
  const alice = await visitor();
  const room = await alice.createRoom({ title: 'outage' });
  const acknowledged: string[] = [];
  const before = await send(alice, room, 'before the outage');
  expect(before.status).toBe(201);
  acknowledged.push('before the outage');
  expect((await request(app.server).get('/healthz')).status).toBe(200);

  await db.stop();
  const outageEnds = Date.now() + 10_000;

  // Commands fail at once on a closed port; the socket may still look open to the driver.
  await eventually(async () => (await request(app.server).get('/healthz')).status === 503, {
    every: 100,
    what: 'health to say the database is down',
  });
  const health = await request(app.server).get('/healthz');
  expect(health.body).toEqual({ status: 'degraded', db: 'down' });

  const during = await send(alice, room, 'during the outage');
  expect(during.status).toBe(503);
  expect(during.body.error).toMatchObject({ code: 'db_unavailable' });
  expect(JSON.stringify(during.body)).not.toMatch(/Mongo|at \S+ \(\S+:\d+:\d+\)/);

  // A page that needs the database says so in words, not a stack trace.
  const page = await alice.agent.get(`/room/${room}`).set('accept', 'text/html');
  expect(page.status).toBe(503);
  expect(page.text).toMatch(/database is unavailable/);
  expect(page.text).not.toMatch(/Mongo\w*Error|at \S+ \(\S+:\d+:\d+\)/);

  await new Promise((r) => setTimeout(r, Math.max(0, outageEnds - Date.now())));
  await db.start();
  // Recovery is the driver's heartbeat (1 s) and the probe's cache (1 s) away, not a restart of
  // the app: about 2 s on a quiet machine. The bounds only end a recovery that never comes.
  await eventually(async () => (await request(app.server).get('/healthz')).status === 200, {
    every: 100,
    what: 'health to say the database is back',
  });
  await eventually(async () => (await send(alice, room, 'after the outage')).status === 201, {
    // Well under MESSAGES_PER_10S, should the budget count refused sends.
    every: 500,
    what: 'a message to be accepted after the outage',
  });
  acknowledged.push('after the outage');

  const history = await alice.agent.get(`/room/${room}/chats`).expect(200);
  const texts = (history.body.messages as { chat?: string }[]).map((m) => m.chat);
  for (const text of acknowledged) expect(texts.filter((t) => t === text)).toHaveLength(1);
  expect(texts).not.toContain('during the outage');
});
