import MongoStore from 'connect-mongo';
import session, { type SessionOptions } from 'express-session';
import type { RequestHandler } from 'express';
import type mongoose from 'mongoose';
import type { Config } from '../config';

export const SESSION_COOKIE = 'gifchat.sid';
const WEEK = 7 * 24 * 60 * 60;

/** The one session middleware, shared by Express and both Socket.IO namespaces. */
export function createSessionMiddleware(
  config: Config,
  connection: mongoose.Connection,
): RequestHandler {
  const store = MongoStore.create({
    client: connection.getClient() as unknown as NonNullable<
      Parameters<typeof MongoStore.create>[0]['client']
    >,
    dbName: connection.db?.databaseName,
    collectionName: 'sessions',
    ttl: WEEK,
    // FerretDB has no TTL indexes: expired sessions are deleted on an interval instead.
    autoRemove: 'interval',
    autoRemoveInterval: 10,
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
  return session(options);
}
