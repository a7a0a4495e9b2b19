import { Conflict, NotFound, NotParticipant, RoomNotFound } from '../errors';
import { colorOf, nameOf, type Person } from '../lib/identity';
import { KeyedLock } from '../lib/keyed-lock';
import { nameKey } from '../lib/names';
import type { RoomId } from '../lib/room-id';
import { markSeat, pidHasSeat } from '../models/seat.model';
import type { Admission } from './admission';
import type { ChatService } from './chat.service';
import type { Cluster } from './cluster';
import type { Presence } from './presence';
import type { RoomChanges } from './room.changes';
import { asPerson, type RoomState } from './room.state';
import type { ChatMessage, Participant, RoomView } from './types';

export interface PeopleDependencies {
  state: RoomState;
  changes: Pick<RoomChanges, 'commit'>;
  admission: Pick<Admission, 'enter' | 'release'>;
  presence: Presence;
  chat: Pick<ChatService, 'system' | 'typing' | 'since'>;
  cluster: Pick<Cluster, 'hasTab'>;
  /** This process's id, written in the seats of its live tabs (see RoomLifecycle). */
  process: string;
  /** The owner left for good: the room passes to someone else (the owner tools' rule). */
  passOwnership(room: RoomId, from: string): Promise<void>;
}

export interface JoinOptions {
  /** Secret rooms this session has unlocked. */
  unlocked?: readonly string[];
  /** The last sequence number the tab has seen: it is sent what it missed after that. */
  after?: number;
  socketId: string;
  /** Puts the tab in the room's channels; from then on it hears everything live. */
  attach(): Promise<void>;
}

export interface Joined {
  view: RoomView;
  /** What the tab missed since `after`, in order, for it alone. */
  missed: ChatMessage[];
  owner: boolean;
  participants: Participant[];
  /** How the person is named in this room (without a nickname someone here already has). */
  me: Person;
  /** More was missed than a join replays: the rest is for history paging. */
  truncated: boolean;
}

/**
 * The people in rooms: arriving and leaving (one announcement each, however many tabs), nicknames
 * and whispers' recipients. Seats are the admission's; who is present is the room state's.
 */
export class RoomPeople {
  /** One arrival or leave at a time per person and room, so a reconnect and a leave cannot cross. */
  private readonly turns = new KeyedLock();

  constructor(private readonly deps: PeopleDependencies) {}

  /**
   * A tab enters a room: admission, then its channels, then what it missed, then the room hears
   * of the person (once, however many tabs). It runs in the person's turn, so a leave of theirs
   * (a closed tab's grace period ending) happens wholly before or after it. A refusal attaches
   * nothing.
   */
  join(room: RoomId, person: Person, options: JoinOptions): Promise<Joined> {
    return this.turns.run(`${room}\n${person.session}`, async () => {
      const view = await this.deps.admission.enter(room, person, options.unlocked, true);
      await options.attach();
      // Read after attaching: a message racing in may arrive both ways; browsers drop repeats by seq.
      const { messages: missed, truncated } =
        options.after === undefined
          ? { messages: [], truncated: false }
          : await this.deps.chat.since(room, person.pid, options.after);
      const first = this.deps.presence.attach(room, person.session, options.socketId);
      if (first || !this.deps.state.presentIn(room, person.session))
        await this.arrive(room, person).catch((err: unknown) => {
          this.deps.presence.detach(room, person.session, options.socketId);
          throw err;
        });
      return {
        view,
        missed,
        owner: this.deps.state.isOwner(room, person.session),
        participants: this.deps.state.participants(room),
        me: this.speaker(room, person),
        truncated,
      };
    });
  }

  /** The person is here: marks their seat, tells the room (once per seat) and the lobby. */
  private async arrive(room: RoomId, person: Person): Promise<void> {
    const seat = await markSeat(room, person.session, this.deps.process);
    // Released by another process between admission and now: the tab tries again.
    if (!seat) throw new NotParticipant();
    // A name someone here already has (however spelled) is not taken into the room: by colour.
    const named = this.speaker(room, person);
    this.deps.changes.commit({
      type: 'present',
      room,
      person: { ...named, seat: String(seat._id), owner: false, since: seat.since.toISOString() },
    });
    if (!seat.announced) await this.deps.chat.system(room, 'joined', nameOf(named));
  }

  /** A tab left the room (or closed); the person leaves once their last tab has been gone a while. */
  depart(room: RoomId, session: string, socketId: string): void {
    this.deps.presence.detach(room, session, socketId);
  }

  participants(room: RoomId): Participant[] {
    return this.deps.state.participants(room);
  }

  /** Releases a person's seat: their last tab left, their seat went stale, or they were removed. */
  async leave(room: RoomId, session: string, how: 'left' | 'removed' = 'left'): Promise<void> {
    await this.turns.run(`${room}\n${session}`, async () => {
      // They came back (a reconnect) while this leave waited its turn, or have a tab elsewhere.
      if (how === 'left' && this.deps.presence.isLive(room, session)) return;
      if (how === 'left' && (await this.deps.cluster.hasTab(room, session))) return;
      const person = this.deps.state.presentIn(room, session);
      if (person) this.deps.chat.typing(room, person, false);
      const seat = await this.deps.admission.release(room, session);
      if (!seat || !this.deps.state.get(room)) return;
      if (seat.announced)
        await this.deps.chat.system(room, how, person ? nameOf(person) : colorOf(session));
      if (this.deps.state.isOwner(room, session)) await this.deps.passOwnership(room, session);
    });
  }

  /** The person behind a live tab in this room, with their current nickname. */
  presentPerson(room: RoomId, session: string): Person {
    const present = this.deps.state.presentIn(room, session);
    if (!present) throw new NotParticipant();
    return asPerson(present);
  }

  /** A live participant by public id, or why there is none (for whisper acknowledgements). */
  async findByPid(room: RoomId, pid: string): Promise<Person> {
    if (!this.deps.state.get(room)) throw new RoomNotFound();
    const present = this.deps.state.presentByPid(room, pid);
    if (present) return asPerson(present);
    throw new NotFound((await pidHasSeat(pid)) ? 'not_in_room' : 'no_such_person');
  }

  /**
   * Sets a nickname everywhere this person is present, if no one in any of those rooms has a
   * name that looks the same (`nameKey`). The check and the change run without an await in
   * between, so two people cannot take the same name in this process.
   */
  setNick(session: string, room: RoomId | undefined, nick: string): void {
    const rooms = new Set(this.deps.state.roomsOf(session));
    if (room) rooms.add(room);
    if ([...rooms].some((r) => this.nameTaken(r, session, nick))) throw new Conflict('nick_taken');
    this.deps.changes.commit({ type: 'nick', session, nick });
  }

  /**
   * How a person is named in a room: as they are present there, or else by their nickname unless
   * someone present there already looks the same (then by their colour).
   */
  speaker(room: RoomId, person: Person): Person {
    const present = this.deps.state.presentIn(room, person.session);
    if (present) return asPerson(present);
    return this.nameTaken(room, person.session, person.nick)
      ? { ...person, nick: undefined }
      : person;
  }

  private nameTaken(room: RoomId, session: string, nick: string | undefined): boolean {
    if (!nick) return false;
    const key = nameKey(nick);
    return this.deps.state
      .everyone(room)
      .some((p) => p.session !== session && !!p.nick && nameKey(p.nick) === key);
  }
}
