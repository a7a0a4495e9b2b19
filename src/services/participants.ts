import type { Person } from '../lib/identity';
import type { Participant } from './types';

/** Someone with a live tab in a room, as the room sees them. */
export interface Present extends Participant {
  session: string;
  /** Their seat's id, refreshed by the sweeper's heartbeat. */
  seat: string;
}

/** The people with a live tab in each room, in any process, with their current names. */
export class Participants {
  private readonly rooms = new Map<string, Map<string, Present>>();

  get(room: string, session: string): Present | undefined {
    return this.rooms.get(room)?.get(session);
  }

  byPid(room: string, pid: string): Present | undefined {
    return this.in(room).find((p) => p.pid === pid);
  }

  in(room: string): Present[] {
    return [...(this.rooms.get(room)?.values() ?? [])];
  }

  add(room: string, present: Present): void {
    let people = this.rooms.get(room);
    if (!people) this.rooms.set(room, (people = new Map()));
    people.set(present.session, present);
  }

  remove(room: string, session: string): Present | undefined {
    const people = this.rooms.get(room);
    const present = people?.get(session);
    people?.delete(session);
    if (people?.size === 0) this.rooms.delete(room);
    return present;
  }

  forget(room: string): void {
    this.rooms.delete(room);
  }

  /** The list rooms receive as `participants`, longest-present first. */
  list(room: string, ownerSession: string | undefined): Participant[] {
    return this.in(room)
      .map(({ pid, user, nick, since, session }) => ({
        pid,
        user,
        nick,
        since,
        owner: session === ownerSession,
      }))
      .sort((a, b) => a.since.localeCompare(b.since));
  }

  /** Longest-present person other than `except`. */
  eldest(room: string, except: string): Present | undefined {
    return this.in(room)
      .filter((p) => p.session !== except)
      .sort((a, b) => a.since.localeCompare(b.since))[0];
  }

  nickTaken(room: string | undefined, session: string, nick: string): boolean {
    const lower = nick.toLocaleLowerCase();
    return (
      room !== undefined &&
      this.in(room).some((p) => p.session !== session && p.nick?.toLocaleLowerCase() === lower)
    );
  }

  /** Renames a person everywhere they are present; returns the rooms that changed. */
  rename(session: string, nick: string): string[] {
    const changed: string[] = [];
    for (const [room, people] of this.rooms) {
      const me = people.get(session);
      if (!me) continue;
      me.nick = nick;
      changed.push(room);
    }
    return changed;
  }

  /** Seat ids of the people `keep` selects (those with a live tab in this process). */
  seatIds(keep: (room: string, session: string) => boolean): string[] {
    return [...this.rooms].flatMap(([room, people]) =>
      [...people.values()].filter((p) => keep(room, p.session)).map((p) => p.seat),
    );
  }
}

export const asPerson = (p: Present): Person => ({
  session: p.session,
  pid: p.pid,
  user: p.user,
  nick: p.nick,
});
