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
 * Takes over the making of `id` from `from` (a process gone): true for the one process whose
 * delete removed the mark (a delete is atomic on every store, unlike a guarded update).
 */
export async function takePending(id: string, from: string, to: string): Promise<boolean> {
  const { deletedCount } = await PendingMedia.deleteOne({ _id: id, proc: from });
  if (deletedCount !== 1) return false;
  await markPending(id, to);
  return true;
}
