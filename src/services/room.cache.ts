import type { Types } from 'mongoose';
import { RoomNotFound } from '../errors';
import { Owner } from '../models/owner.model';
import { Removal } from '../models/removal.model';
import { Room, type RoomDoc } from '../models/room.model';
import { Seat, type SeatDoc } from '../models/seat.model';
import type { ClusterEvent } from './cluster';
import { Ownership, type OwnerState } from './ownership';
import { Participants } from './participants';
import { Seats } from './seats';
import type { Participant, RoomView } from './types';

type StoredRoom = RoomDoc & { passwordHash?: string };

/**
 * What this process knows of the rooms: the lobby views (so listing rooms costs no query), who
 * holds a seat, who owns each room and who is present. The room service keeps it current; in a
 * cluster, other processes' events do too. The database stays the authority.
 */
export class RoomCache {
  private readonly views = new Map<string, RoomView>();
  readonly owners = new Ownership();
  readonly seats = new Seats();
  readonly present = new Participants();

  /** Reads rooms with their seats and ownership log: all of them (three queries) or one. */
  async load(room?: Types.ObjectId): Promise<void> {
    const byRoom = room ? { room } : {};
    const [rooms, seats, owners] = await Promise.all([
      Room.find(room ? { _id: room } : {}, {
        title: 1,
        max: 1,
        passwordHash: 1,
        createdAt: 1,
      }).lean<StoredRoom[]>(),
      Seat.find(byRoom, { room: 1, session: 1 }).lean<Pick<SeatDoc, 'room' | 'session'>[]>(),
      Owner.find(byRoom).lean<(OwnerState & { room: Types.ObjectId })[]>(),
    ]);
    for (const r of rooms) {
      this.views.set(String(r._id), {
        _id: String(r._id),
        title: r.title,
        max: r.max,
        secret: Boolean(r.passwordHash),
        size: 0,
        owner: '',
        ownerPid: '',
        createdAt: r.createdAt.toISOString(),
      });
    }
    for (const s of seats) this.seats.remember(String(s.room), s.session);
    for (const { room: id, epoch, session, pid, user } of owners)
      this.owners.remember(String(id), { epoch, session, pid, user });
    for (const r of rooms) this.showOwner(this.recount(String(r._id))!);
  }

  list(): RoomView[] {
    return [...this.views.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  get(id: string): RoomView | undefined {
    return this.views.get(id);
  }

  view(room: Types.ObjectId): RoomView {
    const view = this.views.get(String(room));
    if (!view) throw new RoomNotFound();
    return view;
  }

  /**
   * The room's view. Alone, the cache is the whole truth; in a cluster, a room this process has
   * not heard of yet (its event is still on the way, or was lost) is read from the database.
   */
  async find(room: Types.ObjectId, alone: boolean): Promise<RoomView> {
    if (alone || this.views.has(String(room))) return this.view(room);
    if (!(await Removal.exists({ _id: room }))) await this.load(room);
    return this.view(room);
  }

  /** A new room, with its owner in the first seat. */
  add(view: RoomView, owner: OwnerState, session: string): void {
    this.views.set(view._id, view);
    this.owners.remember(view._id, owner);
    this.seats.remember(view._id, session);
  }

  /** Brings the room's people count up to date with its known seats. */
  recount(id: string): RoomView | undefined {
    const view = this.views.get(id);
    if (view) view.size = this.seats.count(id);
    return view;
  }

  /** Copies the current owner's colour, id and nickname into the lobby view. */
  showOwner(view: RoomView): RoomView {
    const owner = this.owners.of(view._id);
    if (!owner) return view;
    view.owner = owner.user;
    view.ownerPid = owner.pid;
    view.ownerNick = this.present.get(view._id, owner.session)?.nick;
    return view;
  }

  /** Renames a present person, in lobby views too where they own the room; returns their rooms. */
  rename(session: string, nick: string): string[] {
    const rooms = this.present.rename(session, nick);
    for (const id of rooms) {
      const view = this.views.get(id);
      if (view && this.owners.is(id, session)) this.showOwner(view);
    }
    return rooms;
  }

  /** The list rooms receive as `participants`. */
  participants(room: string): Participant[] {
    return this.present.list(room, this.owners.of(room)?.session);
  }

  forget(id: string): void {
    this.views.delete(id);
    this.owners.forget(id);
    this.present.forget(id);
    this.seats.forget(id);
  }

  /**
   * Another process's change (browsers already heard of it from that process). A removal also
   * stops this process's timers for the room, so the room service handles that one.
   */
  apply(event: Exclude<ClusterEvent, { type: 'removed' }>): void {
    switch (event.type) {
      case 'room':
        return this.add({ ...event.view }, event.owner, event.session);
      case 'seat':
        if (!this.views.has(event.room)) return;
        if (event.taken) {
          this.seats.remember(event.room, event.session);
        } else {
          this.seats.drop(event.room, event.session);
          this.present.remove(event.room, event.session);
        }
        this.recount(event.room);
        return;
      case 'present':
        if (this.views.has(event.room)) this.present.add(event.room, event.person);
        return;
      case 'owner': {
        this.owners.remember(event.room, event.owner);
        const view = this.views.get(event.room);
        if (view) this.showOwner(view);
        return;
      }
      case 'nick':
        this.rename(event.session, event.nick);
        return;
    }
  }
}
