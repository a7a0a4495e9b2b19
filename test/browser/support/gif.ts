/**
 * A tiny GIF89a encoder for test fixtures: real, animated, looping GIFs that a browser decodes, so
 * the tests can check still frames and playback. Frames are drawn by a function of (x, y) → palette
 * index; optional comment blocks pad the file (to make an upload slow enough to show progress).
 */

export type Rgb = readonly [number, number, number];

export const PALETTE: readonly Rgb[] = [
  [0xe4, 0x57, 0x2e], // 0 coral: the first frame's background
  [0x2e, 0x86, 0xab], // 1 blue
  [0xff, 0xff, 0xff], // 2 white
  [0xf6, 0xc8, 0x5f], // 3 yellow
  [0x1b, 0x1d, 0x21], // 4 ink
  [0x7a, 0xc7, 0x4f], // 5 green
  [0x8e, 0x5c, 0xd9], // 6 purple
  [0xf2, 0x8a, 0xb6], // 7 pink
];

/** GIF LZW (variable code width, clear at 4096), after omggif's encoder. */
function lzw(minCodeSize: number, pixels: Uint8Array): number[] {
  const out: number[] = [];
  const clear = 1 << minCodeSize;
  const eoi = clear + 1;
  let next = eoi + 1;
  let width = minCodeSize + 1;
  let table = new Map<number, number>();
  let buffer = 0;
  let bits = 0;
  const emit = (code: number) => {
    buffer |= code << bits;
    bits += width;
    while (bits >= 8) {
      out.push(buffer & 0xff);
      buffer >>>= 8;
      bits -= 8;
    }
  };
  emit(clear);
  let current = pixels[0] ?? 0;
  for (let i = 1; i < pixels.length; i++) {
    const k = pixels[i] ?? 0;
    const key = (current << 8) | k;
    const found = table.get(key);
    if (found !== undefined) {
      current = found;
      continue;
    }
    emit(current);
    if (next === 4096) {
      emit(clear);
      next = eoi + 1;
      width = minCodeSize + 1;
      table = new Map();
    } else {
      if (next >= 1 << width) width++;
      table.set(key, next++);
    }
    current = k;
  }
  emit(current);
  emit(eoi);
  if (bits > 0) out.push(buffer & 0xff);
  return out;
}

function subBlocks(bytes: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 255) {
    const chunk = bytes.slice(i, i + 255);
    out.push(chunk.length, ...chunk);
  }
  out.push(0);
  return out;
}

const u16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];

export interface GifOptions {
  width: number;
  height: number;
  frames: ((x: number, y: number) => number)[];
  /** Hundredths of a second per frame. */
  delay?: number;
  /** Extra bytes of comment blocks, to make a bigger file. */
  padding?: number;
  palette?: readonly Rgb[];
}

export function encodeGif({
  width,
  height,
  frames,
  delay = 20,
  padding = 0,
  palette = PALETTE,
}: GifOptions): Buffer {
  const sizeBits = Math.max(1, Math.ceil(Math.log2(palette.length)));
  const colours = 1 << sizeBits;
  const bytes: number[] = [...Buffer.from('GIF89a'), ...u16(width), ...u16(height)];
  bytes.push(0x80 | ((sizeBits - 1) << 4) | (sizeBits - 1), 0, 0);
  for (let i = 0; i < colours; i++) bytes.push(...(palette[i] ?? [0, 0, 0]));
  // Loop forever.
  bytes.push(0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0'), 0x03, 0x01, 0x00, 0x00, 0x00);
  const append = (more: number[]) => {
    for (const b of more) bytes.push(b);
  };
  if (padding > 0) {
    bytes.push(0x21, 0xfe);
    append(subBlocks(new Array<number>(padding).fill(0x20)));
  }
  const minCodeSize = Math.max(2, sizeBits);
  for (const draw of frames) {
    bytes.push(0x21, 0xf9, 0x04, 0x04, ...u16(delay), 0x00, 0x00);
    bytes.push(0x2c, ...u16(0), ...u16(0), ...u16(width), ...u16(height), 0x00);
    const pixels = new Uint8Array(width * height);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) pixels[y * width + x] = draw(x, y);
    bytes.push(minCodeSize);
    append(subBlocks(lzw(minCodeSize, pixels)));
  }
  bytes.push(0x3b);
  return Buffer.from(bytes);
}

/**
 * A bouncing ball over a background that changes colour every frame. Frame 0's background is
 * PALETTE[backgrounds[0]] (coral by default), which is what a still frame must show.
 */
export function bouncingBall({
  width = 160,
  height = 120,
  frames = 6,
  backgrounds = [0, 1, 5, 3, 6, 7],
  padding = 0,
} = {}): Buffer {
  const r = Math.round(height / 5);
  return encodeGif({
    width,
    height,
    padding,
    frames: Array.from({ length: frames }, (_, f) => {
      const bg = backgrounds[f % backgrounds.length] ?? 0;
      const cx = r + 4 + Math.round(((width - 2 * r - 8) * f) / Math.max(1, frames - 1));
      const cy = Math.round(height / 2 + (f % 2 === 0 ? -1 : 1) * (height / 6));
      return (x, y) => {
        const d = (x - cx) ** 2 + (y - cy) ** 2;
        if (d <= r * r) return d <= (r - 3) ** 2 ? 2 : 4;
        return y > height - 10 ? 4 : bg;
      };
    }),
  });
}
