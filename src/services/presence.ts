import type { RoomId } from '../lib/room-id';

/**
 * Which sockets each person has open in each room, in this process. A person is present while at
 * least one of their tabs is; `onGone` fires once their last tab has been gone for `graceMs`, so a
 * refresh or a quick reconnect does not look like leaving.
 */
export class Presence {
  private readonly rooms = new Map<RoomId, Map<string, Set<string>>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Leaves started by a grace period ending, until they are done. */
  private readonly leaving = new Set<Promise<void>>();
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly graceMs: number,
    private readonly onGone: (room: RoomId, session: string) => Promise<void>,
  ) {}

  /** Adds a socket; returns true when it is the person's first live tab in the room. */
  attach(room: RoomId, session: string, socketId: string): boolean {
    this.stopTimer(`${room}\n${session}`);
    let people = this.rooms.get(room);
    if (!people) this.rooms.set(room, (people = new Map<string, Set<string>>()));
    let sockets = people.get(session);
    if (!sockets) people.set(session, (sockets = new Set()));
    const first = sockets.size === 0;
    sockets.add(socketId);
    return first;
  }

  detach(room: RoomId, session: string, socketId: string): void {
    // Sockets closing during shutdown are not people leaving.
    if (this.closed) return;
    const sockets = this.rooms.get(room)?.get(session);
    if (!sockets?.delete(socketId) || sockets.size > 0) return;
    const key = `${room}\n${session}`;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        const people = this.rooms.get(room);
        if (people?.get(session)?.size) return this.wake();
        people?.delete(session);
        if (people?.size === 0) this.rooms.delete(room);
        const leave = this.onGone(room, session).finally(() => {
          this.leaving.delete(leave);
          this.wake();
        });
        this.leaving.add(leave);
      }, this.graceMs),
    );
  }

  /** Forgets a person at once (kicked, room removed) without calling `onGone`. */
  drop(room: RoomId, session?: string): void {
    if (session === undefined) {
      for (const s of this.rooms.get(room)?.keys() ?? []) this.drop(room, s);
      this.rooms.delete(room);
      return;
    }
    this.stopTimer(`${room}\n${session}`);
    this.rooms.get(room)?.delete(session);
  }

  isLive(room: RoomId, session: string): boolean {
    return (
      (this.rooms.get(room)?.get(session)?.size ?? 0) > 0 || this.timers.has(`${room}\n${session}`)
    );
  }

  /**
   * Resolves once no grace period is running and every leave one started is done: what tabs
   * closed so far has fully taken effect.
   */
  settled(): Promise<void> {
    if (this.timers.size === 0 && this.leaving.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Forgets everyone without a leave, and waits for the leaves already under way. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.rooms.clear();
    await Promise.allSettled([...this.leaving]);
    this.wake();
  }

  private stopTimer(key: string): void {
    clearTimeout(this.timers.get(key));
    if (this.timers.delete(key)) this.wake();
  }

  private wake(): void {
    if (this.timers.size > 0 || this.leaving.size > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
