import { Banned, NotParticipant, PasswordRequired, RoomLocked } from '../errors';
import type { Person } from '../lib/identity';
import type { RoomId } from '../lib/room-id';
import { ban, isBanned } from '../models/ban.model';
import { hasSeat, releaseSeat, takeSeat, type SeatDoc } from '../models/seat.model';
import type { RoomChanges } from './room.changes';
import type { RoomState } from './room.state';
import type { RoomView } from './types';

export interface AdmissionDependencies {
  state: RoomState;
  changes: Pick<RoomChanges, 'commit' | 'receive'>;
  /** The room's view; read from the database when this process has not heard of it yet. */
  find(room: RoomId): Promise<RoomView>;
}

/**
 * Who may be in a room: bans, secret rooms, capacity. A seat is a document guarded by unique
 * indexes (see seat.model), so capacity holds under concurrent joins on any number of processes;
 * the seats this process knows of answer the hot paths (page loads, posts) without a query.
 */
export class Admission {
  constructor(private readonly deps: AdmissionDependencies) {}

  /**
   * The checks of entering a room (page or socket): exists, not locked, not banned, unlocked, a seat. A page
   * load trusts the seats this process knows of; a joining tab (`verify`) asks the database, since
   * another process may have released the seat and its news be still on the way.
   */
  async enter(
    room: RoomId,
    person: Person,
    unlocked: readonly string[] = [],
    verify = false,
  ): Promise<RoomView> {
    const view = await this.deps.find(room);
    const seated = verify
      ? await hasSeat(room, person.session)
      : this.deps.state.isSeated(room, person.session);
    if (seated) return view;
    // Locked by the owner: those inside stay (seated above), nobody new comes in.
    if (view.locked) throw new RoomLocked();
    if (view.secret && !unlocked.includes(room)) throw new PasswordRequired();
    await this.seat(view, person);
    return view;
  }

  /** Takes a seat unless banned; the room is full → RoomFull. */
  async seat(view: RoomView, person: Person): Promise<void> {
    if (await isBanned(view._id, person.session)) throw new Banned();
    if (await takeSeat(view._id, view.max, person))
      this.deps.changes.commit({
        type: 'seat',
        room: view._id,
        session: person.session,
        taken: true,
      });
  }

  async isParticipant(room: RoomId, session: string): Promise<boolean> {
    if (this.deps.state.isSeated(room, session)) return true;
    // Seated through another process whose news has not arrived: learn it, tell nobody.
    const seated = await hasSeat(room, session);
    if (seated) this.deps.changes.receive({ type: 'seat', room, session, taken: true });
    return seated;
  }

  async requireParticipant(room: RoomId, session: string): Promise<RoomView> {
    const view = await this.deps.find(room);
    if (!(await this.isParticipant(room, session))) throw new NotParticipant();
    return view;
  }

  /** Gives the seat up (everyone hears of it); returns it if there was one. */
  async release(room: RoomId, session: string): Promise<SeatDoc | null> {
    const seat = await releaseSeat(room, session);
    this.deps.changes.commit({ type: 'seat', room, session, taken: false });
    return seat;
  }

  ban(room: RoomId, session: string): Promise<void> {
    return ban(room, session);
  }
}
