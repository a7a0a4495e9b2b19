import type { Readable } from 'node:stream';
import { BadRequest } from '../errors';

export const MEDIA_TYPES = { gif: 'image/gif', mp4: 'video/mp4', webp: 'image/webp' } as const;
export type MediaKind = keyof typeof MEDIA_TYPES;

/**
 * Stored names: hex (a content hash prefix, or the 32-hex random names of older uploads) and a
 * served extension. Nothing else is ever a path or a key, so no traversal and no odd keys.
 */
const MEDIA_NAME = /^[0-9a-f]{32,64}\.(gif|mp4|webp)$/;
/** 128 bits of SHA-256: same length as the older random names, and no practical collisions. */
const HASH_CHARS = 32;

export function isMediaName(name: string): boolean {
  return MEDIA_NAME.test(name);
}

export function contentTypeOf(name: string): string {
  const match = MEDIA_NAME.exec(name);
  if (!match) throw new BadRequest('field_invalid');
  return MEDIA_TYPES[match[1] as MediaKind];
}

/** The names of a GIF and its derivatives, from the GIF's SHA-256: same bytes, same names. */
export function mediaNames(sha256: string): Record<MediaKind, string> & { id: string } {
  const id = sha256.slice(0, HASH_CHARS).toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) throw new BadRequest('field_invalid');
  return { id, gif: `${id}.gif`, mp4: `${id}.mp4`, webp: `${id}.webp` };
}

export interface MediaStat {
  size: number;
  contentType: string;
}

/** Inclusive byte offsets, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where media bytes live. Objects are immutable: a name, once stored, always has the same bytes
 * (names derive from content), so `put` of an existing name stores nothing.
 */
export interface MediaStore {
  /**
   * Stores a file (path) or a stream under `name`, visible to readers only once complete.
   * Resolves true if this call stored it, false if the name already existed (a stream source is
   * then destroyed unread). Racing puts of one name store it once. `contentType` must be the
   * name's (`image/gif` for `.gif`, …). A file may become the stored object itself (a hard
   * link): the caller may remove its path, but never writes to the file again.
   */
  put(name: string, source: string | Readable, contentType: string): Promise<boolean>;
  stat(name: string): Promise<MediaStat | null>;
  /** The whole object or one range of it; rejects with MediaNotFound before any byte if missing. */
  read(name: string, range?: ByteRange): Promise<Readable>;
  /** Idempotent: removing a missing name is not an error. */
  remove(name: string): Promise<void>;
  exists(name: string): Promise<boolean>;
}

/** What every store does first in a put. */
export function checkPut(name: string, source: string | Readable, contentType: string): void {
  // A stream that fails while the store is still looking up the name has no listener yet,
  // and an unheard 'error' would end the process; its error still reaches the later pipeline.
  if (typeof source !== 'string') source.on('error', () => undefined);
  if (contentTypeOf(name) !== contentType) throw new BadRequest('field_invalid');
}

/** A put that stores nothing must still release a stream it was handed (an open file, a socket). */
export function discard(source: string | Readable): void {
  if (typeof source !== 'string') source.destroy();
}
