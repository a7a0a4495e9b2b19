import { en } from './i18n/en';
import { fill, type Params } from './i18n/fill';

/** Every refusal has a code; each reader's language says it (`errors.<code>` in the dictionaries). */
export type ErrorCode = keyof typeof en.errors;

/** What a refusal looks like on the wire: in acknowledgements and in JSON error bodies. */
export interface ErrorBody {
  code: ErrorCode;
  /** English, for logs and clients that do not translate. */
  message: string;
  params?: Params;
}

/** A refusal that is safe to show to a user, with the HTTP status it maps to. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    readonly params: Params = {},
  ) {
    super(fill(en.errors[code], params));
    this.name = new.target.name;
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (Object.keys(this.params).length) body.params = this.params;
    return body;
  }
}

export class BadRequest extends AppError {
  constructor(code: ErrorCode = 'bad_request', params?: Params) {
    super(code, 400, params);
  }
}
export class NotFound extends AppError {
  constructor(code: ErrorCode = 'not_found') {
    super(code, 404);
  }
}
export class RoomNotFound extends NotFound {
  constructor() {
    super('room_not_found');
  }
}
export class RoomFull extends AppError {
  constructor() {
    super('room_full', 409);
  }
}
export class Banned extends AppError {
  constructor() {
    super('banned', 403);
  }
}
export class PasswordRequired extends AppError {
  constructor() {
    super('password_required', 403);
  }
}
export class WrongPassword extends AppError {
  constructor() {
    super('wrong_password', 403);
  }
}
export class NotParticipant extends AppError {
  constructor() {
    super('not_participant', 403);
  }
}
/** The owner locked the room: nobody new enters (those inside stay). */
export class RoomLocked extends AppError {
  constructor() {
    super('room_locked', 403);
  }
}
export class NotOwner extends AppError {
  constructor() {
    super('not_owner', 403);
  }
}
export class Conflict extends AppError {
  constructor(code: ErrorCode) {
    super(code, 409);
  }
}
export class TooLarge extends AppError {
  constructor(code: ErrorCode = 'too_large', params?: Params) {
    super(code, 413, params);
  }
}
export class UnsupportedMedia extends AppError {
  constructor(code: ErrorCode = 'not_gif') {
    super(code, 415);
  }
}
export class TooManyRequests extends AppError {
  constructor(code: ErrorCode = 'too_many_requests', retryMs = 60_000) {
    super(code, 429, { seconds: Math.max(1, Math.ceil(retryMs / 1000)) });
  }
}
export class DatabaseUnavailable extends AppError {
  constructor() {
    super('db_unavailable', 503);
  }
}

/** This process is shutting down (a restart, a deploy): try again in a moment, maybe elsewhere. */
export class Restarting extends AppError {
  constructor(seconds: number) {
    super('restarting', 503, { seconds });
  }
}

// Driver errors that mean "the database cannot be reached now", not "this request is wrong".
const UNREACHABLE = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
]);
// Server replies meaning the same: shutting down, stepping down, interrupted.
const UNREACHABLE_CODES = new Set([91, 189, 11600, 11602, 10107, 13435, 13436]);

function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (
    UNREACHABLE.has(err.name) ||
    (err.name === 'MongoServerError' && typeof code === 'number' && UNREACHABLE_CODES.has(code))
  );
}

// Client errors raised by libraries (body parser, CSRF), by HTTP status.
const LIBRARY_CODES: Record<number, ErrorCode> = {
  403: 'csrf',
  404: 'not_found',
  413: 'too_large',
  415: 'unsupported_type',
};

/**
 * Safe view of any thrown value: AppErrors as they are, an unreachable database as 503, client
 * errors from libraries by status, the rest as 500.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err)) return new DatabaseUnavailable();
  const status =
    (err as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new AppError(LIBRARY_CODES[status] ?? 'bad_request', status);
  return new AppError('internal', 500);
}
