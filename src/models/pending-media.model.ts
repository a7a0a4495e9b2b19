import { Schema, model } from 'mongoose';
import { isDuplicateKey } from '../lib/mongo';

/**
 * A GIF's poster and video being made by a process (`proc`, as in `processes`): written when the
 * making starts, deleted once what was made is stored and its messages were given it. One left by
 * a process no longer seen (it crashed while ffmpeg ran) is taken by another, which makes them
 * again (GifService.recovery). Few documents at any time: reading them all is cheap on any store.
 */
const pendingSchema = new Schema(
  {
    /** The content id (32 hex), stem of the GIF's stored name. */
    _id: { type: String, required: true },
    proc: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const PendingMedia = model('PendingMedia', pendingSchema, 'pendingmedia');

/**
 * One taking-over of a mark (its id, process and time): its unique `_id` lets one process in, on
 * any store. Deletes are not enough: over FerretDB two concurrent deletes of one
 * document both reported it deleted (measured: 2 of 12 racers took the same mark).
 */
const takeoverSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

const MediaTakeover = model('MediaTakeover', takeoverSchema, 'mediatakeovers');

/** How long a taking-over is remembered: the dead process's mark is long gone by then. */
const TAKEOVER_KEPT_MS = 24 * 3_600_000;

export interface Pending {
  _id: string;
  proc: string;
  at: Date;
}

/** `proc` makes the media of `id` from now on (one already marked by another keeps its mark). */
export async function markPending(id: string, proc: string): Promise<void> {
  await PendingMedia.create({ _id: id, proc, at: new Date() }).catch((err: unknown) => {
    if (!isDuplicateKey(err)) throw err;
  });
}

/** The making `proc` marked is over (whatever it made). */
export async function clearPending(id: string, proc: string): Promise<void> {
  await PendingMedia.deleteOne({ _id: id, proc });
}

export function allPending(): Promise<Pending[]> {
  return PendingMedia.find({}).lean<Pending[]>();
}

/**
 * Takes over a mark of a process gone: true for the one process whose takeover of this very mark
 * (id, process, time) was inserted first; it replaces the mark with its own. A mark given back
 * later is a new one, taken again.
 */
export async function takePending(mark: Pending, to: string): Promise<boolean> {
  const { _id: id, proc: from, at } = mark;
  const key = `${id} ${from} ${at.getTime()}`;
  const taken = await MediaTakeover.create({ _id: key, at: new Date() }).then(
    () => true,
    (err: unknown) => {
      if (isDuplicateKey(err)) return false;
      throw err;
    },
  );
  if (!taken) return false;
  await PendingMedia.deleteOne({ _id: id, proc: from });
  await markPending(id, to);
  return true;
}

/** Forgets takeovers older than a day (the sweeper's media task). */
export async function expireTakeovers(now: number): Promise<void> {
  await MediaTakeover.deleteMany({ at: { $lt: new Date(now - TAKEOVER_KEPT_MS) } });
}
