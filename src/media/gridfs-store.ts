import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GridFSBucket, type Collection, type Db, type GridFSFile, type ObjectId } from 'mongodb';
import { isDuplicateKey } from '../lib/mongo';
import { MediaNotFound } from './errors';
import {
  checkPut,
  contentTypeOf,
  discard,
  type ByteRange,
  type MediaStat,
  type MediaStore,
} from './store';

/**
 * Media in MongoDB GridFS, shared by every process of the site. Works on FerretDB v1 too: it
 * relies only on inserts, finds, deletes and a unique index, which FerretDB enforces atomically.
 */
export class GridFsStore implements MediaStore {
  private readonly bucket: GridFSBucket;
  private readonly files: Collection<GridFSFile>;
  private readonly chunks: Collection<{ files_id: ObjectId }>;
  private indexed?: Promise<void>;

  constructor(db: Db, bucketName = 'media') {
    this.bucket = new GridFSBucket(db, { bucketName });
    this.files = db.collection(`${bucketName}.files`);
    this.chunks = db.collection(`${bucketName}.chunks`);
  }

  /**
   * GridFS itself allows many files of one name (revisions). A unique index on the name is what
   * makes a racing put of the same content store it once: the files document is inserted after
   * the chunks, and only one insert of a name can win. Created once, before the first put.
   */
  ensureIndexes(): Promise<void> {
    this.indexed ??= this.files
      .createIndex({ filename: 1 }, { unique: true, name: 'filename_unique' }, {})
      .then(
        () => undefined,
        (err: unknown) => {
          this.indexed = undefined;
          throw err;
        },
      );
    return this.indexed;
  }

  async put(name: string, source: string | Readable, contentType: string): Promise<boolean> {
    checkPut(name, source, contentType);
    await this.ensureIndexes();
    if (await this.exists(name)) {
      discard(source);
      return false;
    }
    const upload = this.bucket.openUploadStream(name, { metadata: { contentType } });
    try {
      await pipeline(typeof source === 'string' ? createReadStream(source) : source, upload);
      return true;
    } catch (err) {
      // Chunks of an upload that failed or lost the race are orphans: nothing points to them.
      await this.chunks.deleteMany({ files_id: upload.id }).catch(() => undefined);
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async stat(name: string): Promise<MediaStat | null> {
    const file = await this.find(name);
    if (!file) return null;
    const stored: unknown = file.metadata?.contentType;
    return {
      size: file.length,
      contentType: typeof stored === 'string' ? stored : contentTypeOf(name),
    };
  }

  async read(name: string, range?: ByteRange): Promise<Readable> {
    const file = await this.find(name);
    if (!file) throw new MediaNotFound();
    // The driver's `end` is exclusive; HTTP's is inclusive.
    const options = range
      ? { start: range.start, end: Math.min(range.end + 1, file.length) }
      : undefined;
    return this.bucket.openDownloadStream(file._id, options);
  }

  async remove(name: string): Promise<void> {
    contentTypeOf(name);
    const ids = (
      await this.files.find({ filename: name }, { projection: { _id: 1 } }).toArray()
    ).map((f) => f._id);
    if (ids.length === 0) return;
    // The files document first: readers stop finding the object before its chunks go.
    await this.files.deleteMany({ _id: { $in: ids } });
    await this.chunks.deleteMany({ files_id: { $in: ids } });
  }

  async exists(name: string): Promise<boolean> {
    return (await this.find(name)) !== null;
  }

  private find(name: string): Promise<GridFSFile | null> {
    contentTypeOf(name); // throws unless a valid media name
    return this.files.findOne({ filename: name });
  }
}
