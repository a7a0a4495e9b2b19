import { Schema, model } from 'mongoose';
import { claimed } from '../lib/mongo';
import type { RoomId } from '../lib/room-id';

const banSchema = new Schema(
  {
    room: { type: Schema.Types.ObjectId, required: true },
    session: { type: String, required: true },
  },
  { versionKey: false },
);
banSchema.index({ room: 1, session: 1 }, { unique: true });

export const Ban = model('Ban', banSchema);

/** Kicked stays out: one document per banned person and room (repeating it is harmless). */
export async function ban(room: RoomId, session: string): Promise<void> {
  await claimed(Ban.create({ room, session }));
}

export async function isBanned(room: RoomId, session: string): Promise<boolean> {
  return Boolean(await Ban.exists({ room, session }));
}
