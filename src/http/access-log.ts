import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

export type AccessLogFormat = 'combined' | 'dev';

interface Sink {
  write(line: string): unknown;
}

/**
 * One line per request once its answer is done (or its connection gone), in morgan's `combined`
 * (production) or `dev` format, values escaped as morgan escapes them (no line breaks or quotes
 * from a client end up raw in the log).
 *
 * Why not morgan: measured on the lobby (50 concurrent clients, production), morgan cost about a
 * third of the requests per second (4,400 against 6,700–7,500 with this): it wraps `writeHead`,
 * attaches several listeners per request through on-finished, reads `req.ip` and the time twice,
 * and calls a function per field. This listens once, for `close` (after `finish`, or when the
 * client went away), and builds the line from one template.
 */
export function accessLog(
  format: AccessLogFormat,
  sink: Sink = process.stdout,
  colour = !process.env.NO_COLOR,
): RequestHandler {
  const line = format === 'combined' ? combined : dev(colour);
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // Read now, as morgan does (after the answer the socket may be gone); `req.ip` follows
    // TRUST_PROXY to the client behind a proxy.
    const address = req.ip ?? req.socket.remoteAddress;
    res.once('close', () => sink.write(line(req, res, address, started)));
    next();
  };
}

type Line = (
  req: IncomingMessage & { originalUrl?: string },
  res: ServerResponse,
  address: string | undefined,
  started: bigint,
) => string;

/** `:remote-addr - :remote-user [:date[clf]] ":method :url HTTP/:http-version" :status :res[content-length] ":referrer" ":user-agent"` */
const combined: Line = (req, res, address) =>
  `${field(address)} - ${field(basicUser(req.headers.authorization))} [${clfDate(new Date())}] ` +
  `"${field(req.method)} ${field(req.originalUrl ?? req.url)} HTTP/${req.httpVersion}" ` +
  `${status(res)} ${length(res)} "${field(req.headers.referer ?? req.headers.referrer)}" ` +
  `"${field(req.headers['user-agent'])}"\n`;

/**
 * `:method :url :status :response-time ms - :res[content-length]`, the status coloured; the time
 * runs until the answer was sent (morgan's stops at its headers).
 */
const dev =
  (colour: boolean): Line =>
  (req, res, _address, started) => {
    const ms = (Number(process.hrtime.bigint() - started) / 1e6).toFixed(3);
    const code = status(res);
    const url = field(req.originalUrl ?? req.url);
    if (!colour) return `${field(req.method)} ${url} ${code} ${ms} ms - ${length(res)}\n`;
    const n = Number(code);
    const tint = n >= 500 ? 31 : n >= 400 ? 33 : n >= 300 ? 36 : n >= 200 ? 32 : 0;
    return `\x1b[0m${field(req.method)} ${url} \x1b[${tint}m${code}\x1b[0m ${ms} ms - ${length(res)}\x1b[0m\n`;
  };

const status = (res: ServerResponse) => (res.headersSent ? String(res.statusCode) : '-');

function length(res: ServerResponse): string {
  const value = res.getHeader('content-length');
  return value === undefined ? '-' : field(String(value));
}

/** A value as morgan writes it: `-` when missing, control characters, quotes and `\` escaped. */
export function field(value: string | string[] | undefined): string {
  if (value === undefined || value === '') return '-';
  const text = Array.isArray(value) ? value.join(', ') : value;
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029"\\]/.test(text) ? escape(text) : text;
}

function escape(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029"\\]/g, (ch) => {
    switch (ch) {
      case '\\':
        return '\\\\';
      case '"':
        return '\\"';
      case '\b':
        return '\\b';
      case '\f':
        return '\\f';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

/** The user name of HTTP Basic credentials (morgan's `:remote-user`); the site asks for none. */
function basicUser(header: string | undefined): string | undefined {
  const match = header && /^ *basic +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString();
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(0, colon);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number) => String(n).padStart(2, '0');

/** `10/Oct/2000:13:55:36 +0000` */
export function clfDate(d: Date): string {
  return (
    `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`
  );
}
