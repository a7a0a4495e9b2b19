import type { ErrorRequestHandler, RequestHandler } from 'express';
import { Banned, NotFound, RoomFull, RoomLocked, RoomNotFound, toAppError } from '../errors';
import type { Logger } from '../logger';
import { redirectAfterSave, setFlash, wantsJson } from './request';

export const notFound: RequestHandler = (_req, _res, next) => next(new NotFound('page_not_found'));

/** The only place errors become responses: JSON or a page, a safe message, never a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    const error = toAppError(err);
    // A full transcoding queue, or a process draining for a restart, is not a fault.
    if (error.status >= 500 && error.code !== 'media_busy' && error.code !== 'restarting') {
      logger.error('request failed', {
        method: req.method,
        path: req.path,
        err: err instanceof Error ? err.stack : String(err),
      });
    }
    if (res.headersSent) return next(err);
    // A busy server (the transcoding queue) or a draining one says when to come back.
    if (error.status === 503 && typeof error.params.seconds === 'number')
      res.set('Retry-After', String(error.params.seconds));
    if (wantsJson(req)) {
      return res.status(error.status).json({ ok: false, error: error.toBody() });
    }
    // Pages that cannot be entered send people back to the lobby with a one-time notice.
    const backToLobby =
      error instanceof RoomNotFound ||
      error instanceof RoomFull ||
      error instanceof Banned ||
      error instanceof RoomLocked;
    // With the notice kept in the session; a request that brought no identity gets none (and no
    // stored session: looking stores nothing).
    if (req.method === 'GET' && backToLobby && req.session?.pid) {
      setFlash(req, error.toBody());
      return void redirectAfterSave(req, res, '/').catch(() => res.redirect(303, '/'));
    }
    res.status(error.status).render(error.status === 404 ? '404.njk' : 'error.njk', {
      status: error.status,
      message: error.toBody(),
    });
  };
}
