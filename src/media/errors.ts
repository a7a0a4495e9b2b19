import { AppError, NotFound, type ErrorCode } from '../errors';

/** 415, like the upload middleware's refusal: whatever the name or type said, the bytes are not a GIF. */
export class NotAGif extends AppError {
  constructor() {
    super('not_gif', 415);
  }
}

/**
 * 415 too: it starts like a GIF but does not decode (truncated, garbage, trailing data).
 * The product's status list has no 422, and to the uploader it is the same "not a usable GIF".
 */
export class GifCorrupt extends AppError {
  constructor() {
    super('gif_corrupt', 415);
  }
}

export type GifLimit = 'bytes' | 'width' | 'height' | 'frames' | 'pixels';

const CODES: Record<GifLimit, ErrorCode> = {
  bytes: 'gif_too_big',
  width: 'gif_too_wide',
  height: 'gif_too_tall',
  frames: 'gif_too_many_frames',
  pixels: 'gif_too_many_pixels',
};

/**
 * 413: more than the server is willing to process. A decompression bomb is small on the wire
 * but huge decoded, and "send something smaller" is what the uploader has to do either way.
 */
export class GifTooLarge extends AppError {
  constructor(
    readonly limit: GifLimit,
    max: number,
  ) {
    super(CODES[limit], 413, { max });
  }
}

/** 503: the transcoding queue is full (or shutting down); the upload can be retried shortly. */
export class MediaBusy extends AppError {
  constructor(readonly retryAfterSeconds = 5) {
    super('media_busy', 503, { seconds: retryAfterSeconds });
  }
}

/** A NotFound, so everything that treats 404s alike (the 404 page) keeps doing so. */
export class MediaNotFound extends NotFound {
  constructor() {
    super('media_not_found');
  }
}
