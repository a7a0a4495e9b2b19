import { randomBytes } from 'node:crypto';
import { rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { BadRequest } from '../../src/errors';
import { MediaNotFound } from '../../src/media/errors';
import { LocalStore } from '../../src/media/local-store';
import { contentTypeOf, mediaNames } from '../../src/media/store';
import { tempDir } from './fixtures';
import { eachStore, readAll, type StoreUnderTest } from './stores';

// Larger than two GridFS chunks (255 KiB), so ranges cross chunk boundaries.
const DATA = randomBytes(600 * 1024);
const NAME = mediaNames('ab'.repeat(32));
let tmp: Awaited<ReturnType<typeof tempDir>>;
let dataFile: string;

beforeAll(async () => {
  tmp = await tempDir('store-src');
  dataFile = tmp.file('data.gif');
  await writeFile(dataFile, DATA);
});
afterAll(() => tmp.remove());

test('names derive from the content hash and carry their type', () => {
  expect(NAME).toEqual({
    id: 'ab'.repeat(16),
    gif: `${'ab'.repeat(16)}.gif`,
    mp4: `${'ab'.repeat(16)}.mp4`,
    webp: `${'ab'.repeat(16)}.webp`,
  });
  expect([NAME.gif, NAME.mp4, NAME.webp].map(contentTypeOf)).toEqual([
    'image/gif',
    'video/mp4',
    'image/webp',
  ]);
  expect(() => mediaNames('not a hash')).toThrow(BadRequest);
});

describe.each(eachStore('store'))('%s', (_label, open) => {
  let s: StoreUnderTest;
  beforeAll(async () => {
    s = await open();
  });
  afterAll(() => s.close());

  test('put from a path stores the bytes once; stat, exists and read agree', async () => {
    expect(await s.store.stat(NAME.gif)).toBeNull();
    expect(await s.store.put(NAME.gif, dataFile, 'image/gif')).toBe(true);
    expect(await s.store.stat(NAME.gif)).toEqual({ size: DATA.length, contentType: 'image/gif' });
    expect(await s.store.exists(NAME.gif)).toBe(true);
    expect((await readAll(await s.store.read(NAME.gif))).equals(DATA)).toBe(true);
  });

  test('put of an existing name is a no-op and releases the stream it was given', async () => {
    const other = Readable.from([Buffer.from('other bytes')]);
    expect(await s.store.put(NAME.gif, other, 'image/gif')).toBe(false);
    expect(other.destroyed).toBe(true);
    expect((await readAll(await s.store.read(NAME.gif))).equals(DATA)).toBe(true);
  });

  test.each([
    ['the first byte', 0, 0],
    ['a middle slice', 5, 10],
    ['across a GridFS chunk boundary', 261_118, 261_125],
    ['the last bytes', DATA.length - 3, DATA.length - 1],
    ['everything', 0, DATA.length - 1],
  ])('reads a range: %s', async (_what, start, end) => {
    const got = await readAll(await s.store.read(NAME.gif, { start, end }));
    expect(got.equals(DATA.subarray(start, end + 1))).toBe(true);
  });

  test('put from a stream, with the type of the name', async () => {
    const stream = Readable.from([Buffer.from('webp-ish '), Buffer.from('bytes')]);
    expect(await s.store.put(NAME.webp, stream, 'image/webp')).toBe(true);
    expect(await s.store.stat(NAME.webp)).toEqual({ size: 14, contentType: 'image/webp' });
    expect(await text(await s.store.read(NAME.webp))).toBe('webp-ish bytes');
    await expect(s.store.put(NAME.mp4, dataFile, 'image/gif')).rejects.toBeInstanceOf(BadRequest);
    expect(await s.store.exists(NAME.mp4)).toBe(false);
  });

  test('remove is idempotent; a removed name is not found', async () => {
    await s.store.remove(NAME.webp);
    expect(await s.store.stat(NAME.webp)).toBeNull();
    expect(await s.store.exists(NAME.webp)).toBe(false);
    await expect(s.store.read(NAME.webp)).rejects.toBeInstanceOf(MediaNotFound);
    await expect(s.store.remove(NAME.webp)).resolves.toBeUndefined();
  });

  test('racing puts of the same content store it once and leave nothing behind', async () => {
    const name = mediaNames('cd'.repeat(32)).gif;
    const results = await Promise.all(
      Array.from({ length: 6 }, () => s.store.put(name, dataFile, 'image/gif')),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await readAll(await s.store.read(name))).equals(DATA)).toBe(true);
    expect(await s.store.stat(name)).toEqual({ size: DATA.length, contentType: 'image/gif' });
    expect(await s.leftovers()).toBe(0);
  });

  test('a source that fails midway stores nothing and leaves nothing behind', async () => {
    const name = mediaNames('ef'.repeat(32)).mp4;
    let sent = false;
    // One chunk's worth (a GridFS chunk gets written), then the sender goes away.
    const failing = new Readable({
      read() {
        if (sent) return this.destroy(new Error('client went away'));
        sent = true;
        this.push(DATA.subarray(0, 300 * 1024));
      },
    });
    await expect(s.store.put(name, failing, 'video/mp4')).rejects.toThrow('client went away');
    expect(sent).toBe(true);
    expect(await s.store.exists(name)).toBe(false);
    expect(await s.leftovers()).toBe(0);
  });

  test('a source that fails before the store reads it is a rejection, not a crash', async () => {
    const name = mediaNames('ef'.repeat(32)).webp;
    const failing = new Readable({ read() {} });
    setImmediate(() => failing.destroy(new Error('gone early')));
    await expect(s.store.put(name, failing, 'image/webp')).rejects.toThrow('gone early');
    expect(await s.store.exists(name)).toBe(false);
  });

  test.each(['../../etc/passwd.gif', 'x.gif', `${'AB'.repeat(16)}.gif`, `${'ab'.repeat(16)}.html`])(
    'refuses the name %s for every operation',
    async (name) => {
      await expect(s.store.put(name, dataFile, 'image/gif')).rejects.toBeInstanceOf(BadRequest);
      await expect(s.store.stat(name)).rejects.toBeInstanceOf(BadRequest);
      await expect(s.store.read(name)).rejects.toBeInstanceOf(BadRequest);
      await expect(s.store.remove(name)).rejects.toBeInstanceOf(BadRequest);
    },
  );
});

describe('LocalStore and files given by path', () => {
  test('a file on the same filesystem is stored without copying: removing the source keeps it', async () => {
    const dir = await tempDir('store-link');
    try {
      const source = dir.file('upload.gif');
      await writeFile(source, DATA);
      const store = new LocalStore(dir.file('media'));
      await expect(store.put(NAME.gif, source, 'image/gif')).resolves.toBe(true);
      // One file under two names: the stored object is the upload's own inode.
      const [a, b] = await Promise.all([stat(source), stat(path.join(store.dir, NAME.gif))]);
      expect(b.ino).toBe(a.ino);
      expect(b.nlink).toBe(2);
      await rm(source);
      expect(Buffer.compare(await readAll(await store.read(NAME.gif)), DATA)).toBe(0);
    } finally {
      await dir.remove();
    }
  });

  test('a file on another filesystem is copied', async () => {
    const shm = await stat('/dev/shm').catch(() => null);
    const local = await tempDir('store-copy');
    // /dev/shm is a tmpfs apart from the temp directory's disk where both exist (they do on CI).
    const other = shm?.isDirectory() && shm.dev !== (await stat(local.dir)).dev;
    try {
      expect(other).toBe(true);
      const source = path.join('/dev/shm', `gifchat-store-${randomBytes(6).toString('hex')}.gif`);
      await writeFile(source, DATA);
      try {
        const store = new LocalStore(local.file('media'));
        await expect(store.put(NAME.gif, source, 'image/gif')).resolves.toBe(true);
        const [a, b] = await Promise.all([stat(source), stat(path.join(store.dir, NAME.gif))]);
        expect(b.ino).not.toBe(a.ino);
        expect(Buffer.compare(await readAll(await store.read(NAME.gif)), DATA)).toBe(0);
      } finally {
        await rm(source, { force: true });
      }
    } finally {
      await local.remove();
    }
  });
});
