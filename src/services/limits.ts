import { createHmac } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config';
import { remembered } from '../lib/memo';
import { TooManyRequests, type ErrorCode } from '../errors';
import type { Redis } from '../lib/redis';

/** Everything a person (or an address) can do that costs the site, each with its own budget. */
export type LimitName =
  | 'message'
  | 'typing'
  | 'nick'
  | 'join'
  | 'createByPerson'
  | 'createByAddress'
  | 'password'
  | 'passwordByRoom'
  | 'ownerTools'
  | 'picker'
  | 'react';

interface Rule {
  points: number;
  seconds: number;
  /** What the refusal says (with the seconds to wait). */
  code: ErrorCode;
}

export type LimitConfig = Pick<
  Config,
  | 'MESSAGES_PER_10S'
  | 'PASSWORD_ATTEMPTS_PER_MINUTE'
  | 'TYPING_PER_10S'
  | 'NICKS_PER_MINUTE'
  | 'JOINS_PER_MINUTE'
  | 'ROOMS_PER_HOUR'
  | 'ROOMS_PER_HOUR_PER_ADDRESS'
  | 'SESSION_SECRET'
  | 'REDIS_PREFIX'
>;

function rules(config: LimitConfig): Record<LimitName, Rule> {
  return {
    // Text, GIFs and whispers share one budget, over HTTP and sockets alike.
    message: { points: config.MESSAGES_PER_10S, seconds: 10, code: 'slow_down' },
    typing: { points: config.TYPING_PER_10S, seconds: 10, code: 'slow_down' },
    nick: { points: config.NICKS_PER_MINUTE, seconds: 60, code: 'too_many_requests' },
    // A join may replay up to REPLAY_MAX messages: joins are what bounds replays.
    join: { points: config.JOINS_PER_MINUTE, seconds: 60, code: 'too_many_requests' },
    createByPerson: { points: config.ROOMS_PER_HOUR, seconds: 3600, code: 'too_many_requests' },
    createByAddress: {
      points: config.ROOMS_PER_HOUR_PER_ADDRESS,
      seconds: 3600,
      code: 'too_many_requests',
    },
    password: {
      points: config.PASSWORD_ATTEMPTS_PER_MINUTE,
      seconds: 60,
      code: 'too_many_requests',
    },
    // Many addresses guessing one room's password together.
    passwordByRoom: {
      points: config.PASSWORD_ATTEMPTS_PER_MINUTE * 6,
      seconds: 60,
      code: 'too_many_requests',
    },
    ownerTools: { points: 30, seconds: 60, code: 'too_many_requests' },
    // The GIF picker's lists: searching as one types, not scraping (each may cost a query in a cluster).
    picker: { points: 60, seconds: 60, code: 'too_many_requests' },
    react: { points: 30, seconds: 10, code: 'slow_down' },
  };
}

/** How many people's budget keys Limits remembers (a few MB at most). */
const KEYS_KEPT = 20_000;

/**
 * Per-person and per-address budgets (rate-limiter-flexible), counted in Redis when several
 * processes serve the site, so a person gets the same budget whichever process they reach. Keys
 * are keyed hashes: no raw address or session id is stored for counting.
 */
export class Limits {
  private readonly limiters: Record<LimitName, RateLimiterMemory | RateLimiterRedis>;
  private readonly codes: Record<LimitName, ErrorCode>;
  /** Slow mode: one point per key, kept as long as the room's slow mode says (customDuration). */
  private readonly slow: RateLimiterMemory | RateLimiterRedis;

  constructor(
    private readonly config: LimitConfig,
    redis?: Redis,
  ) {
    const all = rules(config);
    const entries = (Object.keys(all) as LimitName[]).map((name) => {
      const { points, seconds } = all[name];
      const memory = new RateLimiterMemory({ points, duration: seconds, keyPrefix: name });
      const limiter = redis
        ? new RateLimiterRedis({
            storeClient: redis,
            useRedisPackage: true,
            keyPrefix: `${config.REDIS_PREFIX}:rl:${name}`,
            points,
            duration: seconds,
            // Redis away: each process keeps counting on its own rather than letting all through.
            insuranceLimiter: memory,
          })
        : memory;
      return [name, limiter] as const;
    });
    this.limiters = Object.fromEntries(entries) as Record<
      LimitName,
      RateLimiterMemory | RateLimiterRedis
    >;
    const slowMemory = new RateLimiterMemory({ points: 1, duration: 1, keyPrefix: 'slow' });
    this.slow = redis
      ? new RateLimiterRedis({
          storeClient: redis,
          useRedisPackage: true,
          keyPrefix: `${config.REDIS_PREFIX}:rl:slow`,
          points: 1,
          duration: 1,
          insuranceLimiter: slowMemory,
        })
      : slowMemory;
    this.codes = Object.fromEntries(
      (Object.keys(all) as LimitName[]).map((n) => [n, all[n].code]),
    ) as Record<LimitName, ErrorCode>;
  }

  /** Spends one point of `name` for `key`; refuses with 429 (and when to retry) once spent. */
  async take(name: LimitName, key: string): Promise<void> {
    try {
      await this.limiters[name].consume(key);
    } catch (res) {
      if (res instanceof RateLimiterRes)
        throw new TooManyRequests(this.codes[name], res.msBeforeNext);
      throw res;
    }
  }

  /**
   * Slow mode: one message per `seconds` for `key` (a room and person), whichever process they
   * reach; refuses with 429 `slow_mode` and the seconds left.
   */
  async spacing(key: string, seconds: number): Promise<void> {
    try {
      await this.slow.consume(this.hash(`slow\n${key}`), 1, { customDuration: seconds });
    } catch (res) {
      if (res instanceof RateLimiterRes) throw new TooManyRequests('slow_mode', res.msBeforeNext);
      throw res;
    }
  }

  /** Like `take` for events nobody answers (typing): false once the budget is spent. */
  async allow(name: LimitName, key: string): Promise<boolean> {
    try {
      await this.take(name, key);
      return true;
    } catch (err) {
      if (err instanceof TooManyRequests) return false;
      throw err;
    }
  }

  /** Gives a point back (a password that turned out right does not count against anyone). */
  async refund(name: LimitName, key: string): Promise<void> {
    await this.limiters[name].reward(key, 1);
  }

  /**
   * A person's key: a keyed hash of their session id, asked on every message and event, so the
   * newest are remembered (an HMAC costs tens of microseconds on a busy process).
   */
  readonly person = remembered((session) => this.hash(`person\n${session}`), KEYS_KEPT);

  /** An address's key: a keyed hash, never the address itself (nor kept here). */
  address(ip: string | undefined): string {
    return this.hash(`address\n${ip ?? ''}`);
  }

  private hash(value: string): string {
    return createHmac('sha256', this.config.SESSION_SECRET)
      .update(value)
      .digest('base64url')
      .slice(0, 22);
  }
}
