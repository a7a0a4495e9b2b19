import { BadRequest, Conflict, NotFound, NotOwner, RoomNotFound } from '../errors';
import { colorOf } from '../lib/identity';
import type { RoomId } from '../lib/room-id';
import { appendOwner, type OwnerState } from '../models/owner.model';
import { eldestSeat, seatOf } from '../models/seat.model';
import type { Admission } from './admission';
import type { Presence } from './presence';
import type { RoomChanges } from './room.changes';
import type { RoomState } from './room.state';
import type { Notifier } from './types';

export interface OwnerDependencies {
  state: RoomState;
  changes: Pick<RoomChanges, 'commit'>;
  admission: Pick<Admission, 'ban'>;
  presence: Pick<Presence, 'drop'>;
  notifier: Pick<Notifier, 'kicked'>;
  /** Takes a person out of the room, announced as "was removed" (the people's rule). */
  remove(room: RoomId, session: string): Promise<void>;
}

/**
 * Ownership and the owner's tools. The owner is the highest epoch of the room's ownership log;
 * every change appends epoch n+1, which exactly one contender can do, so there is never a second
 * owner, on any number of processes.
 */
export class OwnerTools {
  constructor(private readonly deps: OwnerDependencies) {}

  /** Owner only: bans the person from the room and takes all their tabs out at once. */
  async kick(room: RoomId, by: string, pid: string): Promise<void> {
    this.requireOwner(room, by);
    const seat = await seatOf(room, pid);
    if (!seat) throw new NotFound('not_in_room');
    if (seat.session === by) throw new BadRequest('kick_self');
    await this.deps.admission.ban(room, seat.session);
    this.deps.presence.drop(room, seat.session);
    this.deps.notifier.kicked(room, pid);
    await this.deps.remove(room, seat.session);
  }

  /** Owner only: gives the room to another participant who is here now. */
  async handover(room: RoomId, by: string, pid: string): Promise<void> {
    this.requireOwner(room, by);
    const target = this.deps.state.presentByPid(room, pid);
    if (!target) throw new NotFound('not_in_room');
    if (target.session === by) throw new BadRequest('already_owner');
    if (!(await this.transfer(room, by, target))) throw new Conflict('owner_changed');
    // The new owner may have left while the hand-over was being written: pass it on again.
    if (!this.deps.state.presentIn(room, target.session))
      await this.passOwnership(room, target.session);
  }

  /** Gives the room to the longest-present remaining participant, if any. */
  async passOwnership(room: RoomId, from: string): Promise<void> {
    const here = this.deps.state.eldest(room, from);
    if (here) return void (await this.transfer(room, from, here));
    const seated = await eldestSeat(room, from);
    if (seated) await this.transfer(room, from, { ...seated, user: colorOf(seated.session) });
  }

  private requireOwner(room: RoomId, session: string): void {
    if (!this.deps.state.get(room)) throw new RoomNotFound();
    if (!this.deps.state.isOwner(room, session)) throw new NotOwner();
  }

  /** Compare-and-set on the ownership log; false when `from` no longer owns the room. */
  private async transfer(
    room: RoomId,
    from: string,
    to: Omit<OwnerState, 'epoch'>,
  ): Promise<boolean> {
    const current = this.deps.state.ownerOf(room);
    if (current?.session !== from) return false;
    const owner = { epoch: current.epoch + 1, session: to.session, pid: to.pid, user: to.user };
    if (!(await appendOwner(room, owner))) return false;
    this.deps.changes.commit({ type: 'owner', room, owner });
    return true;
  }
}
