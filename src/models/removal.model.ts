import { Schema, model } from 'mongoose';
import { claimed } from '../lib/mongo';
import { roomIdOf, type RoomId } from '../lib/room-id';

/** A tombstone keyed by room id: whoever inserts it first performs the removal, exactly once. */
const removalSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);

export const Removal = model('Removal', removalSchema);

/** True for the one caller that gets to remove the room. */
export function claimRemoval(room: RoomId): Promise<boolean> {
  return claimed(Removal.create({ _id: room }));
}

export async function isRemoved(room: RoomId): Promise<boolean> {
  return Boolean(await Removal.exists({ _id: room }));
}

/**
 * Of these rooms, those whose removal a crash cut short: the tombstone was laid before `claimedBefore`
 * and the room is still there. A younger tombstone may be a removal still under way (in any
 * process); finishing it too would announce the room's removal twice.
 */
export async function unfinishedRemovals(rooms: RoomId[], claimedBefore: Date): Promise<RoomId[]> {
  if (!rooms.length) return [];
  const found = await Removal.find(
    { _id: { $in: rooms }, at: { $lt: claimedBefore } },
    { _id: 1 },
  ).lean();
  return found.map((r) => roomIdOf(r._id));
}

export async function expireRemovals(before: Date): Promise<void> {
  await Removal.deleteMany({ at: { $lt: before } });
}
