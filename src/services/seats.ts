import { randomInt } from 'node:crypto';
import type { Types } from 'mongoose';
import { RoomFull } from '../errors';
import type { Person } from '../lib/identity';
import { claimed } from '../lib/mongo';
import { Seat, type SeatDoc } from '../models/seat.model';

/**
 * Admission under capacity. Each seat is a document with a unique (room, slot) and a unique
 * (room, session): racing inserts for the last slot cannot both succeed, and one person can never
 * hold two seats — without relying on isolated updates, which FerretDB does not have. Known seats
 * are remembered so the hot paths (page loads, posts) need no query.
 */
export class Seats {
  /** Sessions holding a seat, by room. */
  private readonly known = new Map<string, Set<string>>();

  remember(room: string, session: string): void {
    let sessions = this.known.get(room);
    if (!sessions) this.known.set(room, (sessions = new Set()));
    sessions.add(session);
  }

  knows(room: string, session: string): boolean {
    return this.known.get(room)?.has(session) ?? false;
  }

  /** People seated in the room, as far as this process knows (the lobby's count). */
  count(room: string): number {
    return this.known.get(room)?.size ?? 0;
  }

  /** Forgets one seat (released here or, in a cluster, by another process). */
  drop(room: string, session: string): void {
    const sessions = this.known.get(room);
    sessions?.delete(session);
    if (sessions?.size === 0) this.known.delete(room);
  }

  async has(room: Types.ObjectId, session: string): Promise<boolean> {
    if (this.knows(String(room), session)) return true;
    const found = Boolean(await Seat.exists({ room, session }));
    if (found) this.remember(String(room), session);
    return found;
  }

  /** Takes a free slot; returns false when the person already had a seat, throws RoomFull. */
  async take(room: Types.ObjectId, max: number, person: Person): Promise<boolean> {
    for (let round = 0; round < 5; round++) {
      const taken = new Set(
        (await Seat.find({ room }, { slot: 1 }).lean<Pick<SeatDoc, 'slot'>[]>()).map((s) => s.slot),
      );
      const free = shuffle([...Array(max).keys()].filter((slot) => !taken.has(slot)));
      if (free.length === 0) break;
      for (const slot of free) {
        if (await claimed(Seat.create({ room, slot, session: person.session, pid: person.pid }))) {
          this.remember(String(room), person.session);
          return true;
        }
        // Someone took that slot, or this person got a seat in a parallel request.
        if (await this.has(room, person.session)) return false;
      }
    }
    throw new RoomFull();
  }

  /** Gives the seat up; returns it if there was one. */
  async release(room: Types.ObjectId, session: string): Promise<SeatDoc | null> {
    this.drop(String(room), session);
    return Seat.findOneAndDelete({ room, session }).lean<SeatDoc>();
  }

  forget(room: string): void {
    this.known.delete(room);
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
