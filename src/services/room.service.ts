import { NotOwner, RoomNotFound, WrongPassword } from '../errors';
import type { Person } from '../lib/identity';
import { hashPassword, verifyPassword } from '../lib/password';
import { roomIdOf, type RoomId } from '../lib/room-id';
import { appendOwner, type OwnerState } from '../models/owner.model';
import { claimRemoval, isRemoved } from '../models/removal.model';
import { deleteRoom, loadRooms, passwordHashOf, Room } from '../models/room.model';
import { takeSeat } from '../models/seat.model';
import type { ChatService } from './chat.service';
import type { Cluster } from './cluster';
import type { RoomChanges } from './room.changes';
import type { RoomState } from './room.state';
import type { RoomView } from './types';

export interface RoomDependencies {
  state: RoomState;
  changes: Pick<RoomChanges, 'commit' | 'receive'>;
  chat: Pick<ChatService, 'purgeRoom'>;
  cluster: Pick<Cluster, 'alone'>;
}

export interface NewRoom {
  title: string;
  max: number;
  password?: string;
}

/** The rooms themselves: creation, the lobby's list, secret rooms' passwords, removal. */
export class RoomService {
  constructor(private readonly deps: RoomDependencies) {}

  /** Reads every room with its seats and ownership: three queries, whatever the number of rooms. */
  async load(): Promise<void> {
    this.deps.state.load(await loadRooms());
  }

  /** Every room, newest first. */
  list(): RoomView[] {
    return this.deps.state.list();
  }

  /** Changes with every change to the rooms (what was derived from them is stale). */
  version(): number {
    return this.deps.state.version;
  }

  /** A room this process knows of. */
  view(room: RoomId): RoomView {
    const view = this.deps.state.get(room);
    if (!view) throw new RoomNotFound();
    return view;
  }

  /**
   * The room's view. Alone, this process's state is the whole truth; in a cluster, a room not heard
   * of yet (its news is still on the way, or was lost) is read from the database.
   */
  async find(room: RoomId): Promise<RoomView> {
    if (this.deps.cluster.alone || this.deps.state.get(room)) return this.view(room);
    if (!(await isRemoved(room))) this.deps.state.load(await loadRooms(room));
    return this.view(room);
  }

  /** A room this process knows of that anyone may enter (it has no password). */
  isPublic(room: string): boolean {
    return this.deps.state.get(room as RoomId)?.secret === false;
  }

  isOwner(room: RoomId, session: string): boolean {
    return this.deps.state.isOwner(room, session);
  }

  /** Creates a room owned and entered by `person`. */
  async create(person: Person, input: NewRoom): Promise<RoomView> {
    const passwordHash = input.password ? await hashPassword(input.password) : undefined;
    const doc = await Room.create({ title: input.title, max: input.max, passwordHash });
    const id = roomIdOf(doc._id);
    const owner: OwnerState = {
      epoch: 0,
      session: person.session,
      pid: person.pid,
      user: person.user,
    };
    await appendOwner(id, owner);
    await takeSeat(id, input.max, person);
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
    this.deps.changes.commit({ type: 'room', view, owner, session: person.session });
    return this.view(id);
  }

  /** Checks a secret room's password; the caller records the unlock in the session. */
  async unlock(room: RoomId, password: string): Promise<void> {
    await this.find(room);
    const hash = await passwordHashOf(room);
    if (hash === null) throw new RoomNotFound();
    if (hash && !(await verifyPassword(password, hash))) throw new WrongPassword();
  }

  /** Owner-only removal (DELETE /room/:id). */
  async removeByOwner(room: RoomId, session: string): Promise<void> {
    this.view(room);
    if (!this.isOwner(room, session)) throw new NotOwner();
    await this.remove(room);
  }

  /** Removes a room, its seats, messages and files. The tombstone insert makes it happen once. */
  async remove(room: RoomId): Promise<boolean> {
    if (!(await claimRemoval(room))) return false;
    await this.purge(room);
    return true;
  }

  /** Completes a removal cut short by a crash (the tombstone exists, the room is still there). */
  finishRemoval(room: RoomId): Promise<void> {
    return this.purge(room);
  }

  /**
   * Deletes the room, then everyone hears it is gone; repeatable. A seat taken meanwhile is left
   * with no room and expires like any seat no tab backs.
   */
  private async purge(room: RoomId): Promise<void> {
    await deleteRoom(room);
    await this.deps.chat.purgeRoom(room);
    this.deps.changes.commit({ type: 'removed', room });
  }
}
