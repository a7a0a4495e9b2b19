import type { Types } from 'mongoose';
import { claimed } from '../lib/mongo';
import { Owner } from '../models/owner.model';

export interface OwnerState {
  epoch: number;
  session: string;
  pid: string;
  user: string;
}

/**
 * Ownership as an append-only log in the database (unique room + epoch) with the current owner of
 * each room cached here. Changing owner is a compare-and-set: insert epoch n+1, which exactly one
 * contender can do, so there is never a second owner.
 */
export class Ownership {
  private readonly owners = new Map<string, OwnerState>();

  /** Keeps the highest epoch seen for each room (start-up load). */
  remember(room: string, state: OwnerState): void {
    const current = this.owners.get(room);
    if (!current || current.epoch < state.epoch) this.owners.set(room, state);
  }

  of(room: string): OwnerState | undefined {
    return this.owners.get(room);
  }

  is(room: string, session: string): boolean {
    return this.owners.get(room)?.session === session;
  }

  async claim(room: Types.ObjectId, owner: Omit<OwnerState, 'epoch'>): Promise<void> {
    await Owner.create({ room, epoch: 0, ...owner });
    this.owners.set(String(room), { epoch: 0, ...owner });
  }

  /** Moves ownership from `from` to `to`; false when `from` no longer owns the room. */
  async transfer(
    room: Types.ObjectId,
    from: string,
    to: Omit<OwnerState, 'epoch'>,
  ): Promise<boolean> {
    const current = this.owners.get(String(room));
    if (!current || current.session !== from) return false;
    const next = { epoch: current.epoch + 1, ...to };
    if (!(await claimed(Owner.create({ room, ...next })))) return false;
    this.remember(String(room), next);
    return true;
  }

  forget(room: string): void {
    this.owners.delete(room);
  }
}
