/**
 * A restart, for real: two server processes (src/server.ts) serve one site (Redis, one database)
 * behind a front door that sends each new connection to the first process that accepts it. One
 * gets SIGTERM while a request is in flight and tabs are connected: what it had begun finishes,
 * what comes after is refused as `restarting` (never a 500), the tabs are told, it exits 0, and a
 * tab reconnecting through the door to the other process catches up on every acknowledged
 * message, once, in order. Needs a real Redis (TEST_REDIS_URL) besides the test database.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { TEST_REDIS_URL } from '../support/cluster';
import { ask, clients, type ChatMessage, type Visitor } from '../support/harness';
import { eventually } from '../support/wait';
import { frontDoor, said, serve, type FrontDoor, type ServerProcess } from '../support/processes';

// Two processes start, one drains and exits: generous, for a loaded two-core machine.
jest.setTimeout(180_000);

// Far longer than the test needs between SIGTERM and the end of the request in flight (the drain
// ends as soon as that request is done), so a loaded machine does not reach the cap.
const DRAIN_MS = 30_000;

let dirs: string[] = [];
let one: ServerProcess;
let two: ServerProcess;
let door: FrontDoor;
const sockets: Socket[] = [];

beforeAll(async () => {
  const mongo = new URL(process.env.TEST_MONGO_URL!);
  mongo.pathname = `/gifchat_test_${randomBytes(6).toString('hex')}`;
  dirs = await Promise.all(
    ['uploads', 'data'].map((d) => mkdtemp(path.join(os.tmpdir(), `gifchat-${d}-`))),
  );
  const env = {
    MONGO_URL: mongo.toString(),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `gifchat-test-${randomBytes(6).toString('hex')}`,
    UPLOAD_DIR: dirs[0]!,
    DATA_DIR: dirs[1]!,
    DRAIN_MS: String(DRAIN_MS),
    // Seats of tabs that do not come back are released long after this test: any `left` line seen
    // here would be the restart itself making people leave.
    SEAT_TTL_MS: '600000',
    JOINS_PER_MINUTE: '1000',
    MESSAGES_PER_10S: '1000',
  };
  [one, two] = await Promise.all([serve(env), serve(env)]);
  door = await frontDoor([one.port, two.port]);
});

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await door?.close();
  for (const s of [one, two]) if (s && s.child.exitCode === null) s.child.kill('SIGTERM');
  await Promise.all([one, two].map((s) => s?.exited));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A tab as the browser's room.js keeps one: rejoins after every reconnect with the last seq seen. */
function tab(url: string, v: Visitor, room: string) {
  const socket = connect(`${url}/chat`, {
    extraHeaders: { cookie: v.cookie },
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 200,
    reconnectionDelayMax: 1_000,
  });
  sockets.push(socket);
  // What the page shows, by seq: a message heard live and replayed again counts once.
  const timeline = new Map<number, ChatMessage>();
  const state = { joins: 0, joinedOn: '', refused: '', user: '', restarting: [] as unknown[] };
  const lastSeq = () => Math.max(0, ...timeline.keys());
  const show = (m: ChatMessage) => timeline.set(m.seq, m);
  for (const event of ['chat', 'join', 'exit']) socket.on(event, show);
  socket.on('restarting', (info: unknown) => state.restarting.push(info));
  socket.on('connect', () => {
    void ask<{ user: string }>(socket, 'join', { room, after: lastSeq() }).then((reply) => {
      if (!reply.ok) return void (state.refused = reply.error?.code ?? 'refused');
      state.user = reply.data!.user;
      state.joinedOn = socket.id ?? '';
      state.joins += 1;
    });
  });
  const ordered = () => [...timeline.values()].sort((a, b) => a.seq - b.seq);
  return { socket, state, ordered };
}
type Tab = ReturnType<typeof tab>;

/**
 * Sends a chat as the outbox does: a refusal `restarting`, or no answer (the socket dropped), is
 * sent again with the same client id once the tab is back; returns the saved message.
 */
async function sendUntilSaved({ socket, state }: Tab, chat: string): Promise<ChatMessage> {
  const cid = randomUUID();
  for (;;) {
    await eventually(() => socket.connected && state.joinedOn === socket.id, { within: 60_000 });
    const reply = await socket
      .timeout(30_000)
      .emitWithAck('chat', { chat, cid })
      .catch(() => undefined);
    if (reply?.ok) return reply.data as ChatMessage;
    if (reply && reply.error?.code !== 'restarting')
      throw new Error(`refused: ${JSON.stringify(reply)}`);
    // Refused for the restart, or unanswered: the tab reconnects, then it goes again.
    await eventually(() => !socket.connected || reply === undefined, { within: 60_000 });
  }
}

/** Reads one HTTP/1.1 response (with a Content-Length) from a raw socket. */
function readResponse(socket: net.Socket) {
  return new Promise<{ status: number; headers: Record<string, string>; body: string }>(
    (resolve, reject) => {
      let data = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
        const head = data.indexOf('\r\n\r\n');
        if (head < 0) return;
        const lines = data.subarray(0, head).toString().split('\r\n');
        const headers = Object.fromEntries(
          lines.slice(1).map((l) => {
            const at = l.indexOf(':');
            return [l.slice(0, at).trim().toLowerCase(), l.slice(at + 1).trim()];
          }),
        );
        const length = Number(headers['content-length'] ?? 0);
        if (data.length < head + 4 + length) return;
        socket.off('data', onData).off('error', reject);
        resolve({
          status: Number(lines[0]!.split(' ')[1]),
          headers,
          body: data.subarray(head + 4, head + 4 + length).toString(),
        });
      };
      socket.on('data', onData).once('error', reject);
    },
  );
}

const chatHeaders = (v: Visitor, body: string) =>
  [
    `Cookie: ${v.cookie}`,
    `X-CSRF-Token: ${v.csrf}`,
    'Content-Type: application/json',
    'Accept: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ].join('\r\n');

test('SIGTERM drains one process; its tabs reconnect to the other and miss nothing', async () => {
  // The room, made through the process that stays.
  const owner = await clients(two.url).visitor();
  const room = await owner.createRoom({ title: 'restart' });
  const acked: ChatMessage[] = [];
  const post = async (v: Visitor, chat: string) => {
    const res = await v.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', v.csrf)
      .send({ chat })
      .expect(201);
    acked.push(res.body as ChatMessage);
  };

  // A probe tab on the draining process hears what the other one posts: both read the adapter's
  // stream (a reader starts at the stream's end, a moment after its process listens).
  const prober = await clients(one.url).visitor();
  await prober.agent.get(`/room/${room}`).expect(200);
  const probe = tab(one.url, prober, room);
  await eventually(() => probe.state.joins === 1, { within: 30_000 });
  for (let round = 0; ; round++) {
    if (round === 40) throw new Error('the processes do not hear each other');
    await post(owner, `probe ${round}`);
    const heard = await eventually(() => probe.ordered().some((m) => m.chat === `probe ${round}`), {
      within: 3_000,
    }).then(
      () => true,
      () => false,
    );
    if (heard) break;
  }

  // The reader: its page and tab come through the door, so to the first process.
  const readerV = await clients(door.url).visitor();
  await readerV.agent.get(`/room/${room}`).expect(200);
  const reader = tab(door.url, readerV, room);
  await eventually(() => reader.state.joins === 1, { within: 30_000 });
  expect(reader.state.refused).toBe('');
  const lobby = connect(`${one.url}/room`, { transports: ['websocket'], reconnection: false });
  sockets.push(lobby);
  await new Promise<void>((resolve) => lobby.once('connect', () => resolve()));
  const lobbyHeard = new Promise((resolve) => lobby.once('restarting', resolve));

  // Everything acknowledged so far has reached the reader (it rejoins after the last it saw).
  const seenAll = () =>
    eventually(
      () => {
        const seen = new Set(reader.ordered().map((m) => m._id));
        return acked.every((m) => seen.has(m._id));
      },
      { within: 60_000 },
    );
  for (let i = 1; i <= 3; i++) await post(owner, `before ${i}`);
  acked.push(await sendUntilSaved(reader, 'reader before'));
  await seenAll();

  // In flight when SIGTERM lands: the headers are read (the 100 Continue says so), the body not.
  const writer = await clients(one.url).visitor();
  await writer.agent.get(`/room/${room}`).expect(200);
  const inFlightBody = JSON.stringify({ chat: 'in flight' });
  const inFlight = http.request(`${one.url}/room/${room}/chat`, {
    method: 'POST',
    agent: false,
    headers: {
      cookie: writer.cookie,
      'x-csrf-token': writer.csrf,
      'content-type': 'application/json',
      accept: 'application/json',
      'content-length': Buffer.byteLength(inFlightBody),
      expect: '100-continue',
    },
  });
  const inFlightAnswer = new Promise<{
    status: number;
    body: string;
    headers: http.IncomingHttpHeaders;
  }>((resolve, reject) => {
    inFlight.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    inFlight.once('error', reject);
  });
  await new Promise((resolve) => inFlight.once('continue', resolve));

  // A kept-alive connection with the next request begun: sent in one write with a whole request
  // whose answer proves the server has read both.
  const kept = net.connect(one.port, '127.0.0.1');
  await new Promise((resolve) => kept.once('connect', resolve));
  const lateBody = JSON.stringify({ chat: 'too late' });
  kept.write(
    `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nPOST /room/${room}/chat HTTP/1.1\r\nHost: 127.0.0.1\r\n`,
  );
  expect((await readResponse(kept)).status).toBe(200);

  one.child.kill('SIGTERM');
  await said(one, 'draining:');

  // The tabs and the lobby of the draining process are told.
  await eventually(() => reader.state.restarting.length > 0 && probe.state.restarting.length > 0, {
    within: 30_000,
  });
  expect(reader.state.restarting[0]).toEqual({ retryAfter: DRAIN_MS / 1000 });
  expect(await lobbyHeard).toEqual({ retryAfter: DRAIN_MS / 1000 });

  // The request begun on the kept-alive connection: refused, as a restart, never a 500.
  const late = readResponse(kept);
  kept.write(`${chatHeaders(writer, lateBody)}\r\n\r\n${lateBody}`);
  const refused = await late;
  expect(refused.status).toBe(503);
  expect(refused.headers['retry-after']).toBe(String(DRAIN_MS / 1000));
  expect(refused.headers.connection).toBe('close');
  expect(JSON.parse(refused.body)).toMatchObject({ ok: false, error: { code: 'restarting' } });

  // A new connection: refused (nobody listens) or, if it slipped in, 503 — never a 500.
  const fresh = await new Promise<string>((resolve) => {
    http
      .get(`${one.url}/healthz`, { agent: false }, (res) => {
        res.resume();
        resolve(String(res.statusCode));
      })
      .once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
  expect(['ECONNREFUSED', 'ECONNRESET', '503']).toContain(fresh);

  // Life goes on meanwhile: through the other process, and on the draining one's open socket.
  await post(owner, 'during 1');
  acked.push(await sendUntilSaved(reader, 'reader during'));
  await post(owner, 'during 2');

  await seenAll();
  // The request in flight finishes, saved.
  inFlight.end(inFlightBody);
  const finished = await inFlightAnswer;
  expect(finished.status).toBe(201);
  // Its connection closes after it: nothing more is sent to the draining process that way.
  expect(finished.headers.connection).toBe('close');
  acked.push(JSON.parse(finished.body) as ChatMessage);

  // Done in well under the force-exit cap: that one exits 1.
  expect(await one.exited).toBe(0);
  expect(one.output()).not.toMatch(/request failed|not closed after/);

  // The reader's Socket.IO reconnects, through the door, to the running process, and rejoins.
  await eventually(() => reader.state.joins >= 2, { within: 60_000 });
  await post(owner, 'after 1');
  acked.push(await sendUntilSaved(reader, 'reader after'));
  await post(owner, 'after 2');

  const texts = acked.map((m) => m.chat);
  await seenAll();
  const shown = reader.ordered().filter((m) => m.user !== 'system');
  // Every acknowledged message once, in the order it was acknowledged (each send awaited the one
  // before), and nothing refused.
  const ours = shown.filter((m) => texts.includes(m.chat));
  expect(ours.map((m) => m.chat)).toEqual(
    [...acked].sort((a, b) => a.seq - b.seq).map((m) => m.chat),
  );
  expect(new Set(ours.map((m) => m._id)).size).toBe(ours.length);
  expect(shown.map((m) => m.chat)).not.toContain('too late');
  // The order of acknowledgement is the order of the room.
  expect(acked.map((m) => m.seq)).toEqual([...acked.map((m) => m.seq)].sort((a, b) => a - b));

  // What is stored agrees: each acknowledged message once, and the refused one never.
  const stored = (await owner.agent.get(`/room/${room}/chats`).expect(200)).body as {
    messages: ChatMessage[];
  };
  const storedTexts = stored.messages.map((m) => m.chat);
  for (const t of texts) expect(storedTexts.filter((s) => s === t)).toHaveLength(1);
  expect(storedTexts).not.toContain('too late');

  // A restart is not people leaving: no `left` line, and the reader joined the room once.
  const system = reader.ordered().filter((m) => m.user === 'system');
  expect(system.filter((m) => m.kind === 'left')).toEqual([]);
  expect(system.filter((m) => m.kind === 'joined' && m.name === reader.state.user)).toHaveLength(1);
  kept.destroy();
});
