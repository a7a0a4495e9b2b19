import express, {
  Router,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { Config } from '../config';
import { parseRoomId } from '../lib/room-id';
import { ensurePid } from '../lib/identity';
import type { Redis } from '../lib/redis';
import type { Admission } from '../services/admission';
import type { ChatService } from '../services/chat.service';
import type { Limits } from '../services/limits';
import type { Conversation } from '../services/conversation';
import type { Reports } from '../services/reports';
import type { GifService } from '../services/gifs.service';
import type { Logger } from '../logger';
import type { MediaStore } from '../media/store';
import { serveMedia } from '../media/serve';
import { gifController } from './gif.controller';
import type { RoomModeration } from '../services/room.moderation';
import type { RoomPeople } from '../services/room.people';
import type { RoomService } from '../services/room.service';
import { conversationController } from './conversation.controller';
import { moderationController } from './moderation.controller';
import { roomController } from './room.controller';
import { saveSession } from './request';
import { SESSION_COOKIE } from './session';
import { csrf } from './security';
import { gifUpload } from './upload';

export interface RouteDependencies {
  config: Config;
  rooms: RoomService;
  admission: Admission;
  people: RoomPeople;
  moderation: RoomModeration;
  conversation: Conversation;
  reports: Reports;
  chat: ChatService;
  gifs: GifService;
  /** Where GIFs, posters and videos are read from. */
  media: MediaStore;
  /** Where uploads wait for the media pipeline. */
  incomingDir: string;
  logger: Logger;
  /** Set when several processes serve the site: /healthz reports it. */
  redis?: Redis;
  limits: Limits;
  /** Whether the database answers commands correctly right now. */
  databaseHealthy: () => Promise<boolean>;
  /** The lobby page (app.ts also serves it to first visits, before the session layer). */
  lobby: RequestHandler;
}

export function routes({
  config,
  rooms,
  admission,
  people,
  moderation,
  conversation,
  reports,
  chat,
  gifs,
  media,
  incomingDir,
  logger,
  limits,
  redis,
  databaseHealthy,
  lobby,
}: RouteDependencies): Router {
  const router = Router();
  const room = roomController({ rooms, admission, chat, people, limits, conversation });
  const gif = gifController({ gifs, limits, admission, people });
  const owner = moderationController({ moderation, limits });
  const talk = conversationController({
    conversation,
    reports,
    moderation,
    admission,
    people,
    limits,
  });

  // Text and GIFs share the person's message budget with their socket messages and whispers.
  const messages = async (req: Request, _res: Response, next: NextFunction) => {
    await limits.take('message', limits.person(req.sessionID));
    next();
  };

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

  // GIFs, posters and videos from the media store: byte ranges (videos seek), immutable caching.
  router.get('/gif/:name', serveMedia(media, { logger }));

  router.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }));
  router.use(express.json({ limit: '16kb' }));
  // One spelling per room: limits and unlocks are keyed by it, so pages move to it.
  router.param('id', (req, res, next, id: string) => {
    const canonical = parseRoomId(id);
    if (canonical && canonical !== id && (req.method === 'GET' || req.method === 'HEAD'))
      return res.redirect(308, req.originalUrl.replace(`/room/${id}`, `/room/${canonical}`));
    next();
  });
  router.use((req, res, next) => {
    // Forms shown again after an error reuse the token the page was given; nothing is created.
    res.locals.csrfToken = req.session.csrfToken ?? '';
    next();
  });
  router.use(csrf.csrfSynchronisedProtection);

  router.get('/', lobby);
  router.get('/room', identity, room.newRoomForm);
  router.post('/room', room.create);
  router.get('/room/:id', identity, room.enter);
  router.post('/room/:id/password', room.unlock);
  router.get('/room/:id/chats', room.history);
  router.post(
    '/room/:id/chat',
    messages,
    room.requireParticipant,
    owner.admitPost('room'),
    room.send,
  );
  router.post(
    '/room/:id/gif',
    messages,
    room.requireParticipant,
    owner.admitPost('room'),
    gif.resend,
    gifUpload(incomingDir, config.MAX_GIF_BYTES),
    gif.upload,
  );
  router.get('/gifs', gif.picker);
  router.delete('/room/:id', room.remove);
  router.post('/room/:id/settings', owner.settings);
  router.post('/room/:id/mute', owner.mute);
  router.post('/room/:id/messages/:mid/reactions', talk.react);
  router.patch('/room/:id/messages/:mid', talk.edit);
  router.delete('/room/:id/messages/:mid', talk.remove);
  router.post('/room/:id/messages/:mid/report', talk.report);
  router.get('/room/:id/reports', talk.queue);
  router.post('/room/:id/reports/:mid', talk.decide);
  router.post('/ignore', talk.ignore);
  return router;
}

export const PROBE_COOKIE = 'gifchat.hello';

/**
 * Pages that make the visitor someone (a room, the creation form) need a session. A request that
 * brings no cookie at all gets a tiny cookie and the same address again: browsers come back with
 * it and get their session then; a client that keeps no cookies never makes the server store a
 * session or give it a seat. Looking at the lobby never needs one.
 */
async function identity(req: Request, res: Response, next: NextFunction): Promise<void> {
  const cookies = req.cookies as Record<string, string | undefined>;
  if (!cookies[SESSION_COOKIE] && !cookies[PROBE_COOKIE]) {
    res.cookie(PROBE_COOKIE, '1', {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      maxAge: 10 * 60_000,
    });
    return res.redirect(302, req.originalUrl);
  }
  // A visitor's identity and token are made once; later pages reuse them unchanged.
  const fresh = ensurePid(req.session) || !req.session.csrfToken;
  res.locals.csrfToken = csrf.generateToken(req);
  // Stored before the page goes out: its script opens a socket at once, and the handshake must
  // find the session.
  if (fresh) await saveSession(req);
  next();
}
