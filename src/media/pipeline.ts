import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Logger } from '../logger';
import { describeInspected, inspectGif, type GifInfo, type GifLimits } from './inspect';
import { mediaNames, type MediaStore } from './store';
import type { TranscodeJob, Transcoder } from './transcode';

export interface IngestDeps {
  store: MediaStore;
  transcoder: Transcoder;
  limits?: Partial<GifLimits>;
  logger?: Logger;
  /**
   * Called with the content id once the GIF is inspected, before anything is stored; resolves
   * with the function that ends the claim. A claim keeps the id's files from being removed while
   * its message is being saved (see GifService): ingestGif ends it itself only when it throws,
   * otherwise the caller does, through the result's `release`.
   */
  claim?: (id: string) => Promise<() => void>;
}

export interface IngestResult extends GifInfo {
  /** The content id, stem of every name below (32 hex of the SHA-256). */
  name: string;
  gif: string;
  /** First frame as WebP; absent only if it could not be made. */
  poster?: string;
  /** H.264 MP4; absent for a still GIF, or when transcoding failed or did not save bytes. */
  video?: string;
  /** The same bytes were already stored: nothing new was written for the GIF. */
  deduped: boolean;
  /** Ends the claim on the content id (a no-op without `claim`). */
  release: () => void;
}

/**
 * Takes an uploaded temp file to stored media: inspect (refusals are typed and store nothing),
 * the GIF under its content name (stored once however often it is uploaded), then its poster
 * and video unless they exist already. Transcoding failures cost only the video: the GIF is
 * always there to serve. The temp file is removed in every case.
 * Throws the refusals of inspectGif, and MediaBusy (503) when the transcoding queue is full.
 */
export async function ingestGif(
  tempFile: string,
  deps: IngestDeps,
  known: { sha256?: string } = {},
): Promise<IngestResult> {
  const { store } = deps;
  const videoTemp = `${tempFile}.mp4`;
  let job: TranscodeJob | undefined;
  let release = () => undefined as void;
  try {
    const info = await (known.sha256
      ? knownContent(tempFile, known.sha256, deps, (end) => (release = end))
      : inspectGif(tempFile, deps.limits));
    const names = mediaNames(info.sha256);
    if (deps.claim && !known.sha256) release = await deps.claim(names.id);
    const [hasVideo, hasPoster] = await Promise.all([
      store.exists(names.mp4),
      store.exists(names.webp),
    ]);
    // Admitted to the queue before anything is written, so a busy refusal leaves nothing behind.
    if (info.frames > 1 && !hasVideo) job = deps.transcoder.video(tempFile, videoTemp);
    const stored = await store.put(names.gif, tempFile, 'image/gif');
    const [poster, video] = await Promise.all([
      hasPoster ? names.webp : storePoster(tempFile, names.webp, deps),
      job ? storeVideo(job, videoTemp, names.mp4, info, deps) : hasVideo ? names.mp4 : undefined,
    ]);
    return {
      name: names.id,
      gif: names.gif,
      ...(poster && { poster }),
      ...(video && { video }),
      ...info,
      deduped: !stored,
      release,
    };
  } catch (err) {
    release();
    throw err;
  } finally {
    // The child must have exited before its output can be removed for good.
    await job?.done;
    await Promise.all([rm(tempFile, { force: true }), rm(videoTemp, { force: true })]);
  }
}

/**
 * The file's content id was taken while it was written (`sha256`): it is claimed before the file
 * is inspected, so uploads of the same bytes take turns, and bytes already stored (they passed
 * inspection then) are only checked against the limits, not decoded again.
 */
async function knownContent(
  file: string,
  sha256: string,
  deps: IngestDeps,
  claimed: (release: () => void) => void,
): Promise<GifInfo> {
  const names = mediaNames(sha256);
  if (deps.claim) claimed(await deps.claim(names.id));
  if (await deps.store.exists(names.gif)) return describeInspected(file, sha256, deps.limits);
  return inspectGif(file, deps.limits, { sha256 });
}

async function storePoster(
  gif: string,
  name: string,
  { store, transcoder, logger }: IngestDeps,
): Promise<string | undefined> {
  const poster = await transcoder.poster(gif);
  if (!poster) return undefined;
  return store.put(name, Readable.from([poster.data]), 'image/webp').then(
    () => name,
    (err: unknown) => void logger?.warn('poster not stored', { name, err: String(err) }),
  );
}

async function storeVideo(
  job: TranscodeJob,
  file: string,
  name: string,
  gif: GifInfo,
  { store, logger }: IngestDeps,
): Promise<string | undefined> {
  const outcome = await job.done;
  if (!outcome.ok) return undefined;
  // The video exists to save bytes; for tiny or odd GIFs the GIF itself is the better file.
  if (outcome.bytes >= gif.bytes) {
    logger?.info('video not smaller than its GIF', { name, gif: gif.bytes, mp4: outcome.bytes });
    return undefined;
  }
  return store.put(name, file, 'video/mp4').then(
    () => name,
    (err: unknown) => void logger?.warn('video not stored', { name, err: String(err) }),
  );
}
