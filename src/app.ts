import { createServer, type Server as HttpServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import type mongoose from 'mongoose';
import morgan from 'morgan';
import nunjucks from 'nunjucks';
import { Server } from 'socket.io';
import type { Config } from './config';
import { assets, publicFiles } from './http/assets';
import { batchedLines } from './http/log-stream';
import { errorHandler, notFound } from './http/errors.middleware';
import { lobbyController } from './http/lobby.controller';
import { sendsJsonOrUpload } from './http/request';
import { routes } from './http/routes';
import { incomingExpiry } from './http/upload';
import { securityHeaders } from './http/security';
import { createSessions, SESSION_COOKIE } from './http/session';
import { databaseHealth } from './db/health';
import { Drain, within } from './http/drain';
import { Sweeper } from './services/sweeper';
import { i18n } from './i18n';
import type { Redis } from './lib/redis';
import type { Logger } from './logger';
import { ChatService } from './services/chat.service';
import { Conversation } from './services/conversation';
import { Reports } from './services/reports';
import { GifService } from './services/gifs.service';
import { createStore } from './media/stores';
import type { MediaStore } from './media/store';
import { Transcoder } from './media/transcode';
import { singleProcess } from './services/cluster';
import type { Admission } from './services/admission';
import type { RoomModeration } from './services/room.moderation';
import type { OwnerTools } from './services/room.owner';
import type { RoomPeople } from './services/room.people';
import type { RoomService } from './services/room.service';
import { Limits } from './services/limits';
import { createRooms } from './services/rooms';
import type { Notifier } from './services/types';
import { registerChatHandlers } from './sockets/chat.handlers';
import { socketCluster } from './sockets/cluster';
import { allowOrigins, unlessClosing } from './sockets/origin';
import { socketNotifier, type ChatNamespace, type LobbyNamespace } from './sockets/notifier';

export interface AppDependencies {
  config: Config;
  logger: Logger;
  /** An open Mongoose connection; createApp only uses it, never opens it. */
  connection: mongoose.Connection;
  /**
   * A connected Redis client when several processes serve the site: Socket.IO's adapter, the
   * processes' cache events and the rate limits go through it. createApp never closes it.
   */
  redis?: Redis;
  /** Extra observers of service events (tests record them). */
  observers?: Partial<Notifier>[];
}

export interface GifChat {
  app: Express;
  server: HttpServer;
  io: Server;
  rooms: RoomService;
  admission: Admission;
  people: RoomPeople;
  owners: OwnerTools;
  moderation: RoomModeration;
  chat: ChatService;
  gifs: GifService;
  /** Where GIFs, posters and videos are stored (MEDIA_STORE). */
  media: MediaStore;
  /** The bounded queue of ffmpeg children that make GIFs' videos. */
  transcoder: Transcoder;
  /** Expires what the database cannot (sessions, seats, rooms); `sweep()` runs it now. */
  sweeper: Sweeper;
  /** Connects to the other processes (Redis), loads the rooms and starts the sweeper. */
  start(): Promise<void>;
  /**
   * Resolves once everything received so far has taken effect: every socket event handled, and
   * every closed tab's grace period over and its leave done.
   */
  settled(): Promise<void>;
  /**
   * Drains (stops accepting, tells the tabs `restarting`, lets requests under way finish within
   * DRAIN_MS), then stops timers and closes sockets and the HTTP server (not the database or Redis).
   */
  close(): Promise<void>;
}

const ROOT = path.resolve(
  __dirname,
  '..',
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '.',
);

/** Builds the app without side effects: no connection, no listening, no timers. */
export function createApp({
  config,
  logger,
  connection,
  redis,
  observers = [],
}: AppDependencies): GifChat {
  const app = express();
  const server = createServer(app);
  const io = new Server(server, {
    serveClient: true,
    maxHttpBufferSize: 64 * 1024,
    allowRequest: unlessClosing(() => drain.draining, allowOrigins(config.ALLOWED_ORIGINS)),
  });
  const lobby = io.of('/room') as unknown as LobbyNamespace;
  const chatNsp = io.of('/chat') as unknown as ChatNamespace;

  const notifier = fanOut([socketNotifier(lobby, chatNsp), ...observers]);
  const uploadDir = path.resolve(ROOT, config.UPLOAD_DIR);
  const media = createStore(config.MEDIA_STORE, uploadDir, connection.db);
  // Beside the local store (same disk), and in no store's way: no media name starts with a dot.
  const incomingDir = path.join(uploadDir, '.incoming');
  const chat: ChatService = new ChatService({
    notifier,
    releaseMedia: (urls) => gifs.release(urls),
    logger,
    typingTimeoutMs: config.TYPING_TIMEOUT_MS,
    replayMax: config.REPLAY_MAX,
    alone: !redis,
  });
  const cluster = redis
    ? socketCluster(lobby, chatNsp, (change) => rooms.receive(change))
    : singleProcess;
  const limits = new Limits(config, redis);
  // Names this process in the seats of its live tabs and in what it hands over at a restart.
  const processId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const rooms = createRooms({
    process: processId,
    config,
    notifier,
    chat,
    logger,
    cluster,
    spacing: (key, seconds) => limits.spacing(key, seconds),
  });
  const transcoder = new Transcoder({
    concurrency: config.MEDIA_CONCURRENCY,
    maxWaiting: config.MEDIA_QUEUE,
    timeoutMs: config.MEDIA_TIMEOUT_MS,
    logger,
  });
  const gifs: GifService = new GifService({
    store: media,
    transcoder,
    limits: { maxBytes: config.MAX_GIF_BYTES },
    logger,
    post: (room, person, content, cid) => chat.post(room, person, content, cid),
    isPublic: (room) => rooms.rooms.isPublic(room),
    alone: !redis,
    process: processId,
    incomingDir,
    mediaMade: (message, update) => {
      chat.changed(message);
      notifier.media(message.room, update);
    },
  });

  const reports: Reports = new Reports({
    threshold: config.REPORTS_TO_BLUR,
    notifier,
    isOwner: (room, session) => rooms.rooms.isOwner(room, session),
    ownerPid: (room) => rooms.rooms.view(room).ownerPid,
    erase: (room, id) => conversation.erase(room, id),
    alone: !redis,
  });
  const conversation = new Conversation({
    notifier,
    chat,
    releaseMedia: (urls) => gifs.release(urls),
    blurred: (room, ids) => reports.blurredAmong(room, ids),
    alone: !redis,
  });
  // Each process keeps the sessions in use in memory; one that writes a session tells the others,
  // which forget their copy (a server-side emit reaches every other process, never the sender).
  const sessions = createSessions(
    config,
    connection,
    redis ? { announce: (sid) => lobby.serverSideEmit('session', sid) } : undefined,
  );
  if (redis)
    lobby.on('session', (sid: unknown) => {
      if (typeof sid === 'string') sessions.store.forget(sid);
    });
  const chatHandlers = registerChatHandlers(chatNsp, {
    sessions: {
      load: (sid) => sessions.store.fetch(sid),
      save: (sid, data) => sessions.store.put(sid, data),
      cookie: SESSION_COOKIE,
      secret: config.SESSION_SECRET,
    },
    people: rooms.people,
    owners: rooms.owners,
    moderation: rooms.moderation,
    conversation,
    reports,
    chat,
    gifs,
    limits,
    logger,
  });

  const drain = new Drain({
    server,
    drainMs: config.DRAIN_MS,
    logger,
    announce: (retryAfter) => {
      // This process's tabs only: with the Redis adapter a plain emit would reach every process's.
      lobby.local.emit('restarting', { retryAfter });
      chatNsp.local.emit('restarting', { retryAfter });
    },
    settled: () => chatHandlers.settled(),
  });

  const health = databaseHealth(connection);
  const retention = config.RETENTION_DAYS > 0 ? [gifs.retention(config.RETENTION_DAYS, chat)] : [];
  const sweeper = new Sweeper(
    [
      { name: 'rooms', run: () => rooms.lifecycle.sweep() },
      sessions.expiry,
      health.expiry,
      incomingExpiry(incomingDir),
      // Media a crashed or stopped process was making: a process unseen for a minute is gone.
      gifs.recovery(Math.max(config.SEAT_TTL_MS, 60_000)),
      ...retention,
    ],
    { intervalMs: config.SWEEP_INTERVAL_MS, logger },
  );

  app.disable('x-powered-by');
  app.set('trust proxy', parseTrustProxy(config.TRUST_PROXY));
  nunjucks.configure(path.join(ROOT, 'views'), {
    autoescape: true,
    express: app,
    // Compiled once and kept, but for `npm run dev` (TEMPLATE_RELOAD), which re-reads them.
    noCache: config.TEMPLATE_RELOAD,
  });
  app.set('view engine', 'njk');

  if (config.NODE_ENV !== 'test')
    app.use(
      morgan(config.NODE_ENV === 'production' ? 'combined' : 'dev', { stream: batchedLines() }),
    );
  app.use(securityHeaders());
  app.use(cookieParser());
  app.use(i18n());
  // Counts requests under way; while the process drains, answers 503 `restarting` (in the language).
  app.use(drain.gate);
  const files = assets(path.join(ROOT, 'public'), config);
  app.use(files.locals);
  const lobbyPage = lobbyController({ rooms: rooms.rooms });
  // A first visit to the lobby brings no session cookie, so it has no session to read (no notice
  // to show): it is answered before the session, body and CSRF layers, which would only make and
  // throw away an empty session. So is a returning visitor whose session this process knows to
  // have nothing for the page and nothing to store (the usual case: the session layer would only
  // parse it, hash it twice and change nothing). Anyone else gets the same page through `routes`.
  app.get('/', (req, res, next) => {
    const cookie = (req.cookies as Record<string, string | undefined>)[SESSION_COOKIE];
    if (cookie && !sessions.untouched(cookie)) return next();
    return lobbyPage(req, res);
  });
  // Pages, styles, scripts and JSON go compressed (the shared lobby above comes compressed, made
  // once per change). Not the answers to JSON and upload requests that change something (a
  // message sent, a reaction): a message or a refusal, mostly under compression's 1 KB threshold,
  // whose head and body it would wrap and inspect on the send path for nothing (~0.07 ms a POST).
  const compress = compression();
  app.use((req, res, next) =>
    req.method !== 'GET' && req.method !== 'HEAD' && sendsJsonOrUpload(req)
      ? next()
      : compress(req, res, next),
  );
  app.use(files.files);
  app.use(publicFiles(path.join(ROOT, 'public')));
  app.use(sessions.middleware);
  app.use(
    routes({
      lobby: lobbyPage,
      config: { ...config, UPLOAD_DIR: uploadDir },
      rooms: rooms.rooms,
      admission: rooms.admission,
      people: rooms.people,
      moderation: rooms.moderation,
      conversation,
      reports,
      chat,
      gifs,
      media,
      incomingDir,
      logger,
      limits,
      redis,
      databaseHealthy: health.check,
    }),
  );
  app.use(notFound);
  app.use(errorHandler(logger));

  return {
    app,
    server,
    io,
    rooms: rooms.rooms,
    admission: rooms.admission,
    people: rooms.people,
    owners: rooms.owners,
    moderation: rooms.moderation,
    chat,
    gifs,
    media,
    transcoder,
    sweeper,
    start: async () => {
      // Socket.IO's adapter reads the shared stream from now on (set on every namespace).
      if (redis) io.adapter(createAdapter(redis, adapterOptions(config.REDIS_PREFIX)));
      await chat.resume(processId);
      await rooms.start();
      await gifs.load();
      sweeper.start();
    },
    settled: async () => {
      await chatHandlers.settled();
      await rooms.settled();
    },
    close: async () => {
      // No new connections or requests; the tabs are told; what is under way finishes (DRAIN_MS).
      await drain.begin();
      // Before the sockets close: tabs dropped by a restart are not people leaving (README, "A
      // restart is not people leaving"). Their seats stay; reconnecting to any process takes them
      // back silently.
      // Leaves and sweeps already under way finish (their system lines are saved).
      await rooms.close();
      await sweeper.close();
      // The point of no return: saves are refused from here on (clients send them again after
      // reconnecting), and those begun are waited for.
      await chat.refuseSaves(drain.retryAfter);
      // No disconnect packet: browsers' Socket.IO reconnects by itself, to a running process.
      await io.close();
      const settled = await within(config.DRAIN_MS, chatHandlers.settled());
      chat.close();
      await gifs.close();
      // Nothing is saved, edited or deleted any more (unless a request or socket event outlived
      // the cap): the newest messages go to the next process.
      if (settled && drain.quiet)
        await chat
          .handOver(processId)
          .catch((err: unknown) => logger.warn('windows not handed over', { err: String(err) }));
      await drain.end();
    },
  };
}

const adapterOptions = (prefix: string) => ({
  streamName: `${prefix}:socket.io`,
  channelPrefix: `${prefix}:socket.io`,
  // Short blocking reads, so closing the app does not wait long for the stream reader.
  blockTimeInMs: 1_000,
});

function fanOut(targets: Partial<Notifier>[]): Notifier {
  return new Proxy({} as Notifier, {
    get:
      (_t, name: keyof Notifier) =>
      (...args: unknown[]) => {
        for (const target of targets)
          (target[name] as ((...a: unknown[]) => void) | undefined)?.(...args);
      },
  });
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return /^\d+$/.test(value) ? Number(value) : value;
}
