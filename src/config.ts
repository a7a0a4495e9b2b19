import { z } from 'zod';

const EXAMPLE_SECRET = 'change-me-to-a-long-random-string';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(8005),
  HOST: z.string().default('0.0.0.0'),
  MONGO_URL: z.url().optional(),
  /** Set when several processes serve one site: Socket.IO adapter, caches and rate limits. */
  REDIS_URL: z.url().optional(),
  /** Namespaces this site's keys, streams and channels in a shared Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w.-]{1,40}$/, 'letters, digits, . _ - (at most 40)')
    .default('gifchat'),
  SESSION_SECRET: z.string().min(16).default(EXAMPLE_SECRET),
  /** Sessions kept in memory by a process serving the site alone (0: none). */
  SESSION_CACHE_SIZE: int(20_000),
  /** Re-read templates on every request (`npm run dev` sets it). */
  TEMPLATE_RELOAD: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  TRUST_PROXY: z.string().default('false'),
  UPLOAD_DIR: z.string().default('uploads'),
  DATA_DIR: z.string().default('data'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Time a room survives after its last person left, so a refresh does not destroy it. */
  ROOM_GRACE_MS: int(10_000),
  /** Time between a person's last tab leaving and their `exit` (must stay under 3 s). */
  PRESENCE_GRACE_MS: int(1_500),
  /** A seat taken by a page load but never backed by a live tab is released after this. */
  SEAT_TTL_MS: int(10_000, 1_000),
  SWEEP_INTERVAL_MS: int(5_000, 100),
  /**
   * On SIGTERM, the longest a process waits for the requests and socket events under way before it
   * closes (the whole shutdown is forced after 3 × this + 5 s).
   */
  DRAIN_MS: int(5_000).pipe(z.number().max(120_000)),
  /** "X is typing…" clears itself after this much silence. */
  TYPING_TIMEOUT_MS: int(5_000, 100),
  PASSWORD_ATTEMPTS_PER_MINUTE: int(10, 1),
  /** Messages (text or GIF) one person may send in any 10 seconds. */
  MESSAGES_PER_10S: int(30, 1),
  /** Typing on/off changes one person may send in any 10 seconds; more are dropped. */
  TYPING_PER_10S: int(20, 1),
  NICKS_PER_MINUTE: int(6, 1),
  /** Joins (each may replay what was missed) one person may make in a minute. */
  JOINS_PER_MINUTE: int(30, 1),
  ROOMS_PER_HOUR: int(10, 1),
  ROOMS_PER_HOUR_PER_ADDRESS: int(30, 1),
  /** A rejoining tab is sent at most this many missed messages; older ones by history paging. */
  REPLAY_MAX: int(200, 1),
  /** Distinct reporters after which a GIF is blurred for everyone until the owner decides. */
  REPORTS_TO_BLUR: int(3, 1),
  /**
   * Origins allowed to open sockets, comma-separated (e.g. https://chat.example). Empty: the
   * site's own origin only (the Origin must match the Host the request came to).
   */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .refine(
      (v) => v.split(',').every((o) => !o.trim() || URL.canParse(o.trim())),
      'a comma-separated list of origins such as https://chat.example',
    ),
  MAX_GIF_BYTES: int(5 * 1024 * 1024, 1),
  /** Where GIFs, posters and videos live: a directory (`UPLOAD_DIR`) or GridFS in the database. */
  MEDIA_STORE: z.enum(['local', 'gridfs']).default('local'),
  /** ffmpeg children transcoding at once, and uploads allowed to wait for one (then 503). */
  MEDIA_CONCURRENCY: int(2, 1),
  MEDIA_QUEUE: int(8, 0),
  /** An ffmpeg child running longer is killed; its GIF is served as it is. */
  MEDIA_TIMEOUT_MS: int(15_000, 1_000),
  /** Messages older than this many days, and files no message uses any more, are deleted (0: keep). */
  RETENTION_DAYS: z.coerce.number().min(0).default(0),
});

export type Config = Readonly<z.infer<typeof schema>>;

/** Parses the environment once; a bad value stops startup naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid ${issue?.path.join('.') ?? 'config'}: ${issue?.message ?? ''}`);
  }
  const config = parsed.data;
  if (config.NODE_ENV === 'production' && config.SESSION_SECRET === EXAMPLE_SECRET) {
    throw new ConfigError('SESSION_SECRET is the example value: set a long random secret');
  }
  return Object.freeze(config);
}

export class ConfigError extends Error {}

/** Config for tests and tools: defaults plus overrides, never read from process.env. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return Object.freeze({
    ...schema.parse({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
    // Test files build many rooms and joins from one address and a few people, and often post
    // over HTTP with no tab open; the limits and expiry themselves are proven by tests that set
    // them.
    SEAT_TTL_MS: 60_000,
    ROOMS_PER_HOUR: 1_000,
    ROOMS_PER_HOUR_PER_ADDRESS: 10_000,
    JOINS_PER_MINUTE: 1_000,
    ...overrides,
  });
}
