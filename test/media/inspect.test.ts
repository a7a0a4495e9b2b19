import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { GifCorrupt, GifTooLarge, NotAGif } from '../../src/media/errors';
import { inspectGif } from '../../src/media/inspect';
import { craftGif, hostileFiles, makeGif, makePng, tempDir } from './fixtures';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let gif: string;
let hostile: Awaited<ReturnType<typeof hostileFiles>>;

beforeAll(async () => {
  tmp = await tempDir('inspect');
  gif = await makeGif(tmp.file('testsrc.gif'));
  hostile = await hostileFiles(tmp.dir, gif);
});
afterAll(() => tmp.remove());

test('a real animated GIF: size, frames, play time, bytes and content hash', async () => {
  const bytes = await readFile(gif);
  const info = await inspectGif(gif);
  expect(info).toEqual({
    width: 160,
    height: 120,
    frames: 20,
    durationMs: 2000,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  });
});

test('a one-pixel still GIF is accepted, with no play time', async () => {
  const file = tmp.file('pixel.gif');
  await writeFile(file, craftGif(1, 1));
  expect(await inspectGif(file)).toMatchObject({ width: 1, height: 1, frames: 1, durationMs: 0 });
});

test('a frame past the screen: the size reported is what decoders show, the limits cover every frame', async () => {
  // A 2×2 screen, a first frame at (3, 2) and a second at (0, 9): libvips shows the screen grown
  // to cover the first frame only.
  const bytes = craftGif(2, 2, 2);
  bytes.writeUInt16LE(3, 19 + 1);
  bytes.writeUInt16LE(2, 19 + 3);
  bytes.writeUInt16LE(9, 19 + 15 + 3);
  const file = tmp.file('past-the-screen.gif');
  await writeFile(file, bytes);
  expect(await inspectGif(file)).toMatchObject({ width: 4, height: 3, frames: 2, durationMs: 200 });
  await expect(inspectGif(file, { maxHeight: 9 })).rejects.toMatchObject({
    code: 'gif_too_tall',
    params: { max: 9 },
  });
});

test.each([
  ['a text file named .gif', 'text'],
  ['a PNG named .gif', 'png'],
])('%s is not a GIF (415)', async (_label, key) => {
  const file = key === 'png' ? await makePng(tmp.file('png.gif')) : hostile.text;
  const err = await inspectGif(file).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(NotAGif);
  expect(err).toMatchObject({ code: 'not_gif', status: 415 });
});

test.each([
  ['GIF89a followed by garbage', 'garbage'],
  ['a real GIF cut at 60%', 'truncated'],
  ['a real GIF missing only its trailer byte', 'lastByteMissing'],
  ['a real GIF with a script appended', 'trailingData'],
] as const)('%s is refused as corrupt (415)', async (_label, key) => {
  const err = await inspectGif(hostile[key]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(GifCorrupt);
  expect(err).toMatchObject({ code: 'gif_corrupt', status: 415 });
});

test('a GIF whose last frame has undecodable data (structure intact) is refused', async () => {
  const bytes = craftGif(2, 2, 3);
  // The last frame's two LZW bytes, just before its block terminator and the trailer.
  bytes.fill(0xff, bytes.length - 4, bytes.length - 2);
  const file = tmp.file('damaged.gif');
  await writeFile(file, bytes);
  await expect(inspectGif(file)).rejects.toBeInstanceOf(GifCorrupt);
  bytes.set([0x44, 0x01], bytes.length - 4);
  await writeFile(file, bytes);
  expect(await inspectGif(file)).toMatchObject({ frames: 3 });
});

test.each([
  ['a 60000×60000 screen in a few dozen bytes', 'bomb', 'gif_too_wide'],
  ['a 1×1 screen whose frame is 60000×60000', 'frameBomb', 'gif_too_wide'],
] as const)('%s is refused before decoding (413)', async (_label, key, code) => {
  const err = await inspectGif(hostile[key]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(GifTooLarge);
  expect(err).toMatchObject({ code, status: 413, params: { max: 4096 } });
});

test('each limit has its own code and parameter', async () => {
  const file = tmp.file('limits.gif');
  await writeFile(file, craftGif(4000, 100, 3));
  const refusal = (limits: Parameters<typeof inspectGif>[1]) =>
    inspectGif(file, limits).catch((e: GifTooLarge) => ({ code: e.code, params: e.params }));
  expect(await refusal({ maxBytes: 20 })).toEqual({ code: 'gif_too_big', params: { max: 20 } });
  expect(await refusal({ maxHeight: 99 })).toEqual({ code: 'gif_too_tall', params: { max: 99 } });
  expect(await refusal({ maxFrames: 2 })).toEqual({
    code: 'gif_too_many_frames',
    params: { max: 2 },
  });
  // 4000 × 100 × 3 = 1.2 M pixels once decoded, from a 60-byte file.
  expect(await refusal({ maxPixels: 1_000_000 })).toEqual({
    code: 'gif_too_many_pixels',
    params: { max: 1_000_000 },
  });
  expect(await inspectGif(file, { maxPixels: 1_200_000 })).toMatchObject({ frames: 3 });
});

test('a GIF of 2000 tiny frames is refused by the default frame limit', async () => {
  const file = await makeGif(tmp.file('frames.gif'), { size: '4x4', rate: 100, seconds: 20 });
  const err = await inspectGif(file).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'gif_too_many_frames', status: 413, params: { max: 1000 } });
});

test('a missing file is an error of the caller, not a refusal of the upload', async () => {
  await expect(inspectGif(tmp.file('nope.gif'))).rejects.toMatchObject({ code: 'ENOENT' });
});
