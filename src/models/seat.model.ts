import { randomInt } from 'node:crypto';
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { RoomFull } from '../errors';
import type { Person } from '../lib/identity';
import { claimed } from '../lib/mongo';
import type { RoomId } from '../lib/room-id';

/**
 * One document per admitted person. Capacity and "one seat per person" rest on the two unique
 * indexes, because FerretDB does not isolate read-modify-write updates of one room document.
 */
const seatSchema = new Schema(
  {
    room: { type: Schema.Types.ObjectId, required: true },
    slot: { type: Number, required: true },
    session: { type: String, required: true },
    pid: { type: String, required: true },
    since: { type: Date, required: true, default: () => new Date() },
    // When a process last took the seat for a live tab (or, until one does, when it was taken).
    lastSeen: { type: Date, required: true, default: () => new Date() },
    // The process holding the person's live tab: the seat stays while that process is seen
    // (models/process.model.ts). Absent until a tab arrives, and after its process let it go.
    proc: { type: String },
    // Set once the room has been told this person joined, so their exit is announced too.
    announced: { type: Boolean, default: false },
  },
  { versionKey: false },
);
seatSchema.index({ room: 1, slot: 1 }, { unique: true });
seatSchema.index({ room: 1, session: 1 }, { unique: true });

export type SeatDoc = InferSchemaType<typeof seatSchema> & { _id: Types.ObjectId };
export const Seat = model('Seat', seatSchema);

export async function hasSeat(room: RoomId, session: string): Promise<boolean> {
  return Boolean(await Seat.exists({ room, session }));
}

/**
 * Takes a free slot: racing inserts for the last slot cannot both succeed. Returns false when the
 * person already had a seat (maybe from a parallel request); the room is full → RoomFull.
 */
export async function takeSeat(room: RoomId, max: number, person: Person): Promise<boolean> {
  for (let round = 0; round < 5; round++) {
    const taken = new Set(
      (await Seat.find({ room }, { slot: 1 }).lean<Pick<SeatDoc, 'slot'>[]>()).map((s) => s.slot),
    );
    const free = shuffle([...Array(max).keys()].filter((slot) => !taken.has(slot)));
    if (free.length === 0) break;
    for (const slot of free) {
      if (await claimed(Seat.create({ room, slot, session: person.session, pid: person.pid })))
        return true;
      if (await hasSeat(room, person.session)) return false;
    }
  }
  throw new RoomFull();
}

/** Gives the seat up; returns it if there was one. */
export function releaseSeat(room: RoomId, session: string): Promise<SeatDoc | null> {
  return Seat.findOneAndDelete({ room, session }).lean<SeatDoc>();
}

/** Marks the seat as announced, seen now and held by process `proc`; returns it as it was before. */
export function markSeat(room: RoomId, session: string, proc: string): Promise<SeatDoc | null> {
  return Seat.findOneAndUpdate(
    { room, session },
    { $set: { lastSeen: new Date(), announced: true, proc } },
  ).lean<SeatDoc>();
}

/**
 * Seats last taken before `before`: those the sweeper looks at (younger ones may await a tab).
 * `except` leaves out the seats held by that process (a process knows its own tabs in memory).
 */
export function agedSeats(
  before: Date,
  except?: string,
): Promise<Pick<SeatDoc, '_id' | 'room' | 'session' | 'proc'>[]> {
  const filter = except
    ? { lastSeen: { $lt: before }, proc: { $ne: except } }
    : { lastSeen: { $lt: before } };
  return Seat.find(filter, { room: 1, session: 1, proc: 1 }).lean();
}

/** Process `proc` holds the person's live tab now (the one that held it is gone or let it go). */
export async function claimSeat(id: SeatDoc['_id'], proc: string): Promise<void> {
  await Seat.updateOne({ _id: id }, { $set: { proc } });
}

/** Process `proc` no longer has a tab for this seat: whichever process has one claims it. */
export async function disownSeat(id: SeatDoc['_id'], proc: string): Promise<void> {
  await Seat.updateOne({ _id: id, proc }, { $unset: { proc: 1 } });
}

export async function occupiedRooms(): Promise<Set<string>> {
  return new Set((await Seat.distinct('room')).map(String));
}

export function seatOf(room: RoomId, pid: string): Promise<SeatDoc | null> {
  return Seat.findOne({ room, pid }).lean<SeatDoc>();
}

/** The longest-seated person other than `except` (for passing ownership on). */
export function eldestSeat(room: RoomId, except: string): Promise<SeatDoc | null> {
  return Seat.findOne({ room, session: { $ne: except } })
    .sort({ since: 1 })
    .lean<SeatDoc>();
}

export async function pidHasSeat(pid: string): Promise<boolean> {
  return Boolean(await Seat.exists({ pid }));
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

export async function hasAnySeat(room: RoomId): Promise<boolean> {
  return Boolean(await Seat.exists({ room }));
}
