import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import type { RoomId } from '../lib/room-id';
import { LIMITS } from '../limits';
import { Ban } from './ban.model';
import { Deletion } from './deletion.model';
import { Mute } from './mute.model';
import { Reaction } from './reaction.model';
import { Report, ReportDecision } from './report.model';
import { Owner, type OwnerState } from './owner.model';
import { Seat, type SeatDoc } from './seat.model';

const roomSchema = new Schema(
  {
    // Counted as the door counts it (zod: code points), so an emoji title at the limit is stored.
    title: {
      type: String,
      required: true,
      validate: (title: string) => [...title].length <= LIMITS.title.max,
    },
    max: { type: Number, required: true, min: LIMITS.people.min, max: LIMITS.people.max },
    // scrypt hash; never selected unless asked for, never sent anywhere.
    passwordHash: { type: String, select: false },
    createdAt: { type: Date, required: true, default: () => new Date() },
    // The owner's settings (room.moderation): written only by the owner's path, one field each.
    locked: { type: Boolean, default: false },
    slowSeconds: { type: Number, default: 0 },
  },
  { versionKey: false },
);

export type RoomDoc = InferSchemaType<typeof roomSchema> & { _id: Types.ObjectId };
export const Room = model('Room', roomSchema);

/** What a process needs to know of rooms: the rooms, who holds seats, the ownership logs. */
export interface RoomSnapshot {
  rooms: (RoomDoc & { passwordHash?: string })[];
  seats: Pick<SeatDoc, 'room' | 'session'>[];
  owners: (OwnerState & { room: Types.ObjectId })[];
  mutes: { room: Types.ObjectId; session: string; pid: string }[];
}

/** Every room (four queries, whatever their number), or one. */
export async function loadRooms(room?: RoomId): Promise<RoomSnapshot> {
  const byRoom = room ? { room } : {};
  const fields = { title: 1, max: 1, passwordHash: 1, createdAt: 1, locked: 1, slowSeconds: 1 };
  const [rooms, seats, owners, mutes] = await Promise.all([
    Room.find(room ? { _id: room } : {}, fields).lean<RoomSnapshot['rooms']>(),
    Seat.find(byRoom, { room: 1, session: 1 }).lean<RoomSnapshot['seats']>(),
    Owner.find(byRoom).lean<RoomSnapshot['owners']>(),
    Mute.find(byRoom).lean<RoomSnapshot['mutes']>(),
  ]);
  return { rooms, seats, owners, mutes };
}

export async function passwordHashOf(room: RoomId): Promise<string | undefined | null> {
  const doc = await Room.findById(room, { passwordHash: 1 })
    .select('+passwordHash')
    .lean<{ passwordHash?: string }>();
  return doc ? (doc.passwordHash ?? undefined) : null;
}

/** Deletes the room and its seats, ownership log and bans (messages are the chat's); repeatable. */
export async function deleteRoom(room: RoomId): Promise<void> {
  await Room.deleteOne({ _id: room });
  await Promise.all([
    Seat.deleteMany({ room }),
    Owner.deleteMany({ room }),
    Ban.deleteMany({ room }),
    Mute.deleteMany({ room }),
    Reaction.deleteMany({ room }),
    Deletion.deleteMany({ room }),
    Report.deleteMany({ room }),
    ReportDecision.deleteMany({ room }),
  ]);
}

/** The owner's settings, one field each (only the owner's path writes them). */
export async function saveSettings(
  room: RoomId,
  patch: { locked?: boolean; slowSeconds?: number },
): Promise<void> {
  await Room.updateOne({ _id: room }, { $set: patch });
}
