/* What the checks alone cost: multer writing to disk as the plain target does, plus what GifChat
 * must do to every upload and nothing else. Each file is hashed (SHA-256) as it is written, and
 * decoded whole once per content (a burst of the same bytes waits for one decode), with the
 * options GifChat's inspection uses. No session, room, database, message or media: the floor for
 * an upload that is checked, as plain multer is the floor for one that is not. */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express from 'express';
import multer, { type StorageEngine } from 'multer';
import sharp from 'sharp';

sharp.cache(false);
const dir = process.env.UPLOAD_DIR!;

interface Checked {
  path: string;
  size: number;
  sha256: string;
}

const hashingStorage: StorageEngine = {
  _handleFile(_req, file, cb) {
    const hash = createHash('sha256');
    let size = 0;
    const target = path.join(dir, randomBytes(16).toString('hex'));
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const written = (): Checked => ({ path: target, size, sha256: hash.digest('hex') });
    pipeline(file.stream, tap, createWriteStream(target)).then(() => cb(null, written()), cb);
  },
  _removeFile(_req, _file, cb) {
    cb(null);
  },
};

const decoded = new Map<string, Promise<unknown>>();
const decodeWhole = (file: string) =>
  sharp(file, {
    animated: true,
    failOn: 'warning',
    limitInputPixels: 200_000_000,
    sequentialRead: true,
  })
    .resize({ width: 1, height: 1, fit: 'fill', kernel: 'nearest' })
    .raw()
    .toBuffer();

const app = express();
const upload = multer({ storage: hashingStorage, limits: { fileSize: 5 * 1024 * 1024 } });
app.get('/', (_req, res) => {
  res.send('multer with the checks');
});
app.post('/upload', upload.single('gif'), (req, res) => {
  const { path: file, sha256 } = req.file as unknown as Checked;
  let decoding = decoded.get(sha256);
  if (!decoding) decoded.set(sha256, (decoding = decodeWhole(file)));
  decoding.then(
    () => res.status(201).json({ sha256 }),
    () => res.status(415).json({ error: 'not a whole GIF' }),
  );
});
app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
