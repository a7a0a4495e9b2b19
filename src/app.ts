import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import type mongoose from 'mongoose';
import morgan from 'morgan';
import nunjucks from 'nunjucks';
import { Server } from 'socket.io';
import type { Config } from './config';
import { assets } from './http/assets';
import { errorHandler, notFound } from './http/errors.middleware';
import { routes } from './http/routes';
import { securityHeaders } from './http/security';
import { createSessionMiddleware } from './http/session';
import { i18n } from './i18n';
import type { Redis } from './lib/redis';
import type { Logger } from './logger';
import { ChatService } from './services/chat.service';
import { singleProcess } from './services/cluster';
import type { RoomPeople } from './services/room.people';
import { RoomService } from './services/room.service';
import type { Notifier } from './services/types';
import { registerChatHandlers } from './sockets/chat.handlers';
import { socketCluster } from './sockets/cluster';
import { registerLobbyHandlers } from './sockets/lobby.handlers';
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
  people: RoomPeople;
  chat: ChatService;
  /** Loads the lobby view and starts the sweeper. */
  start(): Promise<void>;
  /** Stops timers and closes sockets and the HTTP server (not the database). */
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
    ...(redis && {
      adapter: createAdapter(redis, {
        streamName: `${config.REDIS_PREFIX}:socket.io`,
        channelPrefix: `${config.REDIS_PREFIX}:socket.io`,
        // Short blocking reads, so closing the app does not wait long for the stream reader.
        blockTimeInMs: 1_000,
      }),
    }),
  });
  const lobby = io.of('/room') as unknown as LobbyNamespace;
  const chatNsp = io.of('/chat') as unknown as ChatNamespace;

  const sockets = socketNotifier(lobby, chatNsp);
  const notifier = fanOut([sockets, ...observers]);
  const uploadDir = path.resolve(ROOT, config.UPLOAD_DIR);
  const chat = new ChatService({
    notifier,
    uploadDir,
    logger,
    typingTimeoutMs: config.TYPING_TIMEOUT_MS,
  });
  const cluster = redis
    ? socketCluster(lobby, chatNsp, (event) => rooms.apply(event))
    : singleProcess;
  const rooms = new RoomService({ config, notifier, chat, logger, cluster });

  const session = createSessionMiddleware(config, connection);
  io.engine.use(session);
  registerLobbyHandlers(lobby);
  registerChatHandlers(chatNsp, { rooms, people: rooms.people, chat, logger });

  app.disable('x-powered-by');
  app.set('trust proxy', parseTrustProxy(config.TRUST_PROXY));
  nunjucks.configure(path.join(ROOT, 'views'), {
    autoescape: true,
    express: app,
    noCache: config.NODE_ENV === 'development',
  });
  app.set('view engine', 'njk');

  if (config.NODE_ENV !== 'test')
    app.use(morgan(config.NODE_ENV === 'production' ? 'combined' : 'dev'));
  app.use(securityHeaders());
  app.use(i18n());
  app.use(assets(path.join(ROOT, 'public'), config));
  app.use(
    express.static(path.join(ROOT, 'public'), { maxAge: '1h', index: false, redirect: false }),
  );
  app.use(cookieParser());
  app.use(session);
  app.use(routes({ config: { ...config, UPLOAD_DIR: uploadDir }, rooms, chat, redis }));
  app.use(notFound);
  app.use(errorHandler(logger));

  return {
    app,
    server,
    io,
    rooms,
    people: rooms.people,
    chat,
    start: () => rooms.start(),
    close: async () => {
      // Sockets first, so their disconnects land before the services stop their timers.
      await io.close();
      await rooms.close();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

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
