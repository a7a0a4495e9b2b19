import { GifCorrupt, NotAGif } from './errors';

const SIGNATURES = ['GIF87a', 'GIF89a'];
const EXTENSION = 0x21;
const GRAPHIC_CONTROL = 0xf9;
const IMAGE = 0x2c;
const TRAILER = 0x3b;
/** A frame's delay when no graphic control extension gives one (libvips/libnsgif's: 10 cs). */
const DEFAULT_DELAY_MS = 100;

export interface GifLayout {
  /** Logical screen size, grown to cover every frame, so limits hold whatever a decoder does with overflowing frames. */
  width: number;
  height: number;
  frames: number;
}

export interface GifWalk extends GifLayout {
  /**
   * The size libvips (libnsgif) reports and decodes to: the logical screen, grown to cover the
   * first frame only.
   */
  shown: { width: number; height: number };
  /**
   * Each frame's delay in ms, as libvips reports it (sharp's `metadata().delay`): from the last
   * graphic control extension before the frame, else 100 ms.
   */
  delays: number[];
}

export function hasGifSignature(bytes: Uint8Array): boolean {
  if (bytes.length < 6) return false;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, 6).toString('latin1');
  return SIGNATURES.includes(head);
}

/**
 * Walks the block structure of a whole GIF without decoding pixels: header, colour tables,
 * extensions, image descriptors and their data sub-blocks, up to the trailer.
 *
 * Why, when sharp decodes it anyway: libvips' GIF loader accepts a file cut off at a frame
 * boundary or missing its trailer (it shows the frames it found) at every `failOn` level, and
 * it would allocate a huge canvas before noticing anything. This walk refuses truncation and
 * trailing data, and yields size, frame count and delays before any pixel is decoded. It is linear in
 * the file and skips data sub-blocks by their length, so a 5 MB file is well under a millisecond.
 */
export function walkGif(bytes: Buffer): GifWalk {
  if (!hasGifSignature(bytes)) throw new NotAGif();
  const r = new Reader(bytes, 6);
  let width = r.u16();
  let height = r.u16();
  const screenFlags = r.u8();
  r.skip(2); // background colour index, pixel aspect ratio
  r.skipColourTable(screenFlags);
  let frames = 0;
  let shown = { width, height };
  const delays: number[] = [];
  let delay = DEFAULT_DELAY_MS;
  for (;;) {
    const block = r.u8();
    if (block === TRAILER) break;
    if (block === EXTENSION) {
      const label = r.u8();
      // Packed fields, then the delay in hundredths of a second (its block is 4 bytes long;
      // libnsgif reads the delay from a shorter one too, past its end, which is left at 100 ms).
      if (label === GRAPHIC_CONTROL && r.peek() >= 3) delay = r.peekU16(2) * 10;
      r.skipSubBlocks();
    } else if (block === IMAGE) {
      const left = r.u16();
      const top = r.u16();
      const frameWidth = r.u16();
      const frameHeight = r.u16();
      r.skipColourTable(r.u8());
      const minCodeSize = r.u8();
      // LZW codes are at most 12 bits wide; anything above cannot be decoded.
      if (minCodeSize < 1 || minCodeSize > 11) throw new GifCorrupt();
      r.skipSubBlocks();
      width = Math.max(width, left + frameWidth);
      height = Math.max(height, top + frameHeight);
      if (frames === 0) shown = { width, height };
      frames++;
      delays.push(delay);
      delay = DEFAULT_DELAY_MS;
    } else {
      throw new GifCorrupt();
    }
  }
  // Bytes after the trailer are what makes GIF polyglots (a GIF that is also a script or an archive).
  if (r.offset !== bytes.length || frames === 0) throw new GifCorrupt();
  return { width, height, frames, shown, delays };
}

/** A cursor that refuses to read past the end: running out of bytes means a truncated file. */
class Reader {
  constructor(
    private readonly bytes: Buffer,
    public offset: number,
  ) {}

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  u16(): number {
    const value = this.peekU16(0);
    this.offset += 2;
    return value;
  }

  /** The next byte, left to be read. */
  peek(): number {
    this.need(1);
    return this.bytes[this.offset]!;
  }

  /** The 16-bit little-endian value `at` bytes ahead, left to be read. */
  peekU16(at: number): number {
    this.need(at + 2);
    return this.bytes.readUInt16LE(this.offset + at);
  }

  skip(n: number): void {
    this.need(n);
    this.offset += n;
  }

  /** The packed-fields byte says whether a colour table follows and how many RGB entries it has. */
  skipColourTable(flags: number): void {
    if (flags & 0x80) this.skip(3 * (2 << (flags & 0x07)));
  }

  skipSubBlocks(): void {
    for (let size = this.u8(); size !== 0; size = this.u8()) this.skip(size);
  }

  private need(n: number): void {
    if (this.offset + n > this.bytes.length) throw new GifCorrupt();
  }
}
