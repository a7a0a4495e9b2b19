/**
 * Two real server processes (src/server.ts) behind one site. Needs a real Redis (TEST_REDIS_URL,
 * default redis://127.0.0.1:6379; .ci/run checks that it answers) besides the test database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TEST_REDIS_URL } from '../support/cluster';
import {
  ask,
  clients,
  next,
  type ChatMessage,
  type RoomView,
  type Visitor,
} from '../support/harness';
import { serve, type ServerProcess as Server } from '../support/processes';
import { eventually } from '../support/wait';

// Starting a server process compiles src/ (ts-node): on a busy 2-core machine that alone can take a
// while. The bounds only end a stuck start; they are never a measure.
jest.setTimeout(120_000);

let dirs: string[] = [];
let env: Record<string, string>;
const servers: Server[] = [];
const browsers: ReturnType<typeof clients>[] = [];

beforeAll(async () => {
  const mongo = new URL(process.env.TEST_MONGO_URL!);
  mongo.pathname = `/gifchat_test_${randomBytes(6).toString('hex')}`;
  dirs = await Promise.all(
    ['uploads', 'data'].map((d) => mkdtemp(path.join(os.tmpdir(), `gifchat-${d}-`))),
  );
  env = {
    MONGO_URL: mongo.toString(),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `gifchat-test-${randomBytes(6).toString('hex')}`,
    UPLOAD_DIR: dirs[0]!,
    DATA_DIR: dirs[1]!,
  };
  servers.push(...(await Promise.all([serve(env), serve(env)])));
});

afterAll(async () => {
  for (const socket of browsers.flatMap((b) => b.sockets)) socket.disconnect();
  for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

test('two server processes serve one site: rooms and messages cross between them', async () => {
  const [one, two] = servers as [Server, Server];
  expect(one.output()).toContain('sharing state through Redis');
  const [atOne, atTwo] = [clients(one.url), clients(two.url)];
  browsers.push(atOne, atTwo);
  const lobbyTwo = await atTwo.lobby();

  // A process reads the adapter's stream from where it stood when its reader started, a moment
  // after it began listening: rooms made before that are announced only by the database. Make
  // rooms until one is announced on the other process, however late that announcement comes
  // (each room is made by a new visitor: one may make only ROOMS_PER_HOUR).
  const made: { id: string; owner: Visitor }[] = [];
  const announced = new Set<string>();
  lobbyTwo.on('newRoom', (view: RoomView) => announced.add(view._id));
  const { id: room, owner } = await eventually(
    async () => {
      const crossed = made.find(({ id }) => announced.has(id));
      if (crossed) return crossed;
      const owner = await atOne.visitor();
      made.push({ id: await owner.createRoom({ title: `two processes ${made.length}` }), owner });
      return undefined;
    },
    { every: 1_000, within: 25_000, what: 'a newRoom crossing from one process to the other' },
  );

  const guest = await atTwo.visitor();
  await guest.agent.get(`/room/${room}`).expect(200);
  const guestTab = await guest.socket();
  expect((await ask(guestTab, 'join', room)).ok).toBe(true);
  const heard = next<ChatMessage>(guestTab, 'chat', (m) => m.chat === 'across processes');
  await owner.agent
    .post(`/room/${room}/chat`)
    .set('x-csrf-token', owner.csrf)
    .send({ chat: 'across processes' })
    .expect(201);
  expect((await heard).room).toBe(room);
});

test('each process shuts down cleanly on SIGTERM', async () => {
  for (const s of servers) s.child.kill('SIGTERM');
  const codes = await Promise.all(servers.map((s) => s.exited));
  expect(codes).toEqual([0, 0]);
  for (const s of servers) expect(s.output()).toContain('SIGTERM: shutting down');
});

test('an unreachable Redis stops start-up with one clear line', async () => {
  const attempt = serve({ ...env, REDIS_URL: 'redis://127.0.0.1:9' });
  const err = (await attempt.then(
    () => new Error('started'),
    (e: unknown) => e,
  )) as Error;
  expect(err.message).toMatch(
    /^exited with 1:\ngifchat: cannot reach Redis at redis:\/\/127\.0\.0\.1:9/,
  );
  expect(err.message).not.toMatch(/\n\s+at /);
});
