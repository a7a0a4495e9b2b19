import type { Request, Response } from 'express';
import type { ErrorBody } from '../errors';
import { ensurePid, personOf, type Person } from '../lib/identity';

/** The person behind a request; gives the session its public id on first use. */
export function personFrom(req: Request): Person {
  ensurePid(req.session);
  return personOf(req.sessionID, req.session);
}

const JSON_OR_FORM_DATA = /^\s*(?:application\/json|multipart\/form-data)\s*(?:;|$)/i;

/**
 * A request that sends JSON or a multipart upload (fetch, the socket-less client, an API): its
 * answer is JSON. Read from the header as it came (req.is parses the type each call).
 */
export const sendsJsonOrUpload = (req: Request): boolean => {
  const type = req.headers['content-type'];
  return type !== undefined && JSON_OR_FORM_DATA.test(type);
};

/** JSON for fetch/XHR and API clients, pages for browsers navigating. */
export function wantsJson(req: Request): boolean {
  // The common answers first.
  if (sendsJsonOrUpload(req)) return true;
  if (req.xhr || req.is('application/json') || req.is('multipart/form-data')) return true;
  return req.accepts(['html', 'json']) === 'json';
}

export function setFlash(req: Request, message: ErrorBody): void {
  if (req.session) req.session.flash = message;
}

/** Stores the session now, rather than while the response is already on its way. */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.save((err: unknown) =>
      err ? reject(err instanceof Error ? err : new Error('session not saved')) : resolve(),
    ),
  );
}

/**
 * Redirects once the session is stored. express-session sends the headers before its own save
 * finishes, so a browser following the redirect fast could otherwise read the session without the
 * flash or unlock just written (or, for a new visitor, without their session at all).
 */
export async function redirectAfterSave(req: Request, res: Response, url: string): Promise<void> {
  if (req.session) await saveSession(req);
  res.redirect(303, url);
}
