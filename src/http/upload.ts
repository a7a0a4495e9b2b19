import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multer, { MulterError, type StorageEngine } from 'multer';
import type { NextFunction, Request, Response } from 'express';
import { AppError, BadRequest, TooLarge, UnsupportedMedia } from '../errors';

const GIF_MAGIC = [Buffer.from('GIF87a'), Buffer.from('GIF89a')];

/** Passes bytes through once the first six are a GIF signature; fails the stream otherwise. */
class GifSignature extends Transform {
  private head: Buffer | null = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (!this.head) return done(null, chunk);
    this.head = Buffer.concat([this.head, chunk]);
    if (this.head.length < 6) return done();
    const head = this.head;
    this.head = null;
    if (!GIF_MAGIC.some((magic) => head.subarray(0, 6).equals(magic)))
      return done(new UnsupportedMedia());
    done(null, head);
  }

  override _flush(done: TransformCallback): void {
    done(this.head ? new UnsupportedMedia() : null);
  }
}

/** Resolves once `stream` has released its file (a destroyed write stream may still be opening it). */
const closed = (stream: Writable) =>
  stream.closed ? Promise.resolve() : new Promise<void>((resolve) => stream.once('close', resolve));

/** Streams the upload to a random name on disk, checking magic bytes on the way; never buffers it. */
function gifStorage(dir: string): StorageEngine {
  let ready: Promise<unknown> | undefined;
  return {
    _handleFile(_req, file, cb) {
      ready ??= mkdir(dir, { recursive: true });
      ready.then(() => store(file, cb), cb);
    },
    _removeFile(_req, file, cb) {
      unlink(file.path).then(
        () => cb(null),
        () => cb(null),
      );
    },
  };

  function store(
    file: Express.Multer.File,
    cb: (error?: Error | null, info?: Partial<Express.Multer.File>) => void,
  ) {
    const filename = `${randomBytes(16).toString('hex')}.gif`;
    const target = path.join(dir, filename);
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        done(null, chunk);
      },
    });
    const out = createWriteStream(target, { flags: 'wx' });
    // Refused: wait until the file is closed (it may be created after the refusal), then remove it.
    const discard = (err: Error) =>
      void closed(out)
        .then(() => unlink(target))
        .catch(() => undefined)
        .then(() => cb(err));
    pipeline(file.stream, new GifSignature(), count, out).then(
      () => {
        const truncated = (file.stream as { truncated?: boolean }).truncated;
        if (truncated) return discard(new TooLarge('gif_too_large'));
        cb(null, { filename, path: target, size });
      },
      (err: unknown) => discard(err as Error),
    );
  }
}

/** The one upload middleware: one file in field `gif`, size-limited, magic-checked, errors mapped to 4xx. */
export function gifUpload(dir: string, maxBytes: number) {
  const upload = multer({
    storage: gifStorage(dir),
    limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 1024, parts: 6, headerPairs: 50 },
  }).single('gif');
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return next(new BadRequest('multipart_required'));
    upload(req, res, (err: unknown) => {
      if (err instanceof MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE')
          return next(new TooLarge('gif_too_large', { mb: Math.floor(maxBytes / 1048576) }));
        return next(new BadRequest('one_file'));
      }
      // Anything else here is a malformed multipart body, not a server fault.
      if (err) return next(err instanceof AppError ? err : new BadRequest('malformed_upload'));
      if (!req.file) return next(new BadRequest('no_file'));
      next();
    });
  };
}
