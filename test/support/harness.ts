import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { io as connect, type Socket } from 'socket.io-client';
import request from 'supertest';
import { createApp, type GifChat } from '../../src/app';
import { testConfig, type Config } from '../../src/config';
import { CONNECTION_OPTIONS } from '../../src/db/database';
import type { RoomId } from '../../src/lib/room-id';
import { createLogger } from '../../src/logger';
import { assertAllAcknowledged, watchUnacknowledged, type Unacknowledged } from './acknowledged';
import type { ChatMessage, Notifier, RoomView } from '../../src/services/types';
import { eventually, nextEvent, WITHIN_MS } from './wait';

type Transport = 'websocket' | 'polling';

export type Recorded = { [K in keyof Notifier]: Parameters<Notifier[K]>[] };

export interface Harness extends GifChat {
  url: string;
  config: Config;
  events: Recorded;
  visitor(): Promise<Visitor>;
  /** A connected client of the /room (lobby) namespace; closed with the harness. */
  lobby(): Promise<Socket>;
  /** A /chat connection with any cookie header (none, forged, someone's); closed with the harness. */
  tab(cookie?: string): Promise<Socket>;
  /** Stops the app alone (sockets, timers, server), keeping its database: half a restart. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** A browser: a cookie jar with its session, the page's CSRF token, and socket connections. */
export interface Visitor {
  agent: request.Agent;
  csrf: string;
  cookie: string;
  /** A /chat connection with this visitor's cookie, to this app or to another process (`at`). */
  socket(transports?: Transport[], at?: string): Promise<Socket>;
  createRoom(input?: { title?: string; max?: number; password?: string }): Promise<RoomId>;
}

const recorder = (): { events: Recorded; observer: Notifier } => {
  const events = {} as Recorded;
  const observer = new Proxy({} as Notifier, {
    get:
      (_t, name: keyof Notifier) =>
      (...args: never[]) => {
        ((events[name] ??= []) as unknown[][]).push(args);
      },
  });
  return { events, observer };
};

/** Connects mongoose to a fresh database of the run's real server. */
export async function freshDatabase(): Promise<Unacknowledged[]> {
  const url = process.env.TEST_MONGO_URL;
  if (!url)
    throw new Error(
      'TEST_MONGO_URL unset: run through jest (global setup provisions the database)',
    );
  const dbName = `gifchat_test_${randomBytes(6).toString('hex')}`;
  await mongoose.connect(url, { dbName, ...CONNECTION_OPTIONS, monitorCommands: true });
  // Every test that builds an app fails if the app sent a single unacknowledged write.
  return watchUnacknowledged(mongoose.connection);
}

/** Starts a built app on a free local port; returns its base URL. */
export async function listen(app: GifChat): Promise<string> {
  await app.start();
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** Builds the real app on a fresh database of the run's real server, listening on port 0. */
export async function startHarness(overrides: Partial<Config> = {}): Promise<Harness> {
  const unacknowledged = await freshDatabase();
  const uploads = await mkdtemp(path.join(os.tmpdir(), 'gifchat-uploads-'));
  const config = testConfig({ UPLOAD_DIR: uploads, ...overrides });
  const { events, observer } = recorder();
  const app = createApp({
    config,
    logger: createLogger('warn'),
    connection: mongoose.connection,
    observers: [observer],
  });
  const base = await listen(app);
  const { visitor, lobby, tab, sockets } = clients(base, app.server);
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= app.close());

  return {
    ...app,
    url: base,
    config,
    events,
    visitor,
    lobby,
    tab,
    stop,
    close: async () => {
      for (const s of sockets) s.disconnect();
      await stop();
      await mongoose.connection.dropDatabase().catch(() => undefined);
      await mongoose.disconnect();
      await rm(uploads, { recursive: true, force: true });
      assertAllAcknowledged(unacknowledged);
    },
  };
}

/**
 * Browsers of one server — an app in this process (`server`) or any address (`base`): visitors with
 * their own cookie jar, and lobby sockets. `sockets` holds every socket opened, to close them.
 */
export function clients(base: string, server?: Pick<GifChat, 'server'>['server']) {
  const sockets: Socket[] = [];

  const open = (url: string, cookie = '', transports: Transport[] = ['websocket']) => {
    const socket = connect(url, {
      extraHeaders: cookie ? { cookie } : {},
      transports,
      forceNew: true,
      reconnection: false,
    });
    sockets.push(socket);
    return new Promise<Socket>((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  };

  const visitor = async (): Promise<Visitor> => {
    const agent = request.agent(server ?? base);
    // The creation form gives a visitor their session (a cookie-less first request is sent back
    // with a cookie, as a browser would follow).
    const page = await agent.get('/room').redirects(1).expect(200);
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.text)?.[1] ?? '';
    const cookie =
      (page.headers['set-cookie'] as unknown as string[] | undefined)
        ?.map((c) => c.split(';')[0])
        .join('; ') ?? '';
    return {
      agent,
      csrf,
      cookie,
      socket: (transports, at = base) => open(`${at}/chat`, cookie, transports),
      createRoom: async ({ title = 'room', max = 10, password = '' } = {}) => {
        const res = await agent
          .post('/room')
          .set('x-csrf-token', csrf)
          .type('form')
          .send({ title, max, password })
          .expect(303);
        return String(res.headers.location).split('/').pop() as RoomId;
      },
    };
  };

  const lobby = () => open(`${base}/room`);
  const tab = (cookie = '') => open(`${base}/chat`, cookie);

  return { visitor, lobby, tab, sockets };
}

/** Resolves with the next `event` on `socket` that matches, or fails after `ms` (a bound, not a limit). */
export function next<T = ChatMessage>(
  socket: Socket,
  event: string,
  match: (v: T) => boolean = () => true,
  ms = WITHIN_MS,
): Promise<T> {
  return nextEvent<T>(socket, event, { match, within: ms, what: `the next ${event} event` });
}

/**
 * An uploaded GIF's message as it is once its poster (and video) are made, after the upload was
 * answered: waits for the app's `media` event about it (every upload of new bytes gets a poster).
 */
export async function withMedia(h: Pick<Harness, 'events'>, message: ChatMessage) {
  if (message.poster) return message;
  const update = await eventually(
    () => h.events.media?.find(([, u]) => u._id === message._id)?.[1],
    { what: `the media of message ${message._id}` },
  );
  return { ...message, ...update };
}

/** Emits with an acknowledgement and resolves with it. */
export function ask<T = unknown>(
  socket: Socket,
  event: string,
  payload?: unknown,
): Promise<{ ok: boolean; data?: T; error?: { code: string; message: string } }> {
  // Every acknowledged event is answered: one left unanswered fails here, naming it, instead of
  // holding the test until jest's limit.
  return new Promise((resolve, reject) => {
    const answered = (err: Error | null, reply: Awaited<ReturnType<typeof ask<T>>>) =>
      err
        ? reject(new Error(`no answer to '${event}' ${inspect(payload, { depth: 2 })} within 60 s`))
        : resolve(reply);
    const timed = socket.timeout(60_000);
    if (payload === undefined) timed.emit(event, answered);
    else timed.emit(event, payload, answered);
  });
}

/** Sends an acknowledged event as `m` and returns its data; throws if refused. */
export async function done<T = unknown>(m: { socket: Socket }, event: string, payload: object) {
  const res = await ask<T>(m.socket, event, payload);
  if (!res.ok) throw new Error(`${event} refused: ${res.error?.code}`);
  return res.data!;
}

/** `m` says `chat` (with `extra`: a reply, a client id) over the socket; the stored message. */
export const say = (m: { socket: Socket }, chat: string, extra: object = {}) =>
  done<ChatMessage>(m, 'chat', { chat, ...extra });

/** A person in a room: a visitor (new unless given) with a socket that joined `room`. */
export interface Member<J = { pid: string }> {
  v: Visitor;
  socket: Socket;
  pid: string;
  /** The join's acknowledgement. */
  joined: J;
}

/** Joins `room` with a new socket of `v` (a new visitor unless given); throws if refused. */
export async function member<J extends { pid: string } = { pid: string }>(
  h: Pick<Harness, 'visitor'>,
  room: string,
  v?: Visitor,
): Promise<Member<J>> {
  v ??= await h.visitor();
  const socket = await v.socket();
  const res = await ask<J>(socket, 'join', { room });
  if (!res.ok) throw new Error(`join refused: ${res.error?.code}`);
  return { v, socket, pid: res.data!.pid, joined: res.data! };
}

/**
 * Closes a tab and resolves once the app has handled it: the server saw the socket go, and every
 * grace period that started is over with its leave done (`settled`). An `exit` that must not (or
 * must) follow has then been sent, if it ever will be; `caughtUp` makes sure it has arrived.
 */
export async function closeTab(
  app: Pick<GifChat, 'io' | 'settled'>,
  socket: Socket,
): Promise<void> {
  const id = socket.id;
  if (!id) throw new Error('closeTab: the socket is not connected');
  socket.disconnect();
  await eventually(() => !app.io.of('/chat').sockets.has(id), {
    what: `the server to see socket ${id} close`,
  });
  await app.settled();
}

/**
 * Resolves once everything `from` sent `socket` so far has arrived: an ordering barrier for "this
 * did not happen" (a marker sent after it, through the same server and connection, comes after it).
 * Through another process's Redis adapter too: that process's broadcasts are read in order.
 */
export async function caughtUp(
  from: Pick<GifChat, 'io'>,
  socket: Socket,
  namespace: '/chat' | '/room' = '/chat',
): Promise<void> {
  const id = socket.id;
  if (!id) throw new Error('caughtUp: the socket is not connected');
  const token = randomBytes(6).toString('hex');
  const marker = nextEvent<string>(socket, 'test:marker', {
    match: (t) => t === token,
    what: 'the ordering marker',
  });
  from.io.of(namespace).to(id).emit('test:marker', token);
  await marker;
}

export const GIF_BYTES = Buffer.from(
  'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7',
  'base64',
);
export type { RoomView, ChatMessage };

/** The text of the page's one-time notice (element id="flash"), or null when there is none. */
export function flashOf(html: string): string | null {
  const at = html.indexOf('id="flash"');
  if (at < 0) return null;
  const end = html.indexOf('</div>', at);
  return html
    .slice(html.indexOf('>', at) + 1, end < 0 ? undefined : end)
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The error shown next to a form field (element id="FIELD-error"), or null. */
export function fieldError(html: string, field: string): string | null {
  const match = new RegExp(`id="${field}-error"[^>]*>([\\s\\S]*?)</`).exec(html);
  return match ? match[1]!.replace(/\s+/g, ' ').trim() : null;
}
