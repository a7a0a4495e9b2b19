/* A valid animated GIF of random pixels that no compressor can shrink: LZW with 9-bit codes and a
 * clear code every 250 pixels (about 9/8 byte per pixel). */
import { randomBytes } from 'node:crypto';

export function noiseGif(width: number, height: number, frames: number): Buffer {
  const parts: Buffer[] = [];
  const u16 = (v: number) => Buffer.from([v & 0xff, v >> 8]);
  parts.push(Buffer.from('GIF89a'), u16(width), u16(height), Buffer.from([0xf7, 0, 0]));
  parts.push(randomBytes(256 * 3));
  // Loop forever (NETSCAPE2.0).
  parts.push(
    Buffer.from([0x21, 0xff, 0x0b]),
    Buffer.from('NETSCAPE2.0'),
    Buffer.from([3, 1, 0, 0, 0]),
  );
  for (let f = 0; f < frames; f++) {
    parts.push(Buffer.from([0x21, 0xf9, 4, 0, 10, 0, 0, 0]));
    parts.push(Buffer.from([0x2c]), u16(0), u16(0), u16(width), u16(height), Buffer.from([0]));
    parts.push(Buffer.from([8]), subBlocks(lzw(randomBytes(width * height))), Buffer.from([0]));
  }
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}

function lzw(pixels: Buffer): Buffer {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  const emit = (code: number) => {
    acc |= code << bits;
    bits += 9;
    while (bits >= 8) {
      out.push(acc & 0xff);
      acc >>= 8;
      bits -= 8;
    }
  };
  for (let i = 0; i < pixels.length; i++) {
    if (i % 250 === 0) emit(256);
    emit(pixels[i]!);
  }
  emit(257);
  if (bits > 0) out.push(acc & 0xff);
  return Buffer.from(out);
}

function subBlocks(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += 255) {
    const chunk = data.subarray(at, at + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
  }
  return Buffer.concat(parts);
}
