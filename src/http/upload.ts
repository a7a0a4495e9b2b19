import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multer, { MulterError, type StorageEngine } from 'multer';
import type { NextFunction, Request, Response } from 'express';
import { AppError, BadRequest, TooLarge, UnsupportedMedia } from '../errors';
import type { SweepTask } from '../services/sweeper';

const GIF_MAGIC = [Buffer.from('GIF87a'), Buffer.from('GIF89a')];

/**
 * Passes an upload's bytes through once the first six are a GIF signature (fails the stream
 * otherwise), counting and hashing them on the way: one stage, so each chunk costs one hop.
 */
class GifIntake extends Transform {
  private head: Buffer | null = Buffer.alloc(0);
  /** The content id (SHA-256), taken on the way: the pipeline need not read the file for it. */
  readonly hash = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    this.hash.update(chunk);
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

/**
 * The disk work each request started (files being written or removed) and the files it created.
 * multer may answer a refused upload while a file of it is still being written or removed (a body
 * cut short fails the file's stream, and multer stops waiting for it): the refusal waits for this.
 */
const work = new WeakMap<Request, { running: Set<Promise<unknown>>; paths: Set<string> }>();

function track(req: Request, task: Promise<unknown>, path?: string): void {
  let entry = work.get(req);
  if (!entry) work.set(req, (entry = { running: new Set(), paths: new Set() }));
  if (path) entry.paths.add(path);
  const { running } = entry;
  const settled = task.finally(() => running.delete(settled)).catch(() => undefined);
  running.add(settled);
}

/** Waits until the request's disk work is done, then removes every file it created. */
async function discardFiles(req: Request): Promise<void> {
  const entry = work.get(req);
  if (!entry) return;
  while (entry.running.size) await Promise.all([...entry.running]);
  await Promise.all([...entry.paths].map((p) => unlink(p).catch(() => undefined)));
}

/**
 * Streams the upload to a random name on disk, checking magic bytes and taking its SHA-256 (the
 * file's `sha256`) on the way (GifIntake); never buffers it.
 */
function gifStorage(dir: string): StorageEngine {
  let ready: Promise<unknown> | undefined;
  return {
    _handleFile(req, file, cb) {
      ready ??= mkdir(dir, { recursive: true });
      track(
        req,
        ready.then(() => store(req, file, cb), cb),
      );
    },
    _removeFile(req, file, cb) {
      const removed = unlink(file.path).then(
        () => cb(null),
        () => cb(null),
      );
      track(req, removed);
    },
  };

  function store(
    req: Request,
    file: Express.Multer.File,
    cb: (error?: Error | null, info?: Partial<Express.Multer.File>) => void,
  ) {
    const filename = `${randomBytes(16).toString('hex')}.gif`;
    const target = path.join(dir, filename);
    const intake = new GifIntake();
    const out = createWriteStream(target, { flags: 'wx' });
    // Refused: wait until the file is closed (it may be created after the refusal), then remove it.
    const discard = (err: Error) =>
      closed(out)
        .then(() => unlink(target))
        .catch(() => undefined)
        .then(() => cb(err));
    const written = pipeline(file.stream, intake, out).then(
      () => {
        const truncated = (file.stream as { truncated?: boolean }).truncated;
        if (truncated) return discard(new TooLarge('gif_too_large'));
        const { size } = intake;
        const sha256 = intake.hash.digest('hex');
        cb(null, { filename, path: target, size, sha256 } as Partial<Express.Multer.File>);
      },
      (err: unknown) => discard(err as Error),
    );
    track(req, written, target);
  }
}

/** The one upload middleware: one file in field `gif`, size-limited, magic-checked, errors mapped to 4xx. */
export function gifUpload(dir: string, maxBytes: number) {
  const upload = multer({
    storage: gifStorage(dir),
    limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 1024, parts: 6, headerPairs: 50 },
  }).single('gif');
  const refusal = (err: unknown): AppError | undefined => {
    if (err instanceof MulterError)
      return err.code === 'LIMIT_FILE_SIZE'
        ? new TooLarge('gif_too_large', { mb: Math.floor(maxBytes / 1048576) })
        : new BadRequest('one_file');
    // Anything else here is a malformed multipart body, not a server fault.
    if (err) return err instanceof AppError ? err : new BadRequest('malformed_upload');
  };
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return next(new BadRequest('multipart_required'));
    upload(req, res, (err: unknown) => {
      const refused = refusal(err) ?? (req.file ? undefined : new BadRequest('no_file'));
      // A refusal is answered once no file of it is left on disk.
      if (refused) return void discardFiles(req).then(() => next(refused));
      next();
    });
  };
}

/**
 * The sweeper's task for uploads a crashed process left in the incoming directory: a file there
 * is in use for seconds, so one older than `maxAgeMs` belongs to nobody.
 */
export function incomingExpiry(dir: string, maxAgeMs = 3_600_000): SweepTask {
  return {
    name: 'incoming',
    everyMs: 10 * 60_000,
    run: async (now) => {
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        const file = path.join(dir, name);
        const stats = await stat(file).catch(() => null);
        if (stats && now - stats.mtimeMs > maxAgeMs) await rm(file, { force: true });
      }
    },
  };
}
