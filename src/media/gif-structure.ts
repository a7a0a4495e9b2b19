import { GifCorrupt, NotAGif } from './errors';

const SIGNATURES = ['GIF87a', 'GIF89a'];
const EXTENSION = 0x21;
const IMAGE = 0x2c;
const TRAILER = 0x3b;

export interface GifLayout {
  /** Logical screen size, grown to cover every frame, so limits hold whatever a decoder does with overflowing frames. */
  width: number;
  height: number;
  frames: number;
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
 * trailing data, and yields size and frame count before any pixel is decoded. It is linear in
 * the file and skips data sub-blocks by their length, so a 5 MB file is well under a millisecond.
 */
export function walkGif(bytes: Buffer): GifLayout {
  if (!hasGifSignature(bytes)) throw new NotAGif();
  const r = new Reader(bytes, 6);
  let width = r.u16();
  let height = r.u16();
  const screenFlags = r.u8();
  r.skip(2); // background colour index, pixel aspect ratio
  r.skipColourTable(screenFlags);
  let frames = 0;
  for (;;) {
    const block = r.u8();
    if (block === TRAILER) break;
    if (block === EXTENSION) {
      r.skip(1); // label
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
      frames++;
    } else {
      throw new GifCorrupt();
    }
  }
  // Bytes after the trailer are what makes GIF polyglots (a GIF that is also a script or an archive).
  if (r.offset !== bytes.length || frames === 0) throw new GifCorrupt();
  return { width, height, frames };
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
    this.need(2);
    const value = this.bytes.readUInt16LE(this.offset);
    this.offset += 2;
    return value;
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
