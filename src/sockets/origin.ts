import type { IncomingMessage } from 'node:http';

type AllowRequest = (
  req: IncomingMessage,
  answer: (err: string | null, ok: boolean) => void,
) => void;

/**
 * Which pages may open sockets. A browser sends its cookies with a WebSocket or polling request
 * from any site, and says where the page came from in `Origin`: a page elsewhere would otherwise
 * act as its visitor (join as them, rename them). Allowed: the origins listed in ALLOWED_ORIGINS,
 * or when none are, the site's own (the Origin's host is the Host the request came to). Clients
 * that are not browsers send no Origin and carry no one's cookies by accident.
 */
export function allowOrigins(listed: string): AllowRequest {
  const allowed = new Set(
    listed
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean)
      .map((o) => new URL(o).origin),
  );
  return (req, answer) => {
    const origin = req.headers.origin;
    if (origin === undefined) return answer(null, true);
    let ok: boolean;
    try {
      ok = allowed.size
        ? allowed.has(new URL(origin).origin)
        : new URL(origin).host === req.headers.host;
    } catch {
      ok = false;
    }
    answer(ok ? null : 'origin not allowed', ok);
  };
}

/**
 * `allow`, except while the process is `closing`: a new Engine.IO session (a handshake, or an
 * upgrade) is refused then. The HTTP server stops accepting connections when a drain begins, but
 * a connection kept alive from before still carries requests, and Engine.IO is not behind the
 * drain's gate: a long-polling client would open a session on a process about to close its
 * sockets. Refused, it retries, and reaches a process that stays. Sessions already open go on until
 * the drain ends.
 */
export function unlessClosing(closing: () => boolean, allow: AllowRequest): AllowRequest {
  return (req, answer) => (closing() ? answer('restarting', false) : allow(req, answer));
}
