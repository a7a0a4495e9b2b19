import { pipeline } from 'node:stream/promises';
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../logger';
import { MediaNotFound } from './errors';
import { ifRangeHolds, noneMatch, parseRange } from './http-range';
import { isMediaName, type ByteRange, type MediaStat, type MediaStore } from './store';

/**
 * `GET` / `HEAD /media/:name` from any MediaStore: one byte range per request, validators, and
 * the headers that make user content safe and cacheable forever. Names are content-addressed,
 * so a name's bytes never change: the name's hash is a strong ETag and the cache is immutable.
 * A bad or missing name is a MediaNotFound for the error middleware (Express 5 forwards it).
 */
export function serveMedia(
  store: MediaStore,
  { logger }: { logger?: Logger } = {},
): RequestHandler {
  return async (req, res) => {
    const name = req.params.name;
    if (typeof name !== 'string' || !isMediaName(name)) throw new MediaNotFound();
    const stat = await store.stat(name);
    if (!stat) throw new MediaNotFound();
    const etag = `"${name.slice(0, name.indexOf('.'))}"`;

    if (noneMatch(req.get('If-None-Match'), etag)) {
      return void setCommon(res, etag).status(304).end();
    }
    const wanted = ifRangeHolds(req.get('If-Range'), etag)
      ? parseRange(req.get('Range'), stat.size)
      : ({ kind: 'whole' } as const);
    if (wanted.kind === 'unsatisfiable') {
      return void setCommon(res, etag)
        .status(416)
        .set('Content-Range', `bytes */${stat.size}`)
        .end();
    }
    const range = wanted.kind === 'partial' ? wanted.range : undefined;
    // Opened before any header is set: if the object went away since the stat, the 404 page
    // that follows must not carry our immutable caching.
    const body = req.method === 'HEAD' ? null : await store.read(name, range);
    setContent(setCommon(res, etag), stat, range);
    if (!body) return void res.end();
    pipeline(body, res).catch((err: NodeJS.ErrnoException) => {
      // A client leaving mid-transfer is ordinary; a store failing mid-read is worth a line.
      if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE')
        logger?.warn('media response cut short', { name, err: err.message });
    });
  };
}

function setCommon(res: Response, etag: string): Response {
  return res.set({
    ETag: etag,
    'Cache-Control': 'public, max-age=31536000, immutable',
    'X-Content-Type-Options': 'nosniff',
    'Accept-Ranges': 'bytes',
  });
}

function setContent(res: Response, stat: MediaStat, range?: ByteRange): void {
  res.type(stat.contentType);
  if (range) {
    res.status(206).set('Content-Range', `bytes ${range.start}-${range.end}/${stat.size}`);
  }
  res.set('Content-Length', String(range ? range.end - range.start + 1 : stat.size));
}
