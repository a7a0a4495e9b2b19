import type { ByteRange } from './store';

export type RangeRequest =
  { kind: 'whole' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' };

const SPEC = /^(\d*)-(\d*)$/;

/**
 * Reads a `Range` header as RFC 9110 §14 says, for one byte range. Anything it does not serve
 * (no header, another unit, bad syntax, several ranges) means the whole representation, which a
 * server may always send instead. Written out rather than taken from range-parser, which calls
 * `bytes=5-2` (invalid: ignore) and `bytes=-200` of 100 bytes (the whole: 206) unsatisfiable.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (!header) return { kind: 'whole' };
  const [unit, specs, ...rest] = header.split('=');
  if (rest.length || unit?.trim().toLowerCase() !== 'bytes' || !specs) return { kind: 'whole' };
  const parts = specs.split(',');
  if (parts.length !== 1) return { kind: 'whole' };
  const match = SPEC.exec(parts[0]!.trim());
  if (!match) return { kind: 'whole' };
  const [, first = '', last = ''] = match;
  if (!first && !last) return { kind: 'whole' };
  const safe = (digits: string) => Math.min(Number(digits), Number.MAX_SAFE_INTEGER);
  if (!first) {
    // A suffix: the last n bytes, or all of them when there are fewer.
    const n = safe(last);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - n), end: size - 1 } };
  }
  const start = safe(first);
  const end = last ? safe(last) : size - 1;
  if (last && end < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end: Math.min(end, size - 1) } };
}

/** `If-None-Match` by weak comparison (RFC 9110 §13.1.2): `*` or any listed tag of ours. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/** `If-Range` holds only for our exact strong tag; a date never matches (we send no Last-Modified). */
export function ifRangeHolds(header: string | undefined, etag: string): boolean {
  return header === undefined || header.trim() === etag;
}
