import helmet from 'helmet';
import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';

/** Helmet with a CSP that allows no inline script: all browser code is served from public/. */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        fontSrc: ["'self'"],
        // Not forced: the app is often reached over plain http on a LAN or localhost.
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
  });
}

/** Synchroniser-token CSRF (csurf is deprecated): header `x-csrf-token` or form field `_csrf`. */
export const csrf = csrfSync({
  getTokenFromRequest: (req: Request) => {
    const header = req.headers['x-csrf-token'];
    if (typeof header === 'string') return header;
    const field = (req.body as { _csrf?: unknown } | undefined)?._csrf;
    return typeof field === 'string' ? field : undefined;
  },
  errorConfig: { statusCode: 403, message: 'invalid or missing CSRF token', code: 'EBADCSRFTOKEN' },
});
