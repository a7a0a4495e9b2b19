import { Types } from 'mongoose';
import type { Config } from '../config';
import {
  Banned,
  NotOwner,
  NotParticipant,
  PasswordRequired,
  RoomNotFound,
  WrongPassword,
} from '../errors';
import type { Person } from '../lib/identity';
import { claimed } from '../lib/mongo';
import { hashPassword, verifyPassword } from '../lib/password';
import type { Logger } from '../logger';
import { Ban } from '../models/ban.model';
import { ensureIndexes } from '../models/indexes';
import { Owner } from '../models/owner.model';
import { Removal } from '../models/removal.model';
import { Room } from '../models/room.model';
import { Seat } from '../models/seat.model';
import type { ChatService } from './chat.service';
import { singleProcess, type Cluster, type ClusterEvent } from './cluster';
import { Presence } from './presence';
import { RoomCache } from './room.cache';
import { RoomPeople } from './room.people';
import { RoomLifecycle } from './room.lifecycle';
import type { Notifier, RoomView } from './types';

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
 * The rooms: creation, admission under capacity, secret rooms, removal. What it knows is cached
 * (`known`) so hot paths need no query; in a cluster, every change to that cache is published and
 * the other processes `apply` it. The people inside are `people`'s business.
 */
export class RoomService {
  private readonly known = new RoomCache();
  private readonly owners = this.known.owners;
  private readonly seats = this.known.seats;
  readonly presence: Presence;
  readonly lifecycle: RoomLifecycle;
  /** Who is in the rooms, and what they do there. */
  readonly people: RoomPeople;
  private readonly cluster: Cluster;

  constructor(private readonly deps: RoomDependencies) {
    this.cluster = deps.cluster ?? singleProcess;
    this.presence = new Presence(deps.config.PRESENCE_GRACE_MS, (room, session) => {
      void this.people
        .leave(new Types.ObjectId(room), session)
        .catch((err: unknown) => deps.logger.error('leave failed', { room, err: String(err) }));
    });
    this.lifecycle = new RoomLifecycle(this, deps);
    this.people = new RoomPeople({
      known: this.known,
      presence: this.presence,
      notifier: deps.notifier,
      chat: deps.chat,
      cluster: this.cluster,
      admit: (view, room, person) => this.admit(view, room, person),
      scheduleRemoval: (room) => this.lifecycle.scheduleRemoval(room),
    });
  }

  /** Loads the lobby view from the database: three queries, whatever the number of rooms. */
  async start(): Promise<void> {
    await ensureIndexes();
    await this.known.load();
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
  async admit(view: RoomView, room: Types.ObjectId, person: Person): Promise<void> {
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
    return this.known.present.seatIds((room, session) => this.presence.isLive(room, session));
  }

  /** Applies another process's change to this process's caches (browsers already heard of it). */
  apply(event: ClusterEvent): void {
    if (event.type === 'removed') return this.forgetRoom(event.room);
    this.known.apply(event);
    if (event.type === 'seat' && event.taken) this.lifecycle.cancelRemoval(event.room);
  }
}
