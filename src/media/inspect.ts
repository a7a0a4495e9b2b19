import { webcrypto } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import sharp, { type Metadata } from 'sharp';
import { AppError } from '../errors';
import { GifCorrupt, GifTooLarge, NotAGif } from './errors';
import { walkGif, type GifLayout } from './gif-structure';

// Every upload is decoded once (bytes seen before are not decoded again): libvips' cache of
// operations (50 MB by default) would only keep the frames of files that never come back.
sharp.cache(false);

export interface GifLimits {
  maxBytes: number;
  maxWidth: number;
  maxHeight: number;
  maxFrames: number;
  /** width × height × frames: what decoding every frame costs, whatever the file size. */
  maxPixels: number;
}

export const DEFAULT_GIF_LIMITS: Readonly<GifLimits> = Object.freeze({
  maxBytes: 5 * 1024 * 1024,
  maxWidth: 4096,
  maxHeight: 4096,
  maxFrames: 1000,
  maxPixels: 200_000_000,
});

export interface GifInfo {
  width: number;
  height: number;
  frames: number;
  /** What a browser plays: delays of 10 ms or less count as 100 ms, as browsers do; 0 for a still. */
  durationMs: number;
  bytes: number;
  /** Hex SHA-256 of the file: the identity of the content, for dedupe and names. */
  sha256: string;
}

/**
 * Accepts a file only if it is a whole, decodable GIF within the limits. Refusals are typed:
 * NotAGif and GifCorrupt (415), GifTooLarge (413, with the limit in `params.max`).
 * The file is read into memory: it is bounded by `maxBytes` before it is read.
 */
export async function inspectGif(
  file: string,
  limits: Partial<GifLimits> = {},
  known: { sha256?: string } = {},
): Promise<GifInfo> {
  const max = { ...DEFAULT_GIF_LIMITS, ...limits };
  // A burst of uploads is inspected a few at a time: decoding is CPU work on as many threads as
  // there are cores anyway, and each inspection holds its file and frames in memory meanwhile.
  return inspections.run(async () => {
    const bytes = await readBounded(file, max.maxBytes);
    // Structure and declared size first: a bomb is refused before sharp allocates anything.
    const { shown, delays, ...layout } = walkGif(bytes);
    checkLimits(layout, max);
    const [, sha256] = await Promise.all([decode(bytes, max), known.sha256 ?? sha256Hex(bytes)]);
    return {
      ...shown,
      frames: layout.frames,
      durationMs: playTime(delays, layout.frames),
      bytes: bytes.length,
      sha256,
    };
  });
}

/**
 * What inspectGif reports, for a file whose very bytes (SHA-256 `sha256`, taken as it was
 * written) passed inspectGif before and are stored: the limits are checked again (they may have
 * changed) from the GIF's headers, but its frames are not decoded again, and it is not read into
 * memory. Refuses what inspectGif refuses by size or kind.
 */
export async function describeInspected(
  file: string,
  sha256: string,
  limits: Partial<GifLimits> = {},
): Promise<GifInfo> {
  const max = { ...DEFAULT_GIF_LIMITS, ...limits };
  const { size } = await stat(file);
  if (size > max.maxBytes) throw new GifTooLarge('bytes', max.maxBytes);
  try {
    const meta = await sharp(file, { animated: true, limitInputPixels: max.maxPixels }).metadata();
    const layout = gifLayout(meta);
    checkLimits(layout, max);
    return {
      ...layout,
      durationMs: playTime(meta.delay ?? [], layout.frames),
      bytes: size,
      sha256,
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new GifCorrupt();
  }
}

/**
 * For bytes this process inspected or described moments ago (the same SHA-256: the same bytes),
 * what it found, checked again against today's limits: a burst of identical uploads costs one
 * inspection, and the others read nothing while they hold the content's claim.
 */
export function recheckInspected(info: GifInfo, limits: Partial<GifLimits> = {}): GifInfo {
  const max = { ...DEFAULT_GIF_LIMITS, ...limits };
  if (info.bytes > max.maxBytes) throw new GifTooLarge('bytes', max.maxBytes);
  checkLimits(info, max);
  return info;
}

/** At most `limit` tasks at once; the others wait their turn (none is refused). */
class Turns {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((go) => this.waiting.push(go));
    else this.running++;
    try {
      return await task();
    } finally {
      // The slot passes to the next in line, or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

const inspections = new Turns(availableParallelism());

async function readBounded(file: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    if ((await handle.stat()).size > maxBytes) throw new GifTooLarge('bytes', maxBytes);
    const bytes = await handle.readFile();
    // The file may have grown since the stat.
    if (bytes.length > maxBytes) throw new GifTooLarge('bytes', maxBytes);
    return bytes;
  } finally {
    await handle.close();
  }
}

function checkLimits({ width, height, frames }: GifLayout, max: GifLimits): void {
  if (width > max.maxWidth) throw new GifTooLarge('width', max.maxWidth);
  if (height > max.maxHeight) throw new GifTooLarge('height', max.maxHeight);
  if (frames > max.maxFrames) throw new GifTooLarge('frames', max.maxFrames);
  if (width * height * frames > max.maxPixels) throw new GifTooLarge('pixels', max.maxPixels);
}

/**
 * Decodes every frame with sharp (libuv's pool, not the event loop). The walk gave the layout and
 * delays, so there is no metadata pass of sharp's before (it parsed the whole file again: 16 ms of
 * a 57 ms inspection of four 1000×1080 frames).
 */
async function decode(bytes: Buffer, max: GifLimits): Promise<void> {
  // sharp counts an animation's pixels over all its frames, so its own limit is a backstop for ours.
  const options = {
    animated: true,
    failOn: 'warning',
    limitInputPixels: max.maxPixels,
    sequentialRead: true,
  } as const;
  try {
    // Shrinking each frame to one pixel still decodes every frame whole (GIF frames decode in
    // order), but keeps memory flat instead of holding width × height × frames × 4 bytes.
    await sharp(bytes, options)
      .resize({ width: 1, height: 1, fit: 'fill', kernel: 'nearest' })
      .raw()
      .toBuffer();
  } catch (err) {
    // sharp only says so in words; the walk's limits make this a backstop.
    if (err instanceof Error && /pixel limit/i.test(err.message))
      throw new GifTooLarge('pixels', max.maxPixels);
    throw new GifCorrupt();
  }
}

function playTime(delays: number[], frames: number): number {
  if (frames < 2) return 0;
  return delays.reduce((sum, delay) => sum + (delay <= 10 ? 100 : delay), 0);
}

async function sha256Hex(bytes: Buffer): Promise<string> {
  // WebCrypto hashes on libuv's pool, so a 5 MB file does not hold the event loop.
  const digest = await webcrypto.subtle.digest('SHA-256', bytes);
  return Buffer.from(digest).toString('hex');
}

/** A GIF's frame size and frame count, from sharp's metadata; anything else is not a GIF. */
function gifLayout(meta: Metadata): GifLayout {
  if (meta.format !== 'gif') throw new NotAGif();
  return { width: meta.width, height: meta.pageHeight ?? meta.height, frames: meta.pages ?? 1 };
}
