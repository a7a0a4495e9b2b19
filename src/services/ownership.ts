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

  async claim(room: Types.ObjectId, owner: Omit<OwnerState, 'epoch'>): Promise<OwnerState> {
    const state = { epoch: 0, ...owner };
    await Owner.create({ room, ...state });
    this.owners.set(String(room), state);
    return state;
  }

  /** Moves ownership from `from` to `to`; null when `from` no longer owns the room. */
  async transfer(
    room: Types.ObjectId,
    from: string,
    to: Omit<OwnerState, 'epoch'>,
  ): Promise<OwnerState | null> {
    const current = this.owners.get(String(room));
    if (!current || current.session !== from) return null;
    const next = { epoch: current.epoch + 1, ...to };
    if (!(await claimed(Owner.create({ room, ...next })))) return null;
    this.remember(String(room), next);
    return next;
  }

  forget(room: string): void {
    this.owners.delete(room);
  }
}
