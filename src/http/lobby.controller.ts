import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { keptBy } from '../lib/memo';
import { lobbyPage, type LobbyQuery } from '../services/lobby';
import type { RoomService } from '../services/room.service';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

const querySchema = z.object({
  q: z.string().max(60).catch(''),
  sort: z.enum(['new', 'people']).catch('new'),
  full: z.enum(['hide', 'show']).catch('show'),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});

const DEFAULT_QUERY = querySchema.parse({});
const DEFAULT_KEY = JSON.stringify(DEFAULT_QUERY);

type Encoding = 'br' | 'gzip' | 'identity';

interface Variant {
  body: Buffer;
  /** Made once with the bytes (express would hash them again on every send). */
  etag: string;
}

interface Rendered {
  version: number;
  at: number;
  variants: Record<Encoding, Variant>;
}

const variant = (body: Buffer): Variant => ({
  body,
  etag: `"${body.length.toString(16)}-${createHash('sha1').update(body).digest('base64url')}"`,
});

/** A page may say "5 minutes ago": it is rendered again after this, even if no room changed. */
const FRESH_MS = 30_000;
const KEPT = 64;

/**
 * The lobby, rendered once per change of the rooms rather than per request, and compressed once
 * (brotli and gzip): looking at it costs a lookup and a write of bytes. A page with a one-time
 * notice (flash) is the visitor's own and is rendered for them.
 */
export function lobbyController({ rooms }: { rooms: RoomService }) {
  const rendered = new Map<string, Rendered>();
  // Browsers send a handful of Accept-Encoding spellings: each is negotiated once.
  const encodings = keptBy<Encoding>(KEPT);
  const encodingOf = (req: Request): Encoding =>
    encodings(
      req.headers['accept-encoding'] ?? '',
      () => (req.acceptsEncodings('br', 'gzip', 'identity') || 'identity') as Encoding,
    );

  const render = (res: Response, locals: object) =>
    new Promise<string>((resolve, reject) =>
      res.render('lobby.njk', locals, (err, html) => (err ? reject(err) : resolve(html))),
    );

  return async (req: Request, res: Response) => {
    // Most visits ask for the default view: no parse (each caught default costs zod an issue).
    const input = req.url === '/' ? DEFAULT_QUERY : querySchema.parse(req.query);
    const query: LobbyQuery = {
      q: input.q,
      sort: input.sort,
      hideFull: input.full === 'hide',
      page: input.page,
    };
    const locals = () => ({ ...lobbyPage(rooms.list(), query), query });
    // A first visit is served without a session (app.ts).
    const flash = (req.session as typeof req.session | undefined)?.flash;
    if (flash) {
      delete req.session.flash;
      return res.render('lobby.njk', { ...locals(), flash });
    }
    const key = `${String(res.locals.lang)}\n${input === DEFAULT_QUERY ? DEFAULT_KEY : JSON.stringify(query)}`;
    const version = rooms.version();
    let page = rendered.get(key);
    if (!page || page.version !== version || Date.now() - page.at > FRESH_MS) {
      // Shared by every visitor: nothing of the one who happened to ask first (their CSRF token).
      const html = Buffer.from(await render(res, { ...locals(), csrfToken: '' }));
      const [br, gz] = await Promise.all([
        brotli(html, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }),
        gzipped(html, { level: 6 }),
      ]);
      page = {
        version,
        at: Date.now(),
        variants: { identity: variant(html), br: variant(br), gzip: variant(gz) },
      };
      rendered.delete(key);
      rendered.set(key, page);
      if (rendered.size > KEPT) rendered.delete(rendered.keys().next().value!);
    }
    const encoding = encodingOf(req);
    const { body, etag } = page.variants[encoding];
    res.vary('Accept-Encoding').type('html').set('Cache-Control', 'no-cache').set('ETag', etag);
    if (encoding !== 'identity') res.set('Content-Encoding', encoding);
    res.send(body);
  };
}
