import type { Person } from '../lib/identity';
import { roomIdOf, type RoomId } from '../lib/room-id';
import type { OwnerState } from '../models/owner.model';
import type { RoomSnapshot } from '../models/room.model';
import type { RoomChange } from './room.changes';
import type { Participant, RoomSettings, RoomView } from './types';

/** Someone with a live tab in a room, as the room sees them. */
export interface Present extends Participant {
  session: string;
  /** Their seat's id, refreshed by the sweeper's heartbeat. */
  seat: string;
}

/**
 * What this process knows of the rooms: lobby views (so listing rooms costs no query), who holds a
 * seat, who owns each room and who is present. It changes only through `apply`, the one reducer of
 * `RoomChange`s (made here or heard from another process); the database stays the authority.
 */
export class RoomState {
  private readonly views = new Map<RoomId, RoomView>();
  private readonly seats = new Map<RoomId, Set<string>>();
  private readonly owners = new Map<RoomId, OwnerState>();
  private readonly present = new Map<RoomId, Map<string, Present>>();
  /** The owner's rules besides the lock (which the lobby view carries): slow mode, who is muted. */
  private readonly rules = new Map<RoomId, { slowSeconds: number; muted: Map<string, string> }>();
  private changes = 0;

  /** Grows with every change: what was derived from an older version (a rendered lobby) is stale. */
  get version(): number {
    return this.changes;
  }

  /** Adds what the database says (start-up, or a room another process made that we missed). */
  load({ rooms, seats, owners, mutes }: RoomSnapshot): void {
    this.changes++;
    for (const r of rooms) {
      const id = roomIdOf(r._id);
      this.rules.set(id, { slowSeconds: r.slowSeconds ?? 0, muted: new Map() });
      this.views.set(id, {
        _id: id,
        title: r.title,
        max: r.max,
        secret: Boolean(r.passwordHash),
        size: 0,
        owner: '',
        ownerPid: '',
        createdAt: r.createdAt.toISOString(),
        locked: Boolean(r.locked),
      });
    }
    for (const m of mutes) this.rules.get(roomIdOf(m.room))?.muted.set(m.session, m.pid);
    for (const s of seats) this.seat(roomIdOf(s.room), s.session);
    for (const { room, epoch, session, pid, user } of owners)
      this.own(roomIdOf(room), { epoch, session, pid, user });
    for (const r of rooms) this.refresh(roomIdOf(r._id));
  }

  apply(change: RoomChange): void {
    this.changes++;
    switch (change.type) {
      case 'room':
        this.views.set(change.view._id, { ...change.view });
        this.seat(change.view._id, change.session);
        this.own(change.view._id, change.owner);
        return this.refresh(change.view._id);
      case 'seat':
        if (!this.views.has(change.room)) return;
        if (change.taken) {
          this.seat(change.room, change.session);
        } else {
          this.seats.get(change.room)?.delete(change.session);
          this.present.get(change.room)?.delete(change.session);
        }
        return this.refresh(change.room);
      case 'present':
        if (!this.views.has(change.room)) return;
        // Heard from another process, an absent name arrives as null.
        this.people(change.room).set(change.person.session, {
          ...change.person,
          nick: change.person.nick ?? undefined,
        });
        return this.refresh(change.room);
      case 'owner':
        this.own(change.room, change.owner);
        return this.refresh(change.room);
      case 'nick':
        for (const room of this.roomsOf(change.session)) {
          this.present.get(room)!.get(change.session)!.nick = change.nick;
          this.refresh(room);
        }
        return;
      case 'removed':
        this.views.delete(change.room);
        this.seats.delete(change.room);
        this.owners.delete(change.room);
        this.present.delete(change.room);
        this.rules.delete(change.room);
        return;
      case 'settings': {
        const view = this.views.get(change.room);
        if (!view) return;
        if (change.locked !== undefined) view.locked = change.locked;
        if (change.slowSeconds !== undefined)
          this.rulesOf(change.room).slowSeconds = change.slowSeconds;
        return;
      }
      case 'mute':
        if (!this.views.has(change.room)) return;
        if (change.muted) this.rulesOf(change.room).muted.set(change.session, change.pid);
        else this.rulesOf(change.room).muted.delete(change.session);
        return;
    }
  }

  /** The owner's settings of a room, as the people in it see them. */
  settings(room: RoomId): RoomSettings {
    const rules = this.rules.get(room);
    return {
      locked: Boolean(this.views.get(room)?.locked),
      slowSeconds: rules?.slowSeconds ?? 0,
      muted: [...(rules?.muted.values() ?? [])],
    };
  }

  isMuted(room: RoomId, session: string): boolean {
    return this.rules.get(room)?.muted.has(session) ?? false;
  }

  /** The session of a muted person, by public id (they may have left since). */
  mutedByPid(room: RoomId, pid: string): string | undefined {
    for (const [session, p] of this.rules.get(room)?.muted ?? []) if (p === pid) return session;
    return undefined;
  }

  /** Rooms for the lobby, newest first. */
  list(): RoomView[] {
    return [...this.views.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  get(room: RoomId): RoomView | undefined {
    return this.views.get(room);
  }

  isSeated(room: RoomId, session: string): boolean {
    return this.seats.get(room)?.has(session) ?? false;
  }

  ownerOf(room: RoomId): OwnerState | undefined {
    return this.owners.get(room);
  }

  isOwner(room: RoomId, session: string): boolean {
    return this.owners.get(room)?.session === session;
  }

  presentIn(room: RoomId, session: string): Present | undefined {
    return this.present.get(room)?.get(session);
  }

  presentByPid(room: RoomId, pid: string): Present | undefined {
    return this.everyone(room).find((p) => p.pid === pid);
  }

  /** Longest-present person other than `except`. */
  eldest(room: RoomId, except: string): Present | undefined {
    return this.byArrival(room).find((p) => p.session !== except);
  }

  /** The list rooms receive as `participants`, longest-present first. */
  participants(room: RoomId): Participant[] {
    const owner = this.owners.get(room)?.session;
    return this.byArrival(room).map(({ pid, user, nick, since, session }) => ({
      pid,
      user,
      nick,
      since,
      owner: session === owner,
    }));
  }

  /** Everyone present in the room, for checks such as nickname uniqueness. */
  everyone(room: RoomId): Present[] {
    return [...(this.present.get(room)?.values() ?? [])];
  }

  /** The rooms where this person is present. */
  roomsOf(session: string): RoomId[] {
    return [...this.present].filter(([, people]) => people.has(session)).map(([room]) => room);
  }

  private byArrival(room: RoomId): Present[] {
    return this.everyone(room).sort((a, b) => a.since.localeCompare(b.since));
  }

  private rulesOf(room: RoomId) {
    let rules = this.rules.get(room);
    if (!rules) this.rules.set(room, (rules = { slowSeconds: 0, muted: new Map() }));
    return rules;
  }

  private people(room: RoomId): Map<string, Present> {
    let people = this.present.get(room);
    if (!people) this.present.set(room, (people = new Map<string, Present>()));
    return people;
  }

  private seat(room: RoomId, session: string): void {
    let sessions = this.seats.get(room);
    if (!sessions) this.seats.set(room, (sessions = new Set()));
    sessions.add(session);
  }

  /** Keeps the highest epoch: events from other processes may arrive out of order. */
  private own(room: RoomId, state: OwnerState): void {
    const current = this.owners.get(room);
    if (!current || current.epoch < state.epoch) this.owners.set(room, state);
  }

  /** Brings the lobby view's people count and owner up to date. */
  private refresh(room: RoomId): void {
    const view = this.views.get(room);
    if (!view) return;
    view.size = this.seats.get(room)?.size ?? 0;
    const owner = this.owners.get(room);
    if (!owner) return;
    view.owner = owner.user;
    view.ownerPid = owner.pid;
    view.ownerNick = this.present.get(room)?.get(owner.session)?.nick;
  }
}

export const asPerson = (p: Present): Person => ({
  session: p.session,
  pid: p.pid,
  user: p.user,
  nick: p.nick,
});
