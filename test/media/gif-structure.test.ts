import fc from 'fast-check';
import sharp from 'sharp';
import { GifCorrupt } from '../../src/media/errors';
import { walkGif } from '../../src/media/gif-structure';

/*
 * The walk gives the inspection its frames and delays without a metadata pass of sharp's: what it
 * finds must be what libvips reports for the same bytes.
 */

/** A 1×1 LZW image: clear code, pixel 0, end code, in 3-bit codes (minimum code size 2). */
const ONE_PIXEL = [0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00];

/** A graphic control extension whose first sub-block is `size` bytes long, delay in 1/100 s. */
const control = (centiseconds: number, size = 4) => [
  0x21,
  0xf9,
  size,
  ...[0, centiseconds & 0xff, centiseconds >> 8, 0, 0, 0, 0].slice(0, size),
  0,
];
const comment = [0x21, 0xfe, 3, 0x61, 0x62, 0x63, 0];
const application = [0x21, 0xff, 11, ...Buffer.from('NETSCAPE2.0'), 3, 1, 0, 0, 0];

function gif(blocks: number[][]): Buffer {
  const head = Buffer.alloc(13);
  head.write('GIF89a', 0, 'latin1');
  head.writeUInt16LE(2, 6);
  head.writeUInt16LE(2, 8);
  head[10] = 0x80; // a global colour table of 2 entries follows
  return Buffer.from([...head, 0, 0, 0, 255, 255, 255, ...blocks.flat(), 0x3b]);
}

const extension = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((cs) => control(cs)),
  fc
    .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 3, max: 7 }))
    .map(([cs, size]) => control(cs, size)),
  fc.constant(comment),
  fc.constant(application),
);
/** A frame with the extensions before it, somewhere on (or past the edge of) the 2×2 screen. */
const frame = fc
  .tuple(fc.array(extension, { maxLength: 3 }), fc.nat(20), fc.nat(20))
  .map(([extensions, left, top]) => {
    const image = [...ONE_PIXEL];
    [image[1], image[3]] = [left, top];
    return [...extensions.flat(), ...image];
  });

test('frames, screen size and delays are what libvips reports, whatever comes before each frame', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(frame, { minLength: 1, maxLength: 5 }),
      fc.array(extension, { maxLength: 2 }),
      async (frames, after) => {
        const bytes = gif([...frames, after.flat()]);
        const meta = await sharp(bytes, { animated: true }).metadata();
        const walk = walkGif(bytes);
        expect(walk.frames).toBe(meta.pages);
        expect(walk.delays).toEqual(meta.delay);
        expect(walk.shown).toEqual({ width: meta.width, height: meta.pageHeight ?? meta.height });
        // The limits' canvas covers every frame, whatever a decoder shows.
        expect(walk.width).toBeGreaterThanOrEqual(walk.shown.width);
        expect(walk.height).toBeGreaterThanOrEqual(walk.shown.height);
      },
    ),
    { numRuns: 300 },
  );
});

test('a frame without a delay of its own plays for 100 ms, as browsers and libvips have it', () => {
  const walk = walkGif(
    gif([[...control(7), ...ONE_PIXEL], ONE_PIXEL, [...control(0), ...ONE_PIXEL]]),
  );
  expect(walk.delays).toEqual([70, 100, 0]);
});

test('a graphic control extension cut short by the end of the file is corrupt', () => {
  const bytes = gif([[0x21, 0xf9, 4, 0, 10]]).subarray(0, -1);
  expect(() => walkGif(bytes)).toThrow(GifCorrupt);
});
