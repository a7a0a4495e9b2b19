import { randomInt } from 'node:crypto';
import type { Types } from 'mongoose';
import { RoomFull } from '../errors';
import type { Person } from '../lib/identity';
import { claimed } from '../lib/mongo';
import { Seat, type SeatDoc } from '../models/seat.model';

const key = (room: string, session: string) => `${room}\n${session}`;

/**
 * Admission under capacity. Each seat is a document with a unique (room, slot) and a unique
 * (room, session): racing inserts for the last slot cannot both succeed, and one person can never
 * hold two seats — without relying on isolated updates, which FerretDB does not have. Known seats
 * are remembered so the hot paths (page loads, posts) need no query.
 */
export class Seats {
  private readonly known = new Set<string>();

  remember(room: string, session: string): void {
    this.known.add(key(room, session));
  }

  knows(room: string, session: string): boolean {
    return this.known.has(key(room, session));
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
    this.known.delete(key(String(room), session));
    return Seat.findOneAndDelete({ room, session }).lean<SeatDoc>();
  }

  forget(room: string): void {
    for (const k of this.known) if (k.startsWith(`${room}\n`)) this.known.delete(k);
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
