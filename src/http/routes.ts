import express, { Router, type Request } from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import type { Config } from '../config';
import { NotFound, TooManyRequests } from '../errors';
import { ensurePid } from '../lib/identity';
import type { Redis } from '../lib/redis';
import type { Admission } from '../services/admission';
import type { ChatService } from '../services/chat.service';
import type { RoomService } from '../services/room.service';
import { roomController } from './room.controller';
import { saveSession } from './request';
import { csrf } from './security';
import { GIF_NAME, gifUpload } from './upload';

export interface RouteDependencies {
  config: Config;
  rooms: RoomService;
  admission: Admission;
  chat: ChatService;
  /** Shared counters when several processes serve the site; in memory otherwise. */
  redis?: Redis;
  /** Whether the database answers commands correctly right now. */
  databaseHealthy: () => Promise<boolean>;
}

/** How long until the limiter lets this request's key try again. */
const retryMs = (req: Request) => {
  const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
  return reset ? reset.getTime() - Date.now() : 60_000;
};

/** A limiter's counters: in Redis when there is one, so every process counts the same requests. */
function counters(redis: Redis | undefined, prefix: string): Store | undefined {
  if (!redis) return undefined;
  return new RedisStore({
    prefix,
    sendCommand: (...args: string[]) => redis.sendCommand(args),
  });
}

export function routes({
  config,
  rooms,
  admission,
  chat,
  redis,
  databaseHealthy,
}: RouteDependencies): Router {
  const router = Router();
  const room = roomController({ rooms, admission, chat });
  const uploadDir = config.UPLOAD_DIR;

  const passwordAttempts = rateLimit({
    windowMs: 60_000,
    limit: config.PASSWORD_ATTEMPTS_PER_MINUTE,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}:${String(req.params.id)}`,
    store: counters(redis, `${config.REDIS_PREFIX}:rl:password:`),
    handler: (req, _res, next) => next(new TooManyRequests('too_many_requests', retryMs(req))),
  });

  // Flood guard per person (session), generous enough for real conversation.
  const messages = rateLimit({
    windowMs: 10_000,
    limit: config.MESSAGES_PER_10S,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => req.sessionID ?? ipKeyGenerator(req.ip ?? ''),
    store: counters(redis, `${config.REDIS_PREFIX}:rl:messages:`),
    handler: (req, _res, next) => next(new TooManyRequests('slow_down', retryMs(req))),
  });

  // Up or down only: the world is not told how many rooms (secret ones included) exist.
  router.get('/healthz', async (_req, res) => {
    const db = (await databaseHealthy()) ? 'up' : 'down';
    // Only a site served by several processes depends on Redis.
    const shared = redis && { redis: redis.isReady ? 'up' : 'down' };
    const ok = db === 'up' && shared?.redis !== 'down';
    res
      .status(ok ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ok ? 'ok' : 'degraded', db, ...shared });
  });

  router.get('/gif/:name', (req, res, next) => {
    const name = req.params.name;
    if (!GIF_NAME.test(name)) return next(new NotFound('gif_not_found'));
    res.sendFile(
      name,
      {
        root: uploadDir,
        dotfiles: 'deny',
        maxAge: '365d',
        immutable: true,
        headers: { 'Content-Type': 'image/gif' },
      },
      (err) => err && next(new NotFound('gif_not_found')),
    );
  });

  router.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }));
  router.use(express.json({ limit: '16kb' }));
  router.use(async (req, res, next) => {
    // Pages give a visitor their identity and token once; later requests reuse them unchanged
    // (generateToken returns the stored token), so a form shown again after an error still posts.
    const fresh = req.method === 'GET' && (ensurePid(req.session) || !req.session.csrfToken);
    if (req.method === 'GET' || req.session.csrfToken) {
      res.locals.csrfToken = csrf.generateToken(req);
    }
    // A new visitor's session is stored before the page goes out: its script opens a socket at
    // once, and that handshake must find the session.
    if (fresh) await saveSession(req);
    next();
  });
  router.use(csrf.csrfSynchronisedProtection);

  router.get('/', room.lobby);
  router.get('/room', room.newRoomForm);
  router.post('/room', room.create);
  router.get('/room/:id', room.enter);
  router.post('/room/:id/password', passwordAttempts, room.unlock);
  router.get('/room/:id/chats', room.history);
  router.post('/room/:id/chat', messages, room.send);
  router.post(
    '/room/:id/gif',
    messages,
    room.requireParticipant,
    gifUpload(uploadDir, config.MAX_GIF_BYTES),
    room.gif,
  );
  router.delete('/room/:id', room.remove);
  return router;
}
