import MongoStore from 'connect-mongo';
import session, { type SessionOptions } from 'express-session';
import type { RequestHandler } from 'express';
import type mongoose from 'mongoose';
import type { Config } from '../config';
import type { SweepTask } from '../services/sweeper';

export const SESSION_COOKIE = 'gifchat.sid';
const SESSIONS = 'sessions';
const WEEK = 7 * 24 * 60 * 60;

export interface Sessions {
  /** The one session middleware, shared by Express and both Socket.IO namespaces. */
  middleware: RequestHandler;
  /** Deletes expired sessions (the sweeper runs it: FerretDB has no TTL indexes). */
  expiry: SweepTask;
}

export function createSessions(config: Config, connection: mongoose.Connection): Sessions {
  const store = MongoStore.create({
    client: connection.getClient(),
    dbName: connection.db?.databaseName,
    collectionName: SESSIONS,
    ttl: WEEK,
    // Never 'interval': connect-mongo deletes expired sessions with w: 0, which FerretDB answers
    // anyway, so the next command on that connection reads the wrong reply (another person's
    // session). Never 'native' either: FerretDB has no TTL indexes. The sweeper expires them.
    autoRemove: 'disabled',
    // A session whose data did not change is written at most once a day.
    touchAfter: 24 * 60 * 60,
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
      maxAge: WEEK * 1000,
    },
  };
  return {
    middleware: session(options),
    expiry: {
      name: 'sessions',
      everyMs: 10 * 60_000,
      run: (now) => connection.collection(SESSIONS).deleteMany({ expires: { $lt: new Date(now) } }),
    },
  };
}
