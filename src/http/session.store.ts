import { Store, type SessionData } from 'express-session';
import type mongoose from 'mongoose';
import { isDuplicateKey } from '../lib/mongo';

/** A stored session, in the shape connect-mongo used (sessions made before keep working). */
interface StoredSession {
  _id: string;
  /** The session as JSON. */
  session: string;
  expires: Date;
  lastModified?: Date;
}

interface Cached {
  json: string;
  expires: number;
  touchedAt: number;
  /** When it was read or written here (a shared store keeps it for `keepMs` at most). */
  since: number;
  /** Whether it holds a one-time notice (a page shows it, and so changes the session). */
  flash: boolean;
}

export interface SessionStoreOptions {
  /** The sessions kept in memory (least recently used go first); 0 keeps none. */
  cacheSize: number;
  /** A session whose data did not change is written at most this often (its expiry moves on). */
  touchAfterMs: number;
  /** Used when a session has no cookie expiry. */
  ttlMs: number;
  /**
   * Set when other processes serve the site too: tells them this process wrote a session (they
   * call `forget`). Their copies then last `keepMs` at most, should an announcement be lost.
   */
  announce?: (sid: string) => void;
  /** How long a shared store keeps a session in memory without reading it again. */
  keepMs?: number;
}

/**
 * Sessions in the database, looked up by `_id` alone (the one filter every server answers
 * directly), with the sessions in use kept in memory so a page, a post or a socket handshake of
 * someone active costs no query. When several processes serve the site, each announces the
 * sessions it writes and the others forget their copies (a read that was under way when such an
 * announcement came is not kept), and a copy is read again after `keepMs` in any case. Every
 * write is acknowledged.
 */
export class SessionStore extends Store {
  private readonly cache = new Map<string, Cached>();
  /** Counts the announcements heard: a read begun before one may bring back what it replaced. */
  private forgotten = 0;

  constructor(
    private readonly connection: mongoose.Connection,
    private readonly options: SessionStoreOptions,
  ) {
    super();
  }

  private get sessions() {
    return this.connection.collection<StoredSession>('sessions');
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    const cached = this.fresh(sid);
    if (cached) return callback(null, JSON.parse(cached.json) as SessionData);
    const forgotten = this.forgotten;
    this.sessions
      .findOne({ _id: sid })
      .then((doc) => {
        if (!doc || doc.expires.getTime() <= Date.now()) return callback(null, null);
        const session = JSON.parse(doc.session) as SessionData;
        const touchedAt = doc.lastModified?.getTime() ?? 0;
        if (forgotten === this.forgotten)
          this.remember(sid, doc.session, doc.expires.getTime(), touchedAt, session);
        callback(null, session);
      })
      .catch((err: unknown) => callback(err));
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    const json = JSON.stringify(session);
    const expires = this.expiryOf(session);
    const doc = { session: json, expires: new Date(expires), lastModified: new Date() };
    this.write(sid, doc)
      .then(() => {
        this.remember(sid, json, expires, Date.now(), session);
        // Told before the request goes on, so a next request served elsewhere finds it forgotten.
        this.options.announce?.(sid);
        callback?.();
      })
      .catch((err: unknown) => callback?.(err));
  }

  override touch(sid: string, session: SessionData, callback?: () => void): void {
    const cached = this.fresh(sid);
    const now = Date.now();
    if (cached && now - cached.touchedAt < this.options.touchAfterMs) return callback?.();
    const expires = this.expiryOf(session);
    this.sessions
      .updateOne({ _id: sid }, { $set: { expires: new Date(expires), lastModified: new Date() } })
      .then(() => {
        if (cached) Object.assign(cached, { expires, touchedAt: now });
        callback?.();
      })
      // A failed touch only shortens the session's life; the request goes on.
      .catch(() => callback?.());
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.cache.delete(sid);
    this.sessions
      .deleteOne({ _id: sid })
      .then(() => {
        this.options.announce?.(sid);
        callback?.();
      })
      .catch((err: unknown) => callback?.(err));
  }

  /**
   * Whether a request that only reads the session would leave it as it is, known from memory
   * alone: the session is kept here, unexpired, holds no one-time notice, and its touch is not due.
   * Such a request may skip the session layer (express-session would change nothing, store nothing).
   */
  untouched(sid: string): boolean {
    const entry = this.fresh(sid);
    return !!entry && !entry.flash && Date.now() - entry.touchedAt < this.options.touchAfterMs;
  }

  /** Another process wrote this session: the copy here (or a read under way) is out of date. */
  forget(sid: string): void {
    this.forgotten++;
    this.cache.delete(sid);
  }

  /** The session, as `get` gives it, for code that is not a request (sockets). */
  fetch(sid: string): Promise<SessionData | null> {
    return new Promise((resolve, reject) =>
      this.get(sid, (err, session) => (err ? reject(asError(err)) : resolve(session ?? null))),
    );
  }

  put(sid: string, session: SessionData): Promise<void> {
    return new Promise((resolve, reject) =>
      this.set(sid, session, (err) => (err ? reject(asError(err)) : resolve())),
    );
  }

  /** Deletes the sessions that expired (the sweeper runs it: FerretDB has no TTL indexes). */
  async expire(now: number): Promise<void> {
    for (const [sid, entry] of this.cache) if (entry.expires <= now) this.cache.delete(sid);
    await this.sessions.deleteMany({ expires: { $lt: new Date(now) } });
  }

  /**
   * Insert, or replace by `_id` a session already stored. A new session (every new visitor) is an
   * insert, which the unique `_id` index answers at once; an upsert would first look for the
   * session, and over FerretDB/SQLite that look scans every stored session (~140 ms with 50,000).
   * Two racing inserts of one new session: the loser replaces.
   */
  private async write(sid: string, doc: Omit<StoredSession, '_id'>): Promise<void> {
    // A session in memory is known to be stored; any other is most likely new.
    if (!this.cache.has(sid)) {
      try {
        await this.sessions.insertOne({ _id: sid, ...doc });
        return;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    await this.sessions.replaceOne({ _id: sid }, doc, { upsert: true });
  }

  private fresh(sid: string): Cached | undefined {
    const entry = this.cache.get(sid);
    if (!entry) return undefined;
    const now = Date.now();
    if (entry.expires <= now || now - entry.since > (this.options.keepMs ?? Infinity)) {
      this.cache.delete(sid);
      return undefined;
    }
    // Most recently used last: the first entry is the one to drop when full.
    this.cache.delete(sid);
    this.cache.set(sid, entry);
    return entry;
  }

  private remember(
    sid: string,
    json: string,
    expires: number,
    touchedAt: number,
    session: Partial<SessionData>,
  ): void {
    if (this.options.cacheSize <= 0) return;
    this.cache.delete(sid);
    const flash = session.flash !== undefined;
    this.cache.set(sid, { json, expires, touchedAt, since: Date.now(), flash });
    if (this.cache.size > this.options.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private expiryOf(session: SessionData): number {
    // The cookie's remaining life (a live Cookie), or its end as stored (a session read back as
    // data, as sockets write it); without either, the store's default.
    const left = session.cookie?.maxAge;
    if (typeof left === 'number') return Date.now() + left;
    const stored = (session.cookie as { expires?: unknown } | undefined)?.expires;
    const end = typeof stored === 'string' ? Date.parse(stored) : NaN;
    return Number.isNaN(end) ? Date.now() + this.options.ttlMs : end;
  }
}

const asError = (err: unknown) => (err instanceof Error ? err : new Error('session store failed'));
