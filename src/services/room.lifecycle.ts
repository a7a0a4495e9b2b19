import type { Config } from '../config';
import type { Logger } from '../logger';
import { roomIdOf, type RoomId } from '../lib/room-id';
import { expireRemovals, unfinishedRemovals } from '../models/removal.model';
import { beat, expireProcesses, liveProcesses } from '../models/process.model';
import { agedSeats, claimSeat, disownSeat, occupiedRooms } from '../models/seat.model';
import type { RoomChange } from './room.changes';
import type { RoomView } from './types';

export interface LifecycleDependencies {
  config: Pick<Config, 'ROOM_GRACE_MS' | 'SEAT_TTL_MS'>;
  logger: Logger;
  /** Rooms this process knows of. */
  rooms(): RoomView[];
  /** This process's id: the seats of its live tabs name it (`Seat.proc`), its heartbeat keeps them. */
  process: string;
  isLive(room: RoomId, session: string): boolean;
  leave(room: RoomId, session: string): Promise<void>;
  remove(room: RoomId): Promise<boolean>;
  finishRemoval(room: RoomId): Promise<void>;
  isEmpty(room: RoomId): Promise<boolean>;
}

/**
 * Timers and the rooms' part of the sweeper. FerretDB has no TTL indexes, so expiry is done here:
 * empty rooms are removed after the grace period, seats without a live tab are released after
 * SEAT_TTL_MS, and every sweep finishes whatever a crash left behind.
 */
export class RoomLifecycle {
  private readonly removals = new Map<RoomId, NodeJS.Timeout>();
  private sweeping?: Promise<void>;
  private closed = false;
  /** When the sweep last read this process's own seats too (see releaseStale). */
  private ownSeatsRead = -Infinity;

  constructor(private readonly deps: LifecycleDependencies) {}

  /** Follows the rooms' changes: a seat taken saves a room, the last one released dooms it. */
  readonly onChange = (change: RoomChange, local: boolean): void => {
    if (change.type === 'removed' || (change.type === 'seat' && change.taken))
      return this.cancelRemoval(change.room);
    if (change.type === 'seat' && local) {
      const view = this.deps.rooms().find((r) => r._id === change.room);
      if (view?.size === 0) this.scheduleRemoval(change.room);
    }
  };

  /**
   * Marks this process as seen now, and with it the seats of its live tabs. Closing does so last:
   * the tabs of a restart then have a whole SEAT_TTL_MS to come back (to any process) before their
   * seats lapse.
   */
  async heartbeat(): Promise<void> {
    await beat(this.deps.process, new Date());
  }

  /** Stops the timers and waits for a sweep under way, so nothing touches the database afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await this.sweeping;
    for (const t of this.removals.values()) clearTimeout(t);
    this.removals.clear();
  }

  /** Removes the room after the grace period unless someone takes a seat meanwhile. */
  scheduleRemoval(room: RoomId): void {
    if (this.closed || this.removals.has(room)) return;
    const timer = setTimeout(() => {
      this.removals.delete(room);
      void this.removeIfEmpty(room).catch((err: unknown) =>
        this.deps.logger.error('room removal failed', { room, err: String(err) }),
      );
    }, this.deps.config.ROOM_GRACE_MS);
    this.removals.set(room, timer);
  }

  cancelRemoval(room: RoomId): void {
    clearTimeout(this.removals.get(room));
    this.removals.delete(room);
  }

  /** One sweep at a time; callers (tests, the sweeper) await the one under way. */
  sweep(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async removeIfEmpty(room: RoomId): Promise<void> {
    if (await this.deps.isEmpty(room)) await this.deps.remove(room);
  }

  private async sweepOnce(): Promise<void> {
    const now = Date.now();
    const { process: me, config } = this.deps;
    await beat(me, new Date(now));
    // This process's own seats are read only now and then: its tabs are known here, and a seat of
    // one left without a tab (a leave that failed) can wait minutes, not the others' every sweep.
    const own = now - this.ownSeatsRead >= OWN_SEATS_EVERY_MS;
    if (own) this.ownSeatsRead = now;
    await this.releaseStale(me, now - config.SEAT_TTL_MS, own);
    // Removals cut short by a crash: the tombstone is old but the room is still there.
    const known = this.deps.rooms().map((r) => r._id);
    const crashed = await unfinishedRemovals(known, new Date(now - REMOVAL_STALE_MS));
    for (const room of crashed) await this.deps.finishRemoval(room);
    await expireRemovals(new Date(now - TOMBSTONE_MS));
    await expireProcesses(new Date(now - TOMBSTONE_MS));

    const occupied = await occupiedRooms();
    for (const view of this.deps.rooms()) {
      if (!occupied.has(view._id)) this.scheduleRemoval(view._id);
    }
  }

  /**
   * A seat taken before `cutoff` is stale unless a live tab holds it: one in a process seen since
   * the cutoff (`proc`), or one here. A seat of a process gone (a crash) is claimed by the process
   * that has the person's tab now, or released; one this process held without a tab any more (it
   * is elsewhere, or the leave failed) is let go and left to `leave`, which asks the others. This
   * process's own seats are read only when `own` is set: with thousands of tabs here, reading them
   * all every sweep cost this process 63–145 ms of CPU each time (5,000 seats, FerretDB/SQLite).
   */
  private async releaseStale(me: string, cutoff: number, own: boolean): Promise<void> {
    const aged = await agedSeats(new Date(cutoff), own ? undefined : me);
    if (aged.length === 0) return;
    const live = await liveProcesses(new Date(cutoff));
    for (const seat of aged) {
      if (seat.proc && seat.proc !== me && live.has(seat.proc)) continue;
      const room = roomIdOf(seat.room);
      if (this.deps.isLive(room, seat.session)) {
        if (seat.proc !== me) await claimSeat(seat._id, me);
        continue;
      }
      if (seat.proc === me) await disownSeat(seat._id, me);
      await this.deps.leave(room, seat.session);
    }
  }
}

/** How often a sweep also reads the seats this process holds (a failed leave waits this long). */
const OWN_SEATS_EVERY_MS = 5 * 60_000;

/**
 * A removal takes a few queries; one whose tombstone is a minute old and whose room still stands
 * was cut short (a crash), so the sweeper finishes it. A younger one may still be under way.
 */
const REMOVAL_STALE_MS = 60_000;

/** A tombstone outlives any removal in flight by far; ids are never reused, so it can go then. */
const TOMBSTONE_MS = 24 * 60 * 60 * 1000;
