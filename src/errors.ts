/** An error whose message is safe to show to a user, with the HTTP status it maps to. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequest extends AppError {
  constructor(message = 'bad request') {
    super('bad_request', 400, message);
  }
}
export class Forbidden extends AppError {
  constructor(message = 'not allowed', code = 'forbidden') {
    super(code, 403, message);
  }
}
export class NotFound extends AppError {
  constructor(message = 'not found', code = 'not_found') {
    super(code, 404, message);
  }
}
export class RoomNotFound extends NotFound {
  constructor() {
    super('room not found', 'room_not_found');
  }
}
export class RoomFull extends AppError {
  constructor() {
    super('room_full', 409, 'the room is full');
  }
}
export class Banned extends AppError {
  constructor() {
    super('banned', 403, 'you were removed from this room');
  }
}
export class PasswordRequired extends AppError {
  constructor() {
    super('password_required', 403, 'this room needs its password');
  }
}
export class WrongPassword extends AppError {
  constructor() {
    super('wrong_password', 403, 'wrong password');
  }
}
export class NotParticipant extends AppError {
  constructor() {
    super('not_participant', 403, 'you are not in this room');
  }
}
export class NotOwner extends AppError {
  constructor() {
    super('not_owner', 403, 'only the owner can do that');
  }
}
export class Conflict extends AppError {
  constructor(message: string, code = 'conflict') {
    super(code, 409, message);
  }
}
export class TooLarge extends AppError {
  constructor(message = 'too large') {
    super('too_large', 413, message);
  }
}
export class UnsupportedMedia extends AppError {
  constructor(message = 'only GIF images are accepted') {
    super('unsupported_media', 415, message);
  }
}

export class DatabaseUnavailable extends AppError {
  constructor() {
    super('db_unavailable', 503, 'the database is unavailable: try again in a moment');
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
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const messages: Record<number, string> = {
      400: 'bad request',
      403: 'invalid or missing CSRF token',
      404: 'not found',
      413: 'request too large',
      415: 'unsupported content type',
    };
    return new AppError('client_error', status, messages[status] ?? 'bad request');
  }
  return new AppError('internal', 500, 'something went wrong');
}

export class TooManyRequests extends AppError {
  constructor(message = 'too many attempts: wait a minute and try again') {
    super('too_many_requests', 429, message);
  }
}
