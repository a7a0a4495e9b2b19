import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { MediaNotFound } from './errors';
import {
  checkPut,
  contentTypeOf,
  discard,
  type ByteRange,
  type MediaStat,
  type MediaStore,
} from './store';

/** Media as files in one directory (one process, or several sharing a disk). */
export class LocalStore implements MediaStore {
  private ready?: Promise<unknown>;

  constructor(readonly dir: string) {}

  async put(name: string, source: string | Readable, contentType: string): Promise<boolean> {
    checkPut(name, source, contentType);
    const target = this.path(name);
    if (await this.exists(name)) {
      discard(source);
      return false;
    }
    this.ready ??= mkdir(this.dir, { recursive: true });
    await this.ready;
    // Written aside under a name no reader accepts, then published in one step.
    const temp = path.join(this.dir, `.tmp-${randomBytes(8).toString('hex')}-${name}`);
    try {
      if (typeof source === 'string') await linkOrCopy(source, temp);
      else await pipeline(source, createWriteStream(temp, { flags: 'wx' }));
      // link, unlike rename, fails when the name exists: the loser of a race learns it stored nothing.
      return await link(temp, target).then(
        () => true,
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'EEXIST') return false;
          throw err;
        },
      );
    } finally {
      await rm(temp, { force: true });
    }
  }

  async stat(name: string): Promise<MediaStat | null> {
    const stats = await stat(this.path(name)).catch(missingAsNull);
    if (!stats?.isFile()) return null;
    return { size: stats.size, contentType: contentTypeOf(name) };
  }

  async read(name: string, range?: ByteRange): Promise<Readable> {
    // Opened first, so a missing file is an error before any byte is promised.
    const handle = await open(this.path(name), 'r').catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new MediaNotFound() : err;
    });
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async remove(name: string): Promise<void> {
    await rm(this.path(name), { force: true });
  }

  async exists(name: string): Promise<boolean> {
    return (await this.stat(name)) !== null;
  }

  private path(name: string): string {
    contentTypeOf(name); // throws unless a valid media name: never a path of ours to join
    return path.join(this.dir, name);
  }
}

/**
 * A file given by path becomes the stored one by a second name (a hard link: no byte is copied)
 * when both are on one filesystem, as an upload's temp file and the store usually are; the caller
 * removes its own name, and never writes to the file again. Elsewhere it is copied.
 */
async function linkOrCopy(source: string, target: string): Promise<void> {
  try {
    await link(source, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Another filesystem, or one without hard links: copied.
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw err;
    await copyFile(source, target, constants.COPYFILE_EXCL);
  }
}

function missingAsNull(err: NodeJS.ErrnoException): null {
  if (err.code === 'ENOENT') return null;
  throw err;
}
