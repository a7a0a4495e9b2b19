import { Types } from 'mongoose';
import type { Config } from '../config';
import {
  BadRequest,
  Banned,
  Conflict,
  NotFound,
  NotOwner,
  NotParticipant,
  PasswordRequired,
  RoomNotFound,
  WrongPassword,
} from '../errors';
import { colorOf, nameOf, type Person } from '../lib/identity';
import { KeyedLock } from '../lib/keyed-lock';
import { claimed } from '../lib/mongo';
import { hashPassword, verifyPassword } from '../lib/password';
import type { Logger } from '../logger';
import { Ban } from '../models/ban.model';
import { ensureIndexes } from '../models/indexes';
import { Owner } from '../models/owner.model';
import { Removal } from '../models/removal.model';
import { Room } from '../models/room.model';
import { Seat, type SeatDoc } from '../models/seat.model';
import type { ChatService } from './chat.service';
import { singleProcess, type Cluster, type ClusterEvent } from './cluster';
import type { OwnerState } from './ownership';
import { asPerson } from './participants';
import { Presence } from './presence';
import { RoomCache } from './room.cache';
import { RoomLifecycle } from './room.lifecycle';
import type { Notifier, Participant, RoomView } from './types';

export interface RoomDependencies {
  config: Config;
  notifier: Notifier;
  chat: ChatService;
  logger: Logger;
  /** The other processes serving this site; one process when absent. */
  cluster?: Cluster;
}

export interface NewRoom {
  title: string;
  max: number;
  password?: string;
}

/**
 * The room lifecycle: creation, admission under capacity, presence, ownership and removal. What
 * it knows is cached (`known`) so hot paths need no query; in a cluster, every change to that
 * cache is published and the other processes `apply` it.
 */
export class RoomService {
  private readonly known = new RoomCache();
  private readonly owners = this.known.owners;
  private readonly seats = this.known.seats;
  private readonly present = this.known.present;
  /** One join or leave at a time per person and room, so a reconnect and a leave cannot cross. */
  private readonly people = new KeyedLock();
  readonly presence: Presence;
  readonly lifecycle: RoomLifecycle;
  private readonly cluster: Cluster;

  constructor(private readonly deps: RoomDependencies) {
    this.cluster = deps.cluster ?? singleProcess;
    this.presence = new Presence(deps.config.PRESENCE_GRACE_MS, (room, session) => {
      void this.leave(new Types.ObjectId(room), session).catch((err: unknown) =>
        deps.logger.error('leave failed', { room, err: String(err) }),
      );
    });
    this.lifecycle = new RoomLifecycle(this, deps);
  }

  /** Loads the lobby view from the database: three queries, whatever the number of rooms. */
  async start(): Promise<void> {
    await ensureIndexes();
    await this.known.load();
    this.lifecycle.start();
  }

  async close(): Promise<void> {
    this.deps.chat.close();
    this.presence.close();
    await this.lifecycle.close();
  }

  list(): RoomView[] {
    return this.known.list();
  }

  view(room: Types.ObjectId): RoomView {
    return this.known.view(room);
  }

  private find(room: Types.ObjectId): Promise<RoomView> {
    return this.known.find(room, this.cluster.alone);
  }

  /** Creates a room owned and entered by `person`. */
  async create(person: Person, input: NewRoom): Promise<RoomView> {
    const passwordHash = input.password ? await hashPassword(input.password) : undefined;
    const doc = await Room.create({ title: input.title, max: input.max, passwordHash });
    const id = String(doc._id);
    const owner = await this.owners.claim(doc._id, {
      session: person.session,
      pid: person.pid,
      user: person.user,
    });
    await Seat.create({ room: doc._id, slot: 0, session: person.session, pid: person.pid });
    const view: RoomView = {
      _id: id,
      title: doc.title,
      max: doc.max,
      secret: Boolean(passwordHash),
      size: 1,
      owner: person.user,
      ownerPid: person.pid,
      ownerNick: person.nick,
      createdAt: doc.createdAt.toISOString(),
    };
    this.known.add(view, owner, person.session);
    this.deps.notifier.roomCreated(view);
    this.cluster.publish({ type: 'room', view, owner, session: person.session });
    return view;
  }

  /** The checks of entering a room (page or socket): exists, not banned, unlocked, a seat. */
  async enter(
    room: Types.ObjectId,
    person: Person,
    unlocked: readonly string[] = [],
  ): Promise<RoomView> {
    const view = await this.find(room);
    if (this.seats.knows(view._id, person.session)) return view;
    if (view.secret && !unlocked.includes(view._id)) throw new PasswordRequired();
    await this.admit(view, room, person);
    return view;
  }

  /** Takes a seat unless banned; the room is full → RoomFull. */
  private async admit(view: RoomView, room: Types.ObjectId, person: Person): Promise<void> {
    if (await Ban.exists({ room, session: person.session })) throw new Banned();
    if (await this.seats.take(room, view.max, person)) {
      this.lifecycle.cancelRemoval(view._id);
      this.known.recount(view._id);
      this.deps.notifier.roomUpdated(view);
      this.cluster.publish({ type: 'seat', room: view._id, session: person.session, taken: true });
    }
  }

  /** Checks a secret room's password; the caller records the unlock in the session. */
  async unlock(room: Types.ObjectId, password: string): Promise<void> {
    await this.find(room);
    const doc = await Room.findById(room, { passwordHash: 1 })
      .select('+passwordHash')
      .lean<{ passwordHash?: string }>();
    if (!doc) throw new RoomNotFound();
    if (doc.passwordHash && !(await verifyPassword(password, doc.passwordHash)))
      throw new WrongPassword();
  }

  isParticipant(room: Types.ObjectId, session: string): Promise<boolean> {
    return this.seats.has(room, session);
  }

  async requireParticipant(room: Types.ObjectId, session: string): Promise<RoomView> {
    const view = await this.find(room);
    if (!(await this.isParticipant(room, session))) throw new NotParticipant();
    return view;
  }

  isOwner(room: string, session: string): boolean {
    return this.owners.is(room, session);
  }

  /** A tab joined the room's socket channel; the first tab of a person announces them. */
  async connect(room: Types.ObjectId, person: Person, socketId: string): Promise<void> {
    const id = String(room);
    // Attached before waiting, so a leave queued for this person sees them back and stands down.
    const first = this.presence.attach(id, person.session, socketId);
    if (!first) return;
    await this.people.run(`${id}\n${person.session}`, async () => {
      if (this.present.get(id, person.session)) return;
      let seat = await this.markSeat(room, person.session);
      if (!seat) {
        // Their seat went while they were reconnecting (grace period over): take one again.
        await this.admit(this.view(room), room, person);
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
      this.cluster.publish({ type: 'present', room: id, person: present });
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
    this.presence.detach(room, session, socketId);
  }

  participants(room: string): Participant[] {
    return this.known.participants(room);
  }

  /** Releases a person's seat (their last tab left, or their seat went stale). */
  async leave(
    room: Types.ObjectId,
    session: string,
    how: 'left' | 'removed' = 'left',
  ): Promise<void> {
    const id = String(room);
    await this.people.run(`${id}\n${session}`, async () => {
      // They came back (a reconnect) while this leave waited its turn, or have a tab elsewhere.
      if (how === 'left' && this.presence.isLive(id, session)) return;
      if (how === 'left' && (await this.cluster.hasTab(id, session))) return;
      const person = this.present.remove(id, session);
      if (person) this.deps.chat.typing(id, person, false);
      const seat = await this.seats.release(room, session);
      this.cluster.publish({ type: 'seat', room: id, session, taken: false });
      if (!seat) return this.announceParticipants(id);
      const view = this.known.recount(id);
      if (!view) return;
      this.deps.notifier.roomUpdated(view);
      if (seat.announced) {
        await this.deps.chat.system(room, how, person ? nameOf(person) : colorOf(session));
      }
      if (this.owners.is(id, session)) await this.passOwnership(room, session);
      this.announceParticipants(id);
      if (view.size === 0) this.lifecycle.scheduleRemoval(id);
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
    for (const view of this.known.rename(session, nick)) this.deps.notifier.roomUpdated(view);
    for (const id of this.present.roomsOf(session)) this.announceParticipants(id);
    this.cluster.publish({ type: 'nick', session, nick });
  }

  /** Owner only: bans the person from the room and takes all their tabs out at once. */
  async kick(room: Types.ObjectId, by: string, pid: string): Promise<void> {
    const id = String(room);
    this.view(room);
    if (!this.isOwner(id, by)) throw new NotOwner();
    const seat = await Seat.findOne({ room, pid }).lean<SeatDoc>();
    if (!seat) throw new NotFound('that person is not in this room', 'not_in_room');
    if (seat.session === by) throw new BadRequest('you cannot remove yourself');
    await claimed(Ban.create({ room, session: seat.session }));
    this.presence.drop(id, seat.session);
    this.deps.notifier.kicked(id, pid, 'the owner removed you from this room');
    await this.leave(room, seat.session, 'removed');
  }

  /** Owner only: gives the room to another participant who is here now. */
  async handover(room: Types.ObjectId, by: string, pid: string): Promise<void> {
    const id = String(room);
    this.view(room);
    if (!this.isOwner(id, by)) throw new NotOwner();
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

  /** Owner-only removal (DELETE /room/:id). */
  async removeByOwner(room: Types.ObjectId, session: string): Promise<void> {
    this.view(room);
    if (!this.isOwner(String(room), session)) throw new NotOwner();
    await this.remove(room);
  }

  /** Removes a room, its seats, messages and files. The tombstone insert makes it happen once. */
  async remove(room: Types.ObjectId): Promise<boolean> {
    const id = String(room);
    if (!(await claimed(Removal.create({ _id: room })))) return false;
    await this.purge(room);
    this.deps.notifier.roomRemoved(id);
    return true;
  }

  /** Completes a removal cut short by a crash (the tombstone exists, the room is still there). */
  async finishRemoval(room: Types.ObjectId): Promise<void> {
    await this.purge(room);
    this.deps.notifier.roomRemoved(String(room));
  }

  /** Deletes everything of a room; safe to repeat. */
  private async purge(room: Types.ObjectId): Promise<void> {
    this.forgetRoom(String(room));
    this.cluster.publish({ type: 'removed', room: String(room) });
    await Room.deleteOne({ _id: room });
    await this.deps.chat.purgeRoom(room);
    await Promise.all([
      Seat.deleteMany({ room }),
      Owner.deleteMany({ room }),
      Ban.deleteMany({ room }),
    ]);
  }

  private forgetRoom(id: string): void {
    this.known.forget(id);
    this.presence.drop(id);
    this.lifecycle.cancelRemoval(id);
  }

  /** Seat ids of people with a live tab in this process, for the sweeper's heartbeat. */
  liveSeats(): string[] {
    return this.present.seatIds((room, session) => this.presence.isLive(room, session));
  }

  /** Applies another process's change to this process's caches (browsers already heard of it). */
  apply(event: ClusterEvent): void {
    if (event.type === 'removed') return this.forgetRoom(event.room);
    this.known.apply(event);
    if (event.type === 'seat' && event.taken) this.lifecycle.cancelRemoval(event.room);
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
    this.cluster.publish({ type: 'owner', room: id, owner });
    const view = this.known.get(id);
    if (view) this.deps.notifier.roomUpdated(this.known.showOwner(view));
    this.deps.notifier.owner(id, to.pid);
    return true;
  }

  private announceParticipants(room: string): void {
    if (this.known.get(room)) this.deps.notifier.participants(room, this.participants(room));
  }
}
