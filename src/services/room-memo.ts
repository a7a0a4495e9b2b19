import type { RoomId } from '../lib/room-id';

/**
 * Values per message (reaction tallies, report counts), kept in memory by a process serving the
 * site alone, so pages, history and replays cost no query for them: a room's values are read from
 * the database once, then kept current by the changes this process makes (it makes them all).
 * With several processes it only passes the queries through.
 */
export class RoomMemo<T> {
  private readonly rooms = new Map<RoomId, Map<string, T>>();
  /** Changes per room, so a load that raced a change is not kept. */
  private readonly versions = new Map<RoomId, number>();

  constructor(
    private readonly options: {
      enabled: boolean;
      /** Everything of one room. */
      loadRoom: (room: RoomId) => Promise<Map<string, T>>;
      /** Just these messages (several processes). */
      loadSome: (ids: string[]) => Promise<Map<string, T>>;
      rooms?: number;
    },
  ) {}

  /** The values of these messages of `room` that have one. */
  async get(room: RoomId, ids: string[]): Promise<Map<string, T>> {
    if (!ids.length) return new Map();
    if (!this.options.enabled) return this.options.loadSome(ids);
    let memo = this.rooms.get(room);
    if (!memo) {
      const version = this.versions.get(room) ?? 0;
      memo = await this.options.loadRoom(room);
      if ((this.versions.get(room) ?? 0) === version) this.keep(room, memo);
    }
    const found = new Map<string, T>();
    for (const id of ids) {
      const value = memo.get(id);
      if (value !== undefined) found.set(id, value);
    }
    return found;
  }

  /** This process changed a message's value (undefined: it has none any more). */
  set(room: RoomId, id: string, value: T | undefined): void {
    this.versions.set(room, (this.versions.get(room) ?? 0) + 1);
    const memo = this.rooms.get(room);
    if (!memo) return;
    if (value === undefined) memo.delete(id);
    else memo.set(id, value);
  }

  private keep(room: RoomId, memo: Map<string, T>): void {
    this.rooms.set(room, memo);
    if (this.rooms.size > (this.options.rooms ?? 2_000))
      this.rooms.delete(this.rooms.keys().next().value!);
  }
}
