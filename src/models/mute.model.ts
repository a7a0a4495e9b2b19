import { Schema, model } from 'mongoose';
import { claimed } from '../lib/mongo';
import type { RoomId } from '../lib/room-id';

/**
 * A person the owner muted in a room: one document per room and session (the unique index makes
 * muting twice harmless, on any number of processes); unmuting deletes it. The pid is kept so the
 * room can be told who is muted without knowing sessions.
 */
const muteSchema = new Schema(
  {
    room: { type: Schema.Types.ObjectId, required: true },
    session: { type: String, required: true },
    pid: { type: String, required: true },
  },
  { versionKey: false },
);
muteSchema.index({ room: 1, session: 1 }, { unique: true });

export const Mute = model('Mute', muteSchema);

export async function mute(room: RoomId, session: string, pid: string): Promise<void> {
  await claimed(Mute.create({ room, session, pid }));
}

export async function unmute(room: RoomId, session: string): Promise<void> {
  await Mute.deleteOne({ room, session });
}
