import type { Types } from 'mongoose';
import { BadRequest, Conflict, NotFound, NotOwner, NotParticipant } from '../errors';
import { colorOf, nameOf, type Person } from '../lib/identity';
import { KeyedLock } from '../lib/keyed-lock';
import { claimed } from '../lib/mongo';
import { Ban } from '../models/ban.model';
import { Seat, type SeatDoc } from '../models/seat.model';
import type { ChatService } from './chat.service';
import type { Cluster } from './cluster';
import type { OwnerState } from './ownership';
import { asPerson } from './participants';
import type { Presence } from './presence';
import type { RoomCache } from './room.cache';
import type { Notifier, Participant, RoomView } from './types';

export interface PeopleDependencies {
  known: RoomCache;
  presence: Presence;
  notifier: Notifier;
  chat: ChatService;
  cluster: Cluster;
  /** Takes a seat for someone whose seat went while they were away (the room service's rules). */
  admit(view: RoomView, room: Types.ObjectId, person: Person): Promise<void>;
  /** The room emptied: it goes after the grace period unless someone comes back. */
  scheduleRemoval(room: string): void;
}

/**
 * The people in rooms: arriving and leaving (one announcement each, however many tabs),
 * nicknames, whispers' recipients, and the owner's tools. Seats and ownership are decided by the
 * database; who is present is cached in `known`, shared with the room service.
 */
export class RoomPeople {
  /** One join or leave at a time per person and room, so a reconnect and a leave cannot cross. */
  private readonly turns = new KeyedLock();
  private readonly owners: RoomCache['owners'];
  private readonly seats: RoomCache['seats'];
  private readonly present: RoomCache['present'];

  constructor(private readonly deps: PeopleDependencies) {
    this.owners = deps.known.owners;
    this.seats = deps.known.seats;
    this.present = deps.known.present;
  }

  /** A tab joined the room's socket channel; the first tab of a person announces them. */
  async connect(room: Types.ObjectId, person: Person, socketId: string): Promise<void> {
    const id = String(room);
    // Attached before waiting, so a leave queued for this person sees them back and stands down.
    const first = this.deps.presence.attach(id, person.session, socketId);
    if (!first) return;
    await this.turns.run(`${id}\n${person.session}`, async () => {
      // Already present (a quick reconnect, or a tab on another process) says little: their seat
      // may have gone meanwhile, released by another process. The database has the last word.
      let seat = await this.markSeat(room, person.session);
      if (seat && this.present.get(id, person.session)) return;
      if (!seat) {
        // Their seat went while they were reconnecting (grace period over): take one again.
        await this.deps.admit(this.deps.known.view(room), room, person);
        seat = await this.markSeat(room, person.session);
      }
      if (!seat) throw new NotParticipant();
      const present = {
        session: person.session,
        seat: String(seat._id),
        pid: person.pid,
        user: person.user,
        nick: person.nick,
        owner: false,
        since: seat.since.toISOString(),
      };
      this.present.add(id, present);
      this.deps.cluster.publish({ type: 'present', room: id, person: present });
      if (!seat.announced) await this.deps.chat.system(room, 'joined', nameOf(person));
      this.announceParticipants(id);
    });
  }

  /** Marks the seat as announced and seen now; returns it as it was before. */
  private markSeat(room: Types.ObjectId, session: string): Promise<SeatDoc | null> {
    return Seat.findOneAndUpdate(
      { room, session },
      { $set: { lastSeen: new Date(), announced: true } },
    ).lean<SeatDoc>();
  }

  disconnect(room: string, session: string, socketId: string): void {
    this.deps.presence.detach(room, session, socketId);
  }

  participants(room: string): Participant[] {
    return this.deps.known.participants(room);
  }

  /** Releases a person's seat (their last tab left, or their seat went stale). */
  async leave(
    room: Types.ObjectId,
    session: string,
    how: 'left' | 'removed' = 'left',
  ): Promise<void> {
    const id = String(room);
    await this.turns.run(`${id}\n${session}`, async () => {
      // They came back (a reconnect) while this leave waited its turn, or have a tab elsewhere.
      if (how === 'left' && this.deps.presence.isLive(id, session)) return;
      if (how === 'left' && (await this.deps.cluster.hasTab(id, session))) return;
      const person = this.present.remove(id, session);
      if (person) this.deps.chat.typing(id, person, false);
      const seat = await this.seats.release(room, session);
      this.deps.cluster.publish({ type: 'seat', room: id, session, taken: false });
      if (!seat) return this.announceParticipants(id);
      const view = this.deps.known.recount(id);
      if (!view) return;
      this.deps.notifier.roomUpdated(view);
      if (seat.announced) {
        await this.deps.chat.system(room, how, person ? nameOf(person) : colorOf(session));
      }
      if (this.owners.is(id, session)) await this.passOwnership(room, session);
      this.announceParticipants(id);
      if (view.size === 0) this.deps.scheduleRemoval(id);
    });
  }

  /** The person behind a live tab in this room, with their current nickname. */
  presentPerson(room: string, session: string): Person {
    const present = this.present.get(room, session);
    if (!present) throw new NotParticipant();
    return asPerson(present);
  }

  /** A live participant by public id, or why there is none (for whisper acknowledgements). */
  async findByPid(room: string, pid: string): Promise<Person> {
    const present = this.present.byPid(room, pid);
    if (present) return asPerson(present);
    if (await Seat.exists({ pid }))
      throw new NotFound('that person is not in this room', 'not_in_room');
    throw new NotFound('there is no such person', 'no_such_person');
  }

  /**
   * Sets a nickname everywhere this person is present. The uniqueness check and the update run
   * without an await in between, so two people cannot take the same name in this process.
   */
  setNick(session: string, room: string | undefined, nick: string): void {
    if (this.present.nickTaken(room, session, nick))
      throw new Conflict('that nickname is taken in this room', 'nick_taken');
    for (const id of this.deps.known.rename(session, nick)) {
      const view = this.deps.known.get(id);
      if (view && this.owners.is(id, session)) this.deps.notifier.roomUpdated(view);
      this.announceParticipants(id);
    }
    this.deps.cluster.publish({ type: 'nick', session, nick });
  }

  /** Owner only: bans the person from the room and takes all their tabs out at once. */
  async kick(room: Types.ObjectId, by: string, pid: string): Promise<void> {
    const id = String(room);
    this.deps.known.view(room);
    if (!this.owners.is(id, by)) throw new NotOwner();
    const seat = await Seat.findOne({ room, pid }).lean<SeatDoc>();
    if (!seat) throw new NotFound('that person is not in this room', 'not_in_room');
    if (seat.session === by) throw new BadRequest('you cannot remove yourself');
    await claimed(Ban.create({ room, session: seat.session }));
    this.deps.presence.drop(id, seat.session);
    this.deps.notifier.kicked(id, pid, 'the owner removed you from this room');
    await this.leave(room, seat.session, 'removed');
  }

  /** Owner only: gives the room to another participant who is here now. */
  async handover(room: Types.ObjectId, by: string, pid: string): Promise<void> {
    const id = String(room);
    this.deps.known.view(room);
    if (!this.owners.is(id, by)) throw new NotOwner();
    const target = this.present.byPid(id, pid);
    if (!target) throw new NotFound('that person is not in this room', 'not_in_room');
    if (target.session === by) throw new BadRequest('you already own this room');
    const done = await this.transferOwnership(room, by, {
      session: target.session,
      pid,
      user: target.user,
    });
    if (!done) throw new Conflict('ownership changed meanwhile', 'owner_changed');
    // The new owner may have left while the hand-over was being written: pass it on again.
    if (!this.present.get(id, target.session)) await this.passOwnership(room, target.session);
    this.announceParticipants(id);
  }

  /** Gives the room to the longest-present remaining participant, if any. */
  private async passOwnership(room: Types.ObjectId, from: string): Promise<void> {
    const here = this.present.eldest(String(room), from);
    const next =
      here ??
      (await Seat.findOne({ room, session: { $ne: from } })
        .sort({ since: 1 })
        .lean<SeatDoc>());
    if (!next) return;
    const user = 'user' in next ? next.user : colorOf(next.session);
    await this.transferOwnership(room, from, { session: next.session, pid: next.pid, user });
  }

  /** Compare-and-set on the ownership log, then everyone hears about it. */
  private async transferOwnership(
    room: Types.ObjectId,
    from: string,
    to: Omit<OwnerState, 'epoch'>,
  ): Promise<boolean> {
    const id = String(room);
    const owner = await this.owners.transfer(room, from, to);
    if (!owner) return false;
    this.deps.cluster.publish({ type: 'owner', room: id, owner });
    const view = this.deps.known.get(id);
    if (view) this.deps.notifier.roomUpdated(this.deps.known.showOwner(view));
    this.deps.notifier.owner(id, to.pid);
    return true;
  }

  private announceParticipants(room: string): void {
    if (this.deps.known.get(room)) this.deps.notifier.participants(room, this.participants(room));
  }
}
