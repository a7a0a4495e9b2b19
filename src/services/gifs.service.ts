import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFound } from '../errors';
import type { Person } from '../lib/identity';
import { SharedLock } from '../lib/shared-lock';
import type { RoomId } from '../lib/room-id';
import type { Logger } from '../logger';
import { MediaBusy } from '../media/errors';
import type { GifLimits } from '../media/inspect';
import { ingestGif, type IngestDeps, type IngestResult, type MadeMedia } from '../media/pipeline';
import { mediaNames, type MediaStore } from '../media/store';
import type { Transcoder } from '../media/transcode';
import { isDeleted } from '../models/deletion.model';
import { Message, type MessageDoc } from '../models/message.model';
import {
  allPending,
  clearPending,
  expireTakeovers,
  markPending,
  takePending,
} from '../models/pending-media.model';
import { liveProcesses } from '../models/process.model';
import { toChatMessage, type ChatService, type GifContent } from './chat.service';
import { SCRUB } from './conversation';
import type { SweepTask } from './sweeper';
import { GifIndex, POPULAR_DAYS, sendOf, type GifSend, type PickerItem } from './gif-index';
import type { ChatMessage, MediaUpdate } from './types';

export const MEDIA_PREFIX = '/gif/';
const DAY_MS = 86_400_000;
/** What a clustered process reads per picker request (it keeps no index of its own). */
const CLUSTER_READ = 2_000;
const STEM = /^(?:\/gif\/)?([0-9a-f]{32,64})(?:\.(gif|mp4|webp))?$/;

export interface GifDependencies {
  store: MediaStore;
  transcoder: Transcoder;
  limits: Partial<GifLimits>;
  logger: Logger;
  /** ChatService.post: saves and broadcasts (a repeated cid answers with the first message). */
  post: (room: RoomId, person: Person, content: GifContent, cid?: string) => Promise<ChatMessage>;
  /** Rooms anyone may enter (no password) that exist now. */
  isPublic: (room: string) => boolean;
  /** True when this process serves the site alone: it keeps the index of sends in memory. */
  alone: boolean;
  /** This process's id (as in `processes`): it marks the media it makes with it. */
  process: string;
  /** Where a stored GIF is copied to when its media are made again (the uploads' directory). */
  incomingDir: string;
  /**
   * A GIF message got its poster and video after it was sent (stored already): the newest
   * messages kept in memory follow, and the room hears `media`.
   */
  mediaMade?: (message: ChatMessage, update: MediaUpdate) => void;
}

/** Poster and video being made for a content id, and the messages waiting for them. */
interface Making {
  media: Promise<MadeMedia>;
  waiting: Map<string, ChatMessage>;
  /** The mark of this making in `pendingmedia`, written (or not) meanwhile. */
  marked: Promise<unknown>;
}

export interface PickerQuery {
  tab: 'recent' | 'popular';
  q?: string;
  /** A room the reader is in: its GIFs count as visible even when it is secret. */
  room?: RoomId;
}

/**
 * GIF messages: uploads through the media pipeline, re-sends of GIFs the person has seen, the
 * picker's lists, and removing files once no message uses them.
 *
 * Files are shared by every message with the same bytes, so a file is removed only after a check
 * that no message references it. A process claims a content id (a lock per id) from the moment an
 * upload is inspected or a re-send is checked until its message is saved, and removal takes the
 * same claim alone: the check and the message insert cannot interleave in one process. Uploads
 * take turns only while they inspect and store; their messages are saved sharing the claim, so a
 * burst of the same GIF is stored as one batch, not one insert after another. (Across
 * processes a removal racing a send of the very same bytes in the same instant can still lose the
 * file; the message then shows "could not be loaded".)
 */
export class GifService {
  private readonly claims = new SharedLock();
  private readonly index = new GifIndex();
  private readonly making = new Map<string, Making>();
  private loaded?: Promise<void>;
  /** Stopping: what is made now was cut short (no video), and is left marked to be made again. */
  private closing = false;

  constructor(private readonly deps: GifDependencies) {}

  /** Reads the newest GIF sends into the index (a process serving the site alone). */
  load(): Promise<void> {
    if (!this.deps.alone) return Promise.resolve();
    this.loaded ??= readSends({}, this.index, 20_000);
    return this.loaded;
  }

  /**
   * Takes an uploaded temp file (always removed) to a message, answered once the checks are done
   * and the GIF is stored: its poster and video are made afterwards, and the message is updated
   * then (`mediaMade`). Uploads of bytes whose media are still being made wait for the same ones.
   */
  async upload(
    room: RoomId,
    person: Person,
    tempFile: string,
    originalName: string | undefined,
    cid?: string,
    /** The file's SHA-256 (hex), when it was taken as the file was written. */
    sha256?: string,
  ): Promise<ChatMessage> {
    const result = await ingestGif(tempFile, this.ingestDeps(), { sha256 });
    // Still under the claim: whatever is made is told (under it too) to the messages listed here.
    let making = result.media && this.making.get(result.name);
    if (result.media && !making) {
      // Marked for another process to finish should this one die first (not waited for: a lost
      // mark costs only that).
      const marked = markPending(result.name, this.deps.process).catch((err: unknown) =>
        this.deps.logger.warn('media not marked', { name: result.name, err: String(err) }),
      );
      making = { media: result.media, waiting: new Map(), marked };
      this.making.set(result.name, making);
    }
    const urls = urlsOf(result);
    // Checked, stored, and its media under way: other uploads of these bytes may go on meanwhile.
    result.share();
    let message: ChatMessage | undefined;
    try {
      message = await this.deps.post(
        room,
        person,
        contentOf(result, displayName(originalName)),
        cid,
      );
      this.index.add(sendOf(message));
      if (making && message.gif === urls[0]) making.waiting.set(message._id, message);
    } finally {
      result.release();
      // Not saved, or a retried upload answered with the first one's message (other bytes, maybe):
      // what this upload stored may be used by no message.
      if (message?.gif !== urls[0]) await this.release(urls);
    }
    return message;
  }

  /**
   * The poster and video of `id` are stored (or could not be made), under its claim: the messages
   * waiting for them get them, unless deleted meanwhile (a room removed took its messages away,
   * a deleted message stays "deleted"; one writer per message, so updates need no isolation).
   */
  private async made(id: string, media: MadeMedia): Promise<void> {
    const making = this.making.get(id);
    this.making.delete(id);
    if (!making) return;
    try {
      await this.give(id, media, making);
    } finally {
      // Cut short by a stop, the mark stays: the next process makes the video.
      if (!this.closing)
        await making.marked
          .then(() => clearPending(id, this.deps.process))
          .catch((err: unknown) =>
            this.deps.logger.warn('media mark not cleared', { name: id, err: String(err) }),
          );
    }
  }

  /** Gives the messages waiting in `making` what was made for `id`. */
  private async give(id: string, media: MadeMedia, making: Making): Promise<void> {
    const set = stripUndefined({
      poster: media.poster && `${MEDIA_PREFIX}${media.poster}`,
      video: media.video && `${MEDIA_PREFIX}${media.video}`,
    });
    if (!set.video)
      this.deps.logger.info('GIF kept without video', { name: id, poster: Boolean(set.poster) });
    if (!set.poster && !set.video) return;
    for (const message of making.waiting.values()) {
      try {
        const { matchedCount } = await Message.updateOne(
          { _id: message._id, deleted: { $ne: true } },
          { $set: set },
        );
        if (matchedCount === 0) continue;
        // A delete racing this update: its tombstone is the truth. The update is not isolated from
        // the delete's scrub (FerretDB), so it may have written the GIF back: scrubbed again.
        if (await isDeleted(message._id)) {
          await Message.updateOne({ _id: message._id }, SCRUB);
          continue;
        }
        const update: MediaUpdate = {
          room: message.room,
          _id: message._id,
          seq: message.seq,
          ...set,
        };
        this.index.media(message._id, set);
        this.deps.mediaMade?.({ ...message, ...set }, update);
      } catch (err) {
        this.deps.logger.warn('message not given its media', { id: message._id, err: String(err) });
      }
    }
  }

  /**
   * Sends a stored GIF again. Only one the person could have seen: one they sent, one sent in
   * this room, or one sent in a public room — never one of a secret room they are not in.
   */
  async resend(room: RoomId, person: Person, ref: string, cid?: string): Promise<ChatMessage> {
    const id = stemOf(ref);
    if (!id) throw new NotFound('gif_not_found');
    const { release } = await this.claims.shared(id);
    try {
      const gif = `${MEDIA_PREFIX}${id}.gif`;
      const allowed = (s: Pick<GifSend, 'room' | 'pid'>) =>
        s.pid === person.pid || s.room === room || this.deps.isPublic(s.room);
      const sent = await this.findSend(gif, room, person.pid, allowed);
      if (!sent || !(await this.deps.store.exists(`${id}.gif`)))
        throw new NotFound('gif_not_found');
      const { poster, video, width, height, gifName } = sent;
      const content: GifContent = { gif, poster, video, width, height, gifName };
      const message = await this.deps.post(room, person, stripUndefined(content), cid);
      this.index.add(sendOf(message));
      // Sent again while its poster and video are being made: it gets them with the others.
      this.making.get(id)?.waiting.set(message._id, message);
      return message;
    } finally {
      release();
    }
  }

  /** The picker's list for `pid`. */
  async picker(
    pid: string,
    { tab, q, room }: PickerQuery,
    now = Date.now(),
  ): Promise<PickerItem[]> {
    const index = await this.indexFor(tab, pid, now);
    if (tab === 'recent') return index.recent(pid, q);
    return index.popular((r) => r === room || this.deps.isPublic(r), now, q);
  }

  /**
   * Removes the files of `urls` (GIFs and their derivatives) that no message references any more.
   * Messages reference a GIF by its `gif` URL; its poster and video go with it.
   */
  async release(urls: string[]): Promise<void> {
    const ids = [...new Set(urls.map(stemOf).filter((id) => id !== null))].sort();
    if (ids.length === 0) return;
    // Claimed in one order, so two releases of overlapping sets cannot wait on each other.
    const releases: Array<() => void> = [];
    try {
      for (const id of ids) releases.push((await this.claims.exclusive(id)).release);
      const gifs = ids.map((id) => `${MEDIA_PREFIX}${id}.gif`);
      const used = new Set(
        (
          await Message.find({ gif: { $in: gifs } }, { gif: 1 }).lean<Pick<MessageDoc, 'gif'>[]>()
        ).map((m) => m.gif),
      );
      const unused = ids.filter((id) => !used.has(`${MEDIA_PREFIX}${id}.gif`));
      await Promise.all(unused.flatMap((id) => this.removeFiles(id)));
      const gone = new Set(unused.map((id) => `${MEDIA_PREFIX}${id}.gif`));
      this.index.forget((s) => gone.has(s.gif));
    } finally {
      releases.forEach((release) => release());
    }
  }

  /**
   * The sweeper's task for RETENTION_DAYS: messages older than that go (through the chat
   * service, which hands their files to `release`), and the index forgets them.
   */
  retention(days: number, chat: Pick<ChatService, 'deleteOlderThan'>): SweepTask {
    return {
      name: 'retention',
      everyMs: 10 * 60_000,
      run: async (now) => {
        const cutoff = new Date(now - days * DAY_MS);
        await chat.deleteOlderThan(cutoff);
        this.index.forget((s) => s.at < cutoff.getTime());
      },
    };
  }

  /**
   * The sweeper's task for media a process was making when it crashed or stopped: each mark of a
   * process not seen for `staleMs` is taken over by one process, which makes them again from the
   * stored GIF (what is stored already is kept) and gives them to the messages still without them.
   */
  recovery(staleMs: number): SweepTask {
    return {
      name: 'media',
      everyMs: 60_000,
      run: async (now) => {
        await expireTakeovers(now);
        const pending = await allPending();
        if (pending.length === 0) return;
        const live = await liveProcesses(new Date(now - staleMs));
        for (const mark of pending) {
          if (this.closing) return;
          if (mark.proc === this.deps.process || live.has(mark.proc)) continue;
          if (!(await takePending(mark, this.deps.process))) continue;
          await this.remake(mark._id).catch(async (err: unknown) => {
            this.deps.logger.warn('media not made again', { name: mark._id, err: String(err) });
            // The queue was full: the mark goes back, to be taken at a later sweep. Anything
            // else (the GIF refused by today's limits, unreadable) would not go better.
            await clearPending(mark._id, this.deps.process);
            if (err instanceof MediaBusy) await markPending(mark._id, mark.proc);
          });
        }
      },
    };
  }

  /** Makes the poster and video of the stored GIF `id` again, for the messages without them. */
  private async remake(id: string): Promise<void> {
    const gif = `${MEDIA_PREFIX}${id}.gif`;
    const messages = await Message.find({
      gif,
      deleted: { $ne: true },
      $or: [{ poster: { $exists: false } }, { video: { $exists: false } }],
    }).lean<MessageDoc[]>();
    if (messages.length === 0 || !(await this.deps.store.exists(`${id}.gif`)))
      return void (await clearPending(id, this.deps.process));
    // Through the pipeline as an upload of the same bytes: inspected already, so only described.
    const temp = path.join(this.deps.incomingDir, `${randomBytes(16).toString('hex')}.gif`);
    const sha256 = await copyOut(this.deps.store, `${id}.gif`, temp).catch(async (err: unknown) => {
      await rm(temp, { force: true });
      throw err;
    });
    if (mediaNames(sha256).id !== id) {
      await rm(temp, { force: true });
      return void (await clearPending(id, this.deps.process));
    }
    const result = await ingestGif(temp, this.ingestDeps(), { sha256 });
    let making = this.making.get(id);
    try {
      if (!making) {
        const made = { poster: result.poster, video: result.video };
        making = {
          media: result.media ?? Promise.resolve(made),
          waiting: new Map(),
          marked: Promise.resolve(),
        };
        this.making.set(id, making);
      }
      for (const message of messages)
        making.waiting.set(String(message._id), toChatMessage(message));
      // Nothing left to make (stored since): the messages get what is there, under the claim.
      if (!result.media) await this.made(id, await making.media);
    } finally {
      result.release();
    }
    await making.media;
  }

  /** What ingestGif needs of this service: claims, and the media being made and made. */
  private ingestDeps(): IngestDeps {
    return {
      ...this.deps,
      claim: (id) => this.claims.exclusive(id),
      share: (id) => this.claims.shared(id),
      making: (id) => this.making.get(id)?.media,
      made: (id, media) => this.made(id, media),
    };
  }

  /** Stops the transcoding (what runs yields no video) and waits for the media being finished. */
  async close(): Promise<void> {
    this.closing = true;
    await this.deps.transcoder.close();
    await Promise.allSettled([...this.making.values()].map((m) => m.media));
  }

  private removeFiles(id: string): Promise<void>[] {
    // Older uploads have a random 32-hex name and only a GIF: removing the others is a no-op.
    return [`${id}.gif`, `${id}.webp`, `${id}.mp4`].map((name) =>
      this.deps.store
        .remove(name)
        .catch((err: unknown) =>
          this.deps.logger.warn('could not delete media', { name, err: String(err) }),
        ),
    );
  }

  private async indexFor(tab: PickerQuery['tab'], pid: string, now: number): Promise<GifIndex> {
    if (this.deps.alone) {
      await this.load();
      return this.index;
    }
    const index = new GifIndex();
    const filter =
      tab === 'recent' ? { pid } : { createdAt: { $gte: new Date(now - POPULAR_DAYS * DAY_MS) } };
    await readSends(filter, index, CLUSTER_READ);
    return index;
  }

  private async findSend(
    gif: string,
    room: RoomId,
    pid: string,
    allowed: (s: Pick<GifSend, 'room' | 'pid'>) => boolean,
  ): Promise<GifSend | undefined> {
    if (this.deps.alone) {
      await this.load();
      const kept = this.index.find(gif, allowed);
      if (kept) return kept;
    }
    // Not kept (older than the index, or another process's): the newest few sends of this GIF.
    const index = new GifIndex();
    await readSends({ gif, $or: [{ pid }, { room }] }, index, 1);
    await readSends({ gif }, index, 50);
    return index.find(gif, allowed);
  }
}

async function readSends(filter: object, index: GifIndex, limit: number): Promise<void> {
  const docs = await Message.find({ gif: { $exists: true }, pid: { $exists: true }, ...filter })
    .sort({ createdAt: -1 })
    .limit(limit)
    .lean<MessageDoc[]>();
  for (const doc of docs)
    index.add(
      sendOf({
        _id: String(doc._id),
        room: String(doc.room),
        seq: doc.seq,
        user: doc.user,
        createdAt: doc.createdAt.toISOString(),
        ...stripNull(doc),
      }),
    );
}

function stripNull(doc: MessageDoc): Partial<ChatMessage> {
  const out: Partial<ChatMessage> = {};
  for (const key of ['pid', 'gif', 'poster', 'video', 'gifName'] as const)
    if (doc[key] != null) out[key] = doc[key];
  if (doc.width != null && doc.height != null)
    Object.assign(out, { width: doc.width, height: doc.height });
  return out;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The content id of a media name or URL (`abc….gif`, `/gif/abc….mp4`, or the bare id). */
export function stemOf(ref: string): string | null {
  return STEM.exec(ref)?.[1] ?? null;
}

function contentOf(result: IngestResult, gifName: string | undefined): GifContent {
  const url = (name: string | undefined) => (name ? `${MEDIA_PREFIX}${name}` : undefined);
  return stripUndefined({
    gif: `${MEDIA_PREFIX}${result.gif}`,
    poster: url(result.poster),
    video: url(result.video),
    width: result.width,
    height: result.height,
    gifName,
  });
}

/** The media URLs of an ingested GIF, the GIF's first. */
function urlsOf(result: IngestResult): string[] {
  return [result.gif, result.poster, result.video].flatMap((name) =>
    name ? [`${MEDIA_PREFIX}${name}`] : [],
  );
}

const NAME_MAX = 80;

/**
 * The uploaded file's name as people would say it: no path, no `.gif`, no control or format
 * characters, NFKC, underscores and runs of spaces as one space, at most 80 characters.
 */
export function displayName(original: string | undefined): string | undefined {
  if (!original) return undefined;
  let name = original;
  // Multipart parsers hand non-ASCII names over as latin1 bytes: read them as the UTF-8 they are.
  if (/[\u0080-\u00ff]/.test(name) && [...name].every((c) => c.charCodeAt(0) < 0x100)) {
    const utf8 = Buffer.from(name, 'latin1').toString('utf8');
    if (!utf8.includes('\uFFFD')) name = utf8;
  }
  const cleaned = path.posix
    .basename(name.replace(/\\/g, '/'))
    .normalize('NFKC')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\.gif$/i, '')
    .replace(/[_\s]+/g, ' ')
    .trim();
  return [...cleaned].slice(0, NAME_MAX).join('').trim() || undefined;
}

/** Copies a stored object to `file`, and answers its SHA-256 (hex). */
async function copyOut(store: MediaStore, name: string, file: string): Promise<string> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(await store.read(name), tap, createWriteStream(file, { flags: 'wx' }));
  return hash.digest('hex');
}
