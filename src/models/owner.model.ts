import { Schema, model } from 'mongoose';
import { claimed } from '../lib/mongo';
import type { RoomId } from '../lib/room-id';

/** Who owns a room at one epoch of its ownership log. */
export interface OwnerState {
  epoch: number;
  session: string;
  pid: string;
  user: string;
}

/**
 * Ownership as an append-only log: the highest epoch is the owner. Changing owner means inserting
 * epoch n+1, which the unique index lets exactly one contender do, so there is never a second owner.
 */
const ownerSchema = new Schema(
  {
    room: { type: Schema.Types.ObjectId, required: true },
    epoch: { type: Number, required: true },
    session: { type: String, required: true },
    pid: { type: String, required: true },
    user: { type: String, required: true },
  },
  { versionKey: false },
);
ownerSchema.index({ room: 1, epoch: 1 }, { unique: true });

export const Owner = model('Owner', ownerSchema);

/** Appends an epoch to the log; false when another writer took that epoch first. */
export function appendOwner(room: RoomId, state: OwnerState): Promise<boolean> {
  return claimed(Owner.create({ room, ...state }));
}
