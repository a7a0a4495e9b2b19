import { Types } from 'mongoose';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { Removal } from '../models/removal.model';
import { Seat, type SeatDoc } from '../models/seat.model';
import type { RoomService } from './room.service';

/**
 * Timers and the rooms' part of the sweeper. FerretDB has no TTL indexes, so expiry is done here:
 * empty rooms are removed after the grace period, seats without a live tab are released after
 * SEAT_TTL_MS, and the first sweep finishes whatever a crash left behind.
 */
export class RoomLifecycle {
  private readonly removals = new Map<string, NodeJS.Timeout>();
  private sweeping?: Promise<void>;
  private closed = false;

  constructor(
    private readonly rooms: RoomService,
    private readonly deps: { config: Config; logger: Logger },
  ) {}

  /** Stops the timers and waits for a sweep under way, so nothing touches the database afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await this.sweeping;
    for (const t of this.removals.values()) clearTimeout(t);
    this.removals.clear();
  }

  /** Removes the room after the grace period unless someone takes a seat meanwhile. */
  scheduleRemoval(room: string): void {
    if (this.closed || this.removals.has(room)) return;
    const timer = setTimeout(() => {
      this.removals.delete(room);
      void this.removeIfEmpty(room).catch((err: unknown) =>
        this.deps.logger.error('room removal failed', { room, err: String(err) }),
      );
    }, this.deps.config.ROOM_GRACE_MS);
    this.removals.set(room, timer);
  }

  cancelRemoval(room: string): void {
    clearTimeout(this.removals.get(room));
    this.removals.delete(room);
  }

  /** One sweep at a time; callers (tests, the sweeper) await the one under way. */
  sweep(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async removeIfEmpty(room: string): Promise<void> {
    const id = new Types.ObjectId(room);
    if (await Seat.exists({ room: id })) return;
    await this.rooms.remove(id);
  }

  private async sweepOnce(): Promise<void> {
    const now = Date.now();
    const live = this.rooms.liveSeats().map((id) => new Types.ObjectId(id));
    if (live.length)
      await Seat.updateMany({ _id: { $in: live } }, { $set: { lastSeen: new Date(now) } });

    const stale = await Seat.find(
      { lastSeen: { $lt: new Date(now - this.deps.config.SEAT_TTL_MS) } },
      {
        room: 1,
        session: 1,
      },
    ).lean<Pick<SeatDoc, 'room' | 'session'>[]>();
    for (const seat of stale) {
      if (!this.rooms.presence.isLive(String(seat.room), seat.session))
        await this.rooms.people.leave(seat.room, seat.session);
    }

    // Removals cut short by a crash: the tombstone exists but the room is still there.
    const roomIds = this.rooms.list().map((r) => new Types.ObjectId(r._id));
    const unfinished = await Removal.find({ _id: { $in: roomIds } }, { _id: 1 }).lean<
      { _id: Types.ObjectId }[]
    >();
    for (const r of unfinished) await this.rooms.finishRemoval(r._id);

    const occupied = new Set((await Seat.distinct('room')).map(String));
    for (const view of this.rooms.list()) {
      if (!occupied.has(view._id)) this.scheduleRemoval(view._id);
    }
  }
}
