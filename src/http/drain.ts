import type { Server as HttpServer, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { Restarting } from '../errors';
import type { Logger } from '../logger';

export interface DrainDependencies {
  server: HttpServer;
  /** The longest the drain waits for requests and socket events already under way. */
  drainMs: number;
  logger: Logger;
  /** Tells the tabs connected to this process (only) that it is going away. */
  announce(retryAfter: number): void;
  /** Resolves once every socket event received so far has been handled. */
  settled(): Promise<void>;
}

/**
 * A process going away without losing what it was doing: it stops accepting connections, refuses
 * requests that still arrive on open ones (503 `restarting`, so clients try again elsewhere), tells
 * the tabs, and lets the requests and socket events under way finish (at most `drainMs`).
 */
export class Drain {
  private closing = false;
  private readonly inFlight = new Set<ServerResponse>();
  private idle?: () => void;
  private serverClosed: Promise<void> = Promise.resolve();

  constructor(private readonly deps: DrainDependencies) {}

  /** The drain has begun: nothing new is accepted any more. */
  get draining(): boolean {
    return this.closing;
  }

  /** No request is running (none was left running past the cap, or they have ended since). */
  get quiet(): boolean {
    return this.inFlight.size === 0;
  }

  /** Seconds a client should wait before trying again: about one drain. */
  get retryAfter(): number {
    return Math.max(1, Math.ceil(this.deps.drainMs / 1000));
  }

  /** First of the app's middleware (after the language): counts requests, refuses while draining. */
  readonly gate: RequestHandler = (_req, res, next) => {
    if (this.closing) {
      res.set('Connection', 'close');
      return next(new Restarting(this.retryAfter));
    }
    this.inFlight.add(res);
    res.once('close', () => {
      this.inFlight.delete(res);
      if (this.inFlight.size === 0) this.idle?.();
    });
    next();
  };

  /**
   * Stops accepting connections and tells the tabs at once (before the first await, so anything
   * that arrives after this call is refused), then waits for what is under way, at most `drainMs`.
   */
  async begin(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // Answers under way close their connection after them: no request comes on it afterwards.
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    // Closes idle kept-alive connections too; busy ones stay until their answer is sent.
    if (this.deps.server.listening)
      this.serverClosed = new Promise((resolve) => this.deps.server.close(() => resolve()));
    this.deps.announce(this.retryAfter);
    this.deps.logger.info(
      `draining: ${this.inFlight.size} request(s) in flight, waiting at most ${this.deps.drainMs} ms`,
    );
    const requestsDone = new Promise<void>((resolve) => {
      if (this.inFlight.size === 0) return resolve();
      this.idle = resolve;
    });
    const finished = await within(
      this.deps.drainMs,
      Promise.all([requestsDone, this.deps.settled()]),
    );
    if (!finished)
      this.deps.logger.warn(`drain: ${this.inFlight.size} request(s) still running after the cap`);
  }

  /** Waits for the last connections to close (at most `drainMs`), then cuts what remains. */
  async end(): Promise<void> {
    // Connections whose last answer went out before the drain began, kept alive: nothing more comes.
    this.deps.server.closeIdleConnections();
    if (!(await within(this.deps.drainMs, this.serverClosed))) {
      this.deps.server.closeAllConnections();
      await this.serverClosed;
    }
  }
}

/** Whether `promise` settled within `ms` (it is not cancelled either way). */
export async function within(ms: number, promise: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
