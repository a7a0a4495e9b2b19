import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import sharp from 'sharp';

const run = promisify(execFile);
export const FFMPEG = ffmpeg.path;

/** A temp directory per test file, removed in afterAll. */
export async function tempDir(label: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), `gifchat-media-${label}-`));
  return {
    dir,
    file: (name: string) => path.join(dir, name),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** An animated GIF from ffmpeg's test pattern: `seconds × rate` frames of `size`. */
export async function makeGif(
  file: string,
  {
    size = '160x120',
    rate = 10,
    seconds = 2,
  }: { size?: string; rate?: number; seconds?: number } = {},
): Promise<string> {
  const source = `testsrc=duration=${seconds}:size=${size}:rate=${rate}`;
  await run(FFMPEG, ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', source, file]);
  return file;
}

/** A 1×1 LZW image: clear code, pixel 0, end code, in 3-bit codes (minimum code size 2). */
const ONE_PIXEL = [0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00];

/** A well-formed GIF of `frames` one-pixel frames on a screen of the given size (a few dozen bytes). */
export function craftGif(width: number, height: number, frames = 1): Buffer {
  const head = Buffer.alloc(13);
  head.write('GIF89a', 0, 'latin1');
  head.writeUInt16LE(width, 6);
  head.writeUInt16LE(height, 8);
  head[10] = 0x80; // a global colour table of 2 entries follows
  const colours = [0, 0, 0, 255, 255, 255];
  const body = Array.from({ length: frames }, () => ONE_PIXEL).flat();
  return Buffer.from([...head, ...colours, ...body, 0x3b]);
}

/** A GIF whose one frame is far larger than its screen (the frame's size is what a decoder draws). */
export function craftOverflowingFrame(frameWidth: number, frameHeight: number): Buffer {
  const gif = craftGif(1, 1);
  gif.writeUInt16LE(frameWidth, 19 + 5);
  gif.writeUInt16LE(frameHeight, 19 + 7);
  return gif;
}

export async function makePng(file: string): Promise<string> {
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } })
    .png()
    .toFile(file);
  return file;
}

/** Hostile inputs, written next to a real GIF they are derived from. */
export async function hostileFiles(dir: string, realGif: string) {
  const real = await readFile(realGif);
  const files = {
    text: ['text.gif', Buffer.from('just some text, named like a GIF\n')],
    garbage: ['garbage.gif', Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(400, 0x41)])],
    truncated: ['truncated.gif', real.subarray(0, Math.floor(real.length * 0.6))],
    lastByteMissing: ['no-trailer.gif', real.subarray(0, real.length - 1)],
    trailingData: ['polyglot.gif', Buffer.concat([real, Buffer.from('<script>1</script>')])],
    bomb: ['bomb.gif', craftGif(60000, 60000)],
    frameBomb: ['frame-bomb.gif', craftOverflowingFrame(60000, 60000)],
  } as const;
  const paths = {} as Record<keyof typeof files, string>;
  for (const [key, [name, bytes]] of Object.entries(files)) {
    paths[key as keyof typeof files] = path.join(dir, name);
    await writeFile(path.join(dir, name), bytes);
  }
  return paths;
}
