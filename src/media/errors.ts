import { AppError, NotFound } from '../errors';

/** Parameters a browser needs to render the error in its own language (never English text). */
export type ErrorParams = Readonly<Record<string, string | number>>;

/** An AppError that also carries `params`, so `{ code, params }` is all a reader has to translate. */
export class MediaError extends AppError {
  constructor(
    code: string,
    status: number,
    message: string,
    readonly params: ErrorParams = {},
  ) {
    super(code, status, message);
  }
}

/** 415, like the upload middleware's refusal: whatever the name or type said, the bytes are not a GIF. */
export class NotAGif extends MediaError {
  constructor() {
    super('gif_not_gif', 415, 'only GIF images are accepted');
  }
}

/**
 * 415 too: it starts like a GIF but does not decode (truncated, garbage, trailing data).
 * The product's status list has no 422, and to the uploader it is the same "not a usable GIF".
 */
export class GifCorrupt extends MediaError {
  constructor() {
    super('gif_corrupt', 415, 'this GIF is damaged or incomplete');
  }
}

export type GifLimit = 'bytes' | 'width' | 'height' | 'frames' | 'pixels';

const LIMITS: Record<GifLimit, { code: string; message: (max: number) => string }> = {
  bytes: { code: 'gif_too_big', message: (max) => `GIFs can be at most ${max} bytes` },
  width: { code: 'gif_too_wide', message: (max) => `GIFs can be at most ${max} pixels wide` },
  height: { code: 'gif_too_tall', message: (max) => `GIFs can be at most ${max} pixels high` },
  frames: { code: 'gif_too_many_frames', message: (max) => `GIFs can have at most ${max} frames` },
  pixels: {
    code: 'gif_too_many_pixels',
    message: (max) => `this GIF is too large once decoded (at most ${max} pixels in all frames)`,
  },
};

/**
 * 413: more than the server is willing to process. A decompression bomb is small on the wire
 * but huge decoded, and "send something smaller" is what the uploader has to do either way.
 */
export class GifTooLarge extends MediaError {
  constructor(
    readonly limit: GifLimit,
    max: number,
  ) {
    super(LIMITS[limit].code, 413, LIMITS[limit].message(max), { max });
  }
}

/** 503: the transcoding queue is full (or shutting down); the upload can be retried shortly. */
export class MediaBusy extends MediaError {
  constructor(retryAfterSeconds = 5) {
    super('media_busy', 503, 'the server is busy: try again in a few seconds', {
      retryAfterSeconds,
    });
  }
}

/** A NotFound, so everything that treats 404s alike (the 404 page) keeps doing so. */
export class MediaNotFound extends NotFound {
  readonly params: ErrorParams = {};
  constructor() {
    super('not found', 'media_not_found');
  }
}
