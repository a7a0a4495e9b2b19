import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { MediaBusy } from '../../src/media/errors';
import * as structure from '../../src/media/gif-structure';
import { SharedLock, type Claim } from '../../src/lib/shared-lock';
import { ingestGif, type MadeMedia } from '../../src/media/pipeline';
import { Transcoder } from '../../src/media/transcode';
import { craftGif, hostileFiles, makeGif, tempDir } from './fixtures';
import { mp4Boxes } from './mp4';
import { eachStore, localStore, readAll, type StoreUnderTest } from './stores';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let gif: string;
let heavy: string;
let hostile: Awaited<ReturnType<typeof hostileFiles>>;
let spawned: ChildProcess[] = [];
const transcoder = new Transcoder({ onSpawn: (child) => spawned.push(child) });

beforeAll(async () => {
  tmp = await tempDir('pipeline');
  [gif, heavy] = await Promise.all([
    makeGif(tmp.file('source.gif')),
    makeGif(tmp.file('heavy.gif'), { size: '320x240', rate: 25, seconds: 8 }),
  ]);
  hostile = await hostileFiles(tmp.dir, gif);
});
afterAll(async () => {
  await transcoder.close();
  await tmp.remove();
});
beforeEach(() => {
  spawned = [];
});

let uploads = 0;
/** A fresh temp copy, as the upload middleware would leave one. */
async function upload(source: string): Promise<string> {
  const file = tmp.file(`upload-${++uploads}.tmp`);
  await copyFile(source, file);
  return file;
}
const temps = async () => (await readdir(tmp.dir)).filter((n) => n.startsWith('upload-'));
describe.each(eachStore('pipeline'))('ingestGif into %s', (_label, open) => {
  let s: StoreUnderTest;
  beforeAll(async () => {
    s = await open();
  });
  afterAll(() => s.close());

  test('stores the GIF, a WebP poster and a smaller faststart MP4 under content names', async () => {
    const original = await readFile(gif);
    const sha256 = createHash('sha256').update(original).digest('hex');
    const id = sha256.slice(0, 32);
    const told: unknown[] = [];
    const answered = await ingestGif(await upload(gif), {
      store: s.store,
      transcoder,
      made: (name, media) => Promise.resolve(void told.push([name, media])),
    });
    // Answered once the checks are done and the GIF stored: the poster and video come after.
    expect(answered).toEqual({
      name: id,
      gif: `${id}.gif`,
      media: expect.any(Promise),
      width: 160,
      height: 120,
      frames: 20,
      durationMs: 2000,
      bytes: original.length,
      sha256,
      deduped: false,
      release: expect.any(Function),
      share: expect.any(Function),
    });
    expect(await s.store.exists(answered.gif)).toBe(true);
    const made = await answered.media!;
    expect(made).toEqual({ poster: `${id}.webp`, video: `${id}.mp4` });
    expect(told).toEqual([[id, made]]);
    const result = { ...answered, ...made };
    expect((await readAll(await s.store.read(result.gif))).equals(original)).toBe(true);
    const poster = await sharp(await readAll(await s.store.read(result.poster!))).metadata();
    expect(poster).toMatchObject({ format: 'webp', width: 160, height: 120 });
    const video = await s.store.stat(result.video!);
    expect(video).toMatchObject({ contentType: 'video/mp4' });
    expect(video!.size).toBeLessThan(original.length);
    const mp4 = tmp.file(`stored-${_label}.mp4`);
    await writeFile(mp4, await readAll(await s.store.read(result.video!)));
    const boxes = await mp4Boxes(mp4);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
    expect(spawned).toHaveLength(1);
    expect(await temps()).toEqual([]);
  });

  test('the same bytes again are deduplicated: same names, nothing stored, no transcode', async () => {
    const before = await s.objects();
    const first = await ingestGif(await upload(gif), { store: s.store, transcoder });
    expect(first.deduped).toBe(true);
    expect(first.media).toBeUndefined();
    expect(first.video).toBe(`${first.name}.mp4`);
    expect(first.poster).toBe(`${first.name}.webp`);
    expect(spawned).toHaveLength(0);
    expect(await s.objects()).toBe(before);
    expect(await temps()).toEqual([]);
  });

  test.each([
    ['a text file', 'text', 'not_gif'],
    ['a truncated GIF', 'truncated', 'gif_corrupt'],
    ['a huge canvas', 'bomb', 'gif_too_wide'],
  ] as const)('%s is refused with nothing left behind', async (_what, key, code) => {
    const before = await s.objects();
    const file = await upload(hostile[key]);
    await expect(ingestGif(file, { store: s.store, transcoder })).rejects.toMatchObject({ code });
    expect(await s.objects()).toBe(before);
    expect(spawned).toHaveLength(0);
    expect(await temps()).toEqual([]);
  });

  test('with its id taken as it was written, stored bytes are described again, limits and all', async () => {
    const sha256 = createHash('sha256')
      .update(await readFile(gif))
      .digest('hex');
    const before = await s.objects();
    const again = await ingestGif(await upload(gif), { store: s.store, transcoder }, { sha256 });
    expect(again).toMatchObject({
      name: sha256.slice(0, 32),
      width: 160,
      height: 120,
      frames: 20,
      durationMs: 2000,
      sha256,
      deduped: true,
      video: `${sha256.slice(0, 32)}.mp4`,
    });
    expect(spawned).toHaveLength(0);
    expect(await s.objects()).toBe(before);
    // Today's limits hold for bytes stored under yesterday's.
    const strict = ingestGif(
      await upload(gif),
      { store: s.store, transcoder, limits: { maxFrames: 10 } },
      { sha256 },
    );
    await expect(strict).rejects.toMatchObject({ code: 'gif_too_many_frames' });
    expect(await temps()).toEqual([]);
  });

  test('with its id taken as it was written, bytes inspected moments ago are not read again', async () => {
    const sha256 = createHash('sha256')
      .update(await readFile(gif))
      .digest('hex');
    const first = await ingestGif(await upload(gif), { store: s.store, transcoder }, { sha256 });
    // The id stands for these bytes (it was taken as they were written): what the first found
    // is reused, so an empty file under it shows nothing was read.
    const file = tmp.file(`upload-${++uploads}.tmp`);
    await writeFile(file, '');
    const again = await ingestGif(file, { store: s.store, transcoder }, { sha256 });
    expect(again).toMatchObject({ width: first.width, frames: first.frames, bytes: first.bytes });
    const strict = ingestGif(
      await upload(gif),
      { store: s.store, transcoder, limits: { maxWidth: 100 } },
      { sha256 },
    );
    await expect(strict).rejects.toMatchObject({ code: 'gif_too_wide' });
    expect(await temps()).toEqual([]);
  });

  test('a burst of the same bytes waits for one inspection, then goes on together; a removal waits for them', async () => {
    // Bytes new to this process (the other store's run inspected its own).
    const other = tmp.file(`burst-${++uploads}.gif`);
    await makeGif(other, { size: `72x${40 + uploads}`, seconds: 1 });
    const sha256 = createHash('sha256')
      .update(await readFile(other))
      .digest('hex');
    const lock = new SharedLock();
    let held = 0;
    let most = 0;
    const deps = {
      store: s.store,
      transcoder,
      claim: async (id: string) => track(await lock.exclusive(id)),
      share: async (id: string) => track(await lock.shared(id)),
      making: (id: string) => making.get(id),
    };
    const making = new Map<string, Promise<MadeMedia>>();
    function track(claim: Claim): Claim {
      most = Math.max(most, ++held);
      let done = false;
      return {
        share: claim.share,
        release: () => {
          if (!done) held--;
          done = true;
          claim.release();
        },
      };
    }
    // The first upload takes the claim alone to inspect the bytes; the others come meanwhile.
    const files = await Promise.all([1, 2, 3, 4].map(() => upload(other)));
    // Every inspection of new bytes begins with the walk of their structure.
    const spy = jest.spyOn(structure, 'walkGif');
    // Each lets the others in once checked and stored, as GifService does before saving.
    const results = await Promise.all(
      files.map((f) =>
        ingestGif(f, deps, { sha256 }).then((r) => {
          if (r.media && !making.has(r.name)) making.set(r.name, r.media);
          r.share();
          return r;
        }),
      ),
    );
    const inspections = spy.mock.calls.length;
    spy.mockRestore();
    // One look at the bytes for the four; the three after it held the claim at once.
    expect(inspections).toBe(1);
    expect(most).toBeGreaterThanOrEqual(3);
    expect(new Set(results.map((r) => r.name)).size).toBe(1);
    // A removal (the claim alone) waits for every upload still saving its message.
    let removing = false;
    const removal = lock.exclusive(results[0]!.name).then((c) => {
      removing = true;
      return c;
    });
    results.slice(0, 3).forEach((r) => r.release());
    await new Promise((resolve) => setImmediate(resolve));
    expect(removing).toBe(false);
    results[3]!.release();
    (await removal).release();
    expect(removing).toBe(true);
    await Promise.all(results.flatMap((r) => (r.media ? [r.media] : [])));
    expect(await temps()).toEqual([]);
  });

  test('with its id taken as it was written, new bytes are still decoded whole', async () => {
    const truncated = await readFile(hostile.truncated);
    const sha256 = createHash('sha256').update(truncated).digest('hex');
    const before = await s.objects();
    const refused = ingestGif(
      await upload(hostile.truncated),
      { store: s.store, transcoder },
      { sha256 },
    );
    await expect(refused).rejects.toMatchObject({ code: 'gif_corrupt' });
    expect(await s.objects()).toBe(before);
    expect(await temps()).toEqual([]);
  });

  test('a still GIF gets a poster and no video', async () => {
    const still = tmp.file('still.gif');
    await writeFile(still, craftGif(4, 4));
    const answered = await ingestGif(await upload(still), { store: s.store, transcoder });
    expect(answered).toMatchObject({ frames: 1, deduped: false });
    expect(await answered.media).toEqual({ poster: `${answered.name}.webp` });
    expect(spawned).toHaveLength(0);
    expect(await temps()).toEqual([]);
  });

  test('an upload of bytes whose media are being made joins them instead of making its own', async () => {
    const other = tmp.file('joined.gif');
    await makeGif(other, { size: '96x64', seconds: 1 });
    // The first's media are stored under a second claim, held until the second upload is in.
    let claims = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const first = await ingestGif(await upload(other), {
      store: s.store,
      transcoder,
      claim: async () => {
        if (++claims > 1) await gate;
        return { release: () => undefined, share: () => undefined };
      },
    });
    expect(first.media).toBeDefined();
    const second = await ingestGif(await upload(other), {
      store: s.store,
      transcoder,
      making: (id) => (id === first.name ? first.media : undefined),
    });
    open();
    expect(second).toMatchObject({ deduped: true, name: first.name });
    expect(second.media).toBe(first.media);
    expect(await second.media).toEqual({
      poster: `${first.name}.webp`,
      video: `${first.name}.mp4`,
    });
    expect(spawned).toHaveLength(1);
    expect(await temps()).toEqual([]);
  });

  test('media made after their GIF was removed are not stored', async () => {
    const other = tmp.file('removed.gif');
    await makeGif(other, { size: '80x64', seconds: 1 });
    let told = false;
    // The second claim is the one the made media are stored under: held until the GIF is gone.
    let claims = 0;
    let removed!: () => void;
    const gone = new Promise<void>((resolve) => (removed = resolve));
    const answered = await ingestGif(await upload(other), {
      store: s.store,
      transcoder,
      claim: async () => {
        if (++claims > 1) await gone;
        return { release: () => undefined, share: () => undefined };
      },
      made: () => Promise.resolve(void (told = true)),
    });
    // A message deleted, or its room removed, before the media were stored.
    await s.store.remove(answered.gif);
    removed();
    expect(await answered.media).toEqual({});
    expect(told).toBe(true);
    for (const ext of ['gif', 'webp', 'mp4'])
      expect(await s.store.exists(`${answered.name}.${ext}`)).toBe(false);
    expect(await temps()).toEqual([]);
  });
});

describe('when transcoding cannot help', () => {
  let s: StoreUnderTest;
  beforeAll(async () => {
    s = await localStore();
  });
  afterAll(() => s.close());

  test('a failing ffmpeg costs only the video: the GIF and poster are stored', async () => {
    const broken = new Transcoder({ ffmpegPath: path.join(tmp.dir, 'no-ffmpeg') });
    const answered = await ingestGif(await upload(gif), { store: s.store, transcoder: broken });
    const result = { ...answered, ...(await answered.media) };
    await broken.close();
    expect(result.video).toBeUndefined();
    expect(await s.store.exists(result.gif)).toBe(true);
    expect(await s.store.exists(result.poster!)).toBe(true);
    expect(await s.store.exists(`${result.name}.mp4`)).toBe(false);
    expect(await temps()).toEqual([]);
  });

  test('a full queue refuses with MediaBusy (503) before storing anything', async () => {
    const busy = new Transcoder({ concurrency: 1, maxWaiting: 0 });
    const occupying = busy.video(heavy, tmp.file('occupying.mp4'));
    const other = tmp.file('other.gif');
    await makeGif(other, { size: '64x48', seconds: 1 });
    const before = await s.objects();
    const refused = ingestGif(await upload(other), { store: s.store, transcoder: busy });
    await expect(refused).rejects.toBeInstanceOf(MediaBusy);
    await expect(refused).rejects.toMatchObject({ status: 503 });
    expect(await s.objects()).toBe(before);
    expect(await temps()).toEqual([]);
    expect((await occupying.done).ok).toBe(true);
    await busy.close();
  });
});
