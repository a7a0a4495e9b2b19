import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Logger } from '../logger';
import {
  describeInspected,
  inspectGif,
  recheckInspected,
  type GifInfo,
  type GifLimits,
} from './inspect';
import type { Claim } from '../lib/shared-lock';
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
   * otherwise the caller does, through the result's `release`. The poster and video made later
   * are stored under a claim of their own.
   */
  claim?: (id: string) => Promise<Claim>;
  /**
   * A claim shared with other uploads and re-sends of the same id (removals and media still wait
   * for it): taken instead of `claim` for bytes inspected moments ago, whose media are stored or
   * being made, so a burst of the same GIF goes through at once. Without it, `claim` is taken.
   */
  share?: (id: string) => Promise<Claim>;
  /**
   * The media already being made for this content id (by an earlier upload of the same bytes),
   * asked under the claim: this upload joins it instead of making its own.
   */
  making?: (id: string) => Promise<MadeMedia> | undefined;
  /**
   * Told, under the claim of the id, what was made and stored, before anyone else may claim it:
   * the messages waiting for these media are updated there.
   */
  made?: (id: string, media: MadeMedia) => Promise<void>;
}

/** The poster and video made after an upload was answered (names in the store). */
export interface MadeMedia {
  poster?: string;
  video?: string;
}

export interface IngestResult extends GifInfo {
  /** The content id, stem of every name below (32 hex of the SHA-256). */
  name: string;
  gif: string;
  /** First frame as WebP, when stored already (the same bytes uploaded before). */
  poster?: string;
  /** H.264 MP4, when stored already. */
  video?: string;
  /**
   * The poster and video still being made (each absent in the end if it could not be, or for a
   * still GIF no video): resolves once they are stored and `made` was told, never rejects.
   * Absent when nothing is left to make.
   */
  media?: Promise<MadeMedia>;
  /** The same bytes were already stored: nothing new was written for the GIF. */
  deduped: boolean;
  /** Ends the claim on the content id (a no-op without `claim`). */
  release: () => void;
  /**
   * Lets other uploads of these bytes go on while this one's message is saved: the claim is
   * shared from now on (removals still wait for it).
   */
  share: () => void;
}

const NO_CLAIM: Claim = { release: () => undefined, share: () => undefined };

/**
 * Takes an uploaded temp file to a stored GIF: inspect (refusals are typed and store nothing),
 * the GIF under its content name (stored once however often it is uploaded), and admits the
 * making of its poster and video, which finish after this returns (`media`), so an upload is
 * answered once its checks are done. Transcoding failures cost only the video: the GIF is always
 * there to serve. The temp file is removed in every case (once the media are made).
 * Throws the refusals of inspectGif, and MediaBusy (503) when the transcoding queue is full.
 */
export async function ingestGif(
  tempFile: string,
  deps: IngestDeps,
  known: { sha256?: string } = {},
): Promise<IngestResult> {
  const { store } = deps;
  const videoTemp = videoTempOf(tempFile);
  let job: TranscodeJob | undefined;
  let media: Promise<MadeMedia> | undefined;
  /** This upload's own poster and video are being made from the temp file: they remove it. */
  let kept = false;
  let claim = NO_CLAIM;
  let shared = false;
  try {
    const info = await (known.sha256
      ? knownContent(tempFile, known.sha256, deps, (held, isShared) => {
          claim = held;
          shared = isShared;
        })
      : inspectGif(tempFile, deps.limits));
    const names = mediaNames(info.sha256);
    if (deps.claim && !known.sha256) claim = await deps.claim(names.id);
    let hasVideo: boolean;
    let hasPoster: boolean;
    let wantsVideo: boolean;
    for (;;) {
      [hasVideo, hasPoster] = await Promise.all([
        store.exists(names.mp4),
        store.exists(names.webp),
      ]);
      wantsVideo = info.frames > 1 && !hasVideo;
      media = wantsVideo || !hasPoster ? deps.making?.(names.id) : undefined;
      // Media to make, and nobody making them: that takes the claim alone (one maker).
      if (!shared || media || !(wantsVideo || !hasPoster) || !deps.claim) break;
      claim.release();
      claim = NO_CLAIM;
      claim = await deps.claim(names.id);
      shared = false;
    }
    // Admitted to the queue before anything is written, so a busy refusal leaves nothing behind.
    if (!media && wantsVideo) job = deps.transcoder.video(tempFile, videoTemp);
    const stored = await store.put(names.gif, tempFile, 'image/gif');
    if (!media && (job || !hasPoster)) {
      kept = true;
      media = makeMedia(tempFile, names, { job, videoTemp, hasPoster, info }, deps);
    }
    return {
      name: names.id,
      gif: names.gif,
      ...(hasPoster && { poster: names.webp }),
      ...(hasVideo && { video: names.mp4 }),
      ...(media && { media }),
      ...info,
      deduped: !stored,
      release: claim.release,
      share: claim.share,
    };
  } catch (err) {
    claim.release();
    throw err;
  } finally {
    if (!kept) {
      // The child must have exited before its output can be removed for good.
      await job?.done;
      await removeTemps(tempFile);
    }
  }
}

/** Where the video of an upload is made, beside its temp file. */
const videoTempOf = (tempFile: string) => `${tempFile}.mp4`;

function removeTemps(tempFile: string): Promise<unknown> {
  return Promise.all([rm(tempFile, { force: true }), rm(videoTempOf(tempFile), { force: true })]);
}

/**
 * Makes the poster and video of a stored GIF from its temp file, then stores them under a claim
 * of the content id, only if the GIF is still stored: a room removed or a message deleted
 * meanwhile took the GIF away, and its media must not come back without it.
 */
function makeMedia(
  tempFile: string,
  names: ReturnType<typeof mediaNames>,
  work: { job?: TranscodeJob; videoTemp: string; hasPoster: boolean; info: GifInfo },
  deps: IngestDeps,
): Promise<MadeMedia> {
  const { store, logger } = deps;
  return (async (): Promise<MadeMedia> => {
    try {
      // One after the other: they are shown together (one update), and a burst of uploads being
      // answered meanwhile does not also carry the poster's decode in this process's memory.
      const outcome = await work.job?.done;
      const poster = work.hasPoster ? null : await deps.transcoder.poster(tempFile);
      const { release } = deps.claim ? await deps.claim(names.id) : NO_CLAIM;
      try {
        if (!(await store.exists(names.gif))) {
          logger?.info('media dropped: its GIF was removed meanwhile', { name: names.id });
          // Told all the same, so what waits for these media stops waiting.
          await deps.made?.(names.id, {});
          return {};
        }
        const [posterName, videoName] = await Promise.all([
          poster
            ? storePoster(poster.data, names.webp, deps)
            : work.hasPoster
              ? names.webp
              : undefined,
          outcome?.ok
            ? storeVideo(outcome.bytes, work.videoTemp, names.mp4, work.info, deps)
            : undefined,
        ]);
        const result = {
          ...(posterName && { poster: posterName }),
          ...(videoName && { video: videoName }),
        };
        await deps.made?.(names.id, result);
        return result;
      } finally {
        release();
      }
    } catch (err) {
      logger?.warn('media not made', { name: names.id, err: String(err) });
      return {};
    } finally {
      await removeTemps(tempFile);
    }
  })();
}

/**
 * The file's content id was taken while it was written (`sha256`): it is claimed before the file
 * is inspected, so only the first upload of new bytes decodes them, and bytes already stored (they
 * passed inspection then) are only checked against the limits, not decoded again. Bytes being or
 * just inspected are claimed shared (`share`): a burst of the same GIF waits for that one
 * inspection, then goes on together.
 */
async function knownContent(
  file: string,
  sha256: string,
  deps: IngestDeps,
  claimed: (claim: Claim, shared: boolean) => void,
): Promise<GifInfo> {
  const names = mediaNames(sha256);
  // Being inspected (or about to be) under another upload's claim: this one waits for it, and
  // then shares. Marked before the claim is granted, so uploads ending together agree at once.
  const shared = Boolean(deps.share && (inspected.has(sha256) || inspecting.has(sha256)));
  if (!shared) inspecting.add(sha256);
  let info;
  try {
    const take = shared ? deps.share : deps.claim;
    if (take) claimed(await take(names.id), shared);
    const seen = inspected.get(sha256);
    if (seen) return recheckInspected(seen, deps.limits);
    info = await ((await deps.store.exists(names.gif))
      ? describeInspected(file, sha256, deps.limits)
      : inspectGif(file, deps.limits, { sha256 }));
  } finally {
    if (!shared) inspecting.delete(sha256);
  }
  inspected.delete(sha256);
  inspected.set(sha256, info);
  if (inspected.size > INSPECTED_KEPT) inspected.delete(inspected.keys().next().value!);
  return info;
}

/** What the newest inspections found, by SHA-256 (oldest first). */
const inspected = new Map<string, GifInfo>();
/** Bytes being inspected now, by SHA-256. */
const inspecting = new Set<string>();
const INSPECTED_KEPT = 256;

async function storePoster(
  data: Buffer,
  name: string,
  { store, logger }: IngestDeps,
): Promise<string | undefined> {
  return store.put(name, Readable.from([data]), 'image/webp').then(
    () => name,
    (err: unknown) => void logger?.warn('poster not stored', { name, err: String(err) }),
  );
}

async function storeVideo(
  bytes: number,
  file: string,
  name: string,
  gif: GifInfo,
  { store, logger }: IngestDeps,
): Promise<string | undefined> {
  // The video exists to save bytes; for tiny or odd GIFs the GIF itself is the better file.
  if (bytes >= gif.bytes) {
    logger?.info('video not smaller than its GIF', { name, gif: gif.bytes, mp4: bytes });
    return undefined;
  }
  return store.put(name, file, 'video/mp4').then(
    () => name,
    (err: unknown) => void logger?.warn('video not stored', { name, err: String(err) }),
  );
}
