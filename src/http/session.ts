import { signedCookie } from 'cookie-parser';
import session, { type SessionOptions } from 'express-session';
import type { RequestHandler } from 'express';
import type mongoose from 'mongoose';
import type { Config } from '../config';
import type { SweepTask } from '../services/sweeper';
import { SessionStore } from './session.store';

export const SESSION_COOKIE = 'gifchat.sid';
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Sessions {
  /** The session middleware of pages and requests. */
  middleware: RequestHandler;
  /** The same sessions, for sockets (authenticated by the cookie their handshake carried). */
  store: SessionStore;
  /** Deletes expired sessions (the sweeper runs it: FerretDB has no TTL indexes). */
  expiry: SweepTask;
  /**
   * Whether a page that shows nothing of the session may skip the session layer for this session
   * cookie (as it came, `s:<id>.<signature>`): it is genuine and its session, known from memory,
   * would be left exactly as it is by the request (see SessionStore.untouched).
   */
  untouched(cookie: string): boolean;
}

/**
 * Sessions in the database, those in use kept in memory (`shared`: announced to the other
 * processes serving the site when written, see SessionStore). Never connect-mongo's `autoRemove: 'interval'`: it deletes expired
 * sessions with w: 0, which FerretDB answers anyway, so the next command on that connection reads
 * the wrong reply (another person's session). The sweeper expires them with an acknowledged delete.
 */
export function createSessions(
  config: Config,
  connection: mongoose.Connection,
  shared?: { announce: (sid: string) => void },
): Sessions {
  const store = new SessionStore(connection, {
    cacheSize: config.SESSION_CACHE_SIZE,
    touchAfterMs: DAY_MS,
    ttlMs: WEEK_MS,
    // Other processes may write a session: they announce it, and a copy is read again after a
    // minute should an announcement be lost.
    announce: shared?.announce,
    keepMs: shared ? 60_000 : undefined,
  });
  const options: SessionOptions = {
    name: SESSION_COOKIE,
    secret: config.SESSION_SECRET,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.NODE_ENV === 'production' && config.TRUST_PROXY !== 'false' ? 'auto' : false,
      maxAge: WEEK_MS,
    },
  };
  // Cookies whose signature was checked, by their whole text (a forged one is never in it):
  // a returning visitor's signature costs one HMAC and two hashes once, not per page.
  const verified = new Map<string, string>();
  const verify = (cookie: string): string | undefined => {
    // express-session's own check: the signature made with the secret (cookie-signature).
    const sid = signedCookie(cookie, config.SESSION_SECRET);
    if (typeof sid !== 'string' || sid === cookie) return undefined;
    if (verified.size >= Math.max(config.SESSION_CACHE_SIZE, 1)) verified.clear();
    verified.set(cookie, sid);
    return sid;
  };
  return {
    middleware: session(options),
    store,
    expiry: { name: 'sessions', everyMs: 10 * 60_000, run: (now) => store.expire(now) },
    untouched: (cookie) => {
      const sid = verified.get(cookie) ?? verify(cookie);
      return sid !== undefined && store.untouched(sid);
    },
  };
}
