import type { RoomId } from '../lib/room-id';
import type { ChatMessage } from './types';

interface Window {
  /** The room's newest messages, oldest first, none missing between them (a seq given up leaves
   * a hole in the numbers, never a missing message). */
  messages: ChatMessage[];
  /** True when nothing older exists: the room's whole history is here. */
  fromStart: boolean;
}

const visibleTo = (pid: string) => (m: ChatMessage) => !m.to || m.pid === pid || m.to === pid;

/**
 * The newest messages of the rooms in use, in memory: a history page or a rejoin's replay is
 * served without a query, so its cost does not grow with what is stored. Only a process serving
 * the site alone keeps them (another process's messages would be missing); the window of a room
 * is filled from the database once, then kept current by every message this process saves.
 */
export class RecentMessages {
  private readonly rooms = new Map<RoomId, Window>();
  /**
   * Rooms whose newest messages are being read from the database, with the messages this process
   * saved meanwhile: the read may have started before they were stored, and a window filled
   * without them would have a hole that every replay and history page then skips.
   */
  private readonly reading = new Map<RoomId, ChatMessage[]>();

  constructor(private readonly options: { enabled: boolean; perRoom: number; rooms: number }) {}

  /** The window of a room, if it is known. */
  private window(room: RoomId): Window | undefined {
    const window = this.rooms.get(room);
    if (!window) return undefined;
    this.rooms.delete(room);
    this.rooms.set(room, window);
    return window;
  }

  /** Starts a room's window from the newest messages read from the database (newest first). */
  fill(room: RoomId, newestFirst: ChatMessage[], asked: number): void {
    this.start(room, [...newestFirst].reverse(), newestFirst.length < asked);
  }

  private start(room: RoomId, oldestFirst: ChatMessage[], fromStart: boolean): void {
    if (!this.options.enabled || this.rooms.has(room)) return;
    const messages = oldestFirst.slice(-this.options.perRoom);
    this.rooms.set(room, {
      messages,
      fromStart: fromStart && messages.length === oldestFirst.length,
    });
    if (this.rooms.size > this.options.rooms) this.rooms.delete(this.rooms.keys().next().value!);
  }

  /** A read of the room's newest messages starts: what is saved from now on is kept for it. */
  reads(room: RoomId): void {
    if (this.options.enabled && !this.rooms.has(room) && !this.reading.has(room))
      this.reading.set(room, []);
  }

  /**
   * The read that `reads` announced is done: the window starts from what it found and what was
   * saved while it ran, whichever the read saw. Nothing, if the read was called off meanwhile
   * (the room purged, the windows cleared) or another read filled the window first.
   */
  read(room: RoomId, newestFirst: ChatMessage[], asked: number): void {
    const saved = this.reading.get(room);
    this.reading.delete(room);
    if (!saved) return;
    const bySeq = new Map([...newestFirst, ...saved].map((m) => [m.seq, m]));
    const oldestFirst = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    // The read found fewer than it asked for: nothing older is stored.
    this.start(room, oldestFirst, newestFirst.length < asked);
  }

  /** A read that failed: nothing is kept for it any more. */
  unread(room: RoomId): void {
    this.reading.delete(room);
  }

  knows(room: RoomId): boolean {
    return this.options.enabled && this.rooms.has(room);
  }

  /** A message this process saved: the newest of its room. */
  add(message: ChatMessage): void {
    const window = this.rooms.get(message.room as RoomId);
    if (!window) return void this.reading.get(message.room as RoomId)?.push(message);
    const last = window.messages.at(-1);
    // Saved out of order (a retry after a collision): the window cannot vouch for its order.
    if (last && last.seq >= message.seq) return void this.rooms.delete(message.room as RoomId);
    window.messages.push(message);
    if (window.messages.length > this.options.perRoom) {
      window.messages.shift();
      window.fromStart = false;
    }
  }

  /** The newest `limit` messages before `before` the viewer may see, or undefined if not all here. */
  page(room: RoomId, pid: string, limit: number, before?: number): ChatMessage[] | undefined {
    const window = this.window(room);
    if (!window) return undefined;
    const older = window.messages.filter(
      (m) => (before === undefined || m.seq < before) && visibleTo(pid)(m),
    );
    if (older.length >= limit) return older.slice(-limit);
    return window.fromStart ? older : undefined;
  }

  /** Everything after `after` the viewer may see, or undefined if the window starts later. */
  after(room: RoomId, pid: string, after: number): ChatMessage[] | undefined {
    const window = this.window(room);
    if (!window) return undefined;
    const first = window.messages[0];
    if (!window.fromStart && (!first || first.seq > after + 1)) return undefined;
    return window.messages.filter((m) => m.seq > after && visibleTo(pid)(m));
  }

  /** The newest sequence number of a room, when the window knows it. */
  top(room: RoomId): number | undefined {
    const window = this.rooms.get(room);
    if (!window) return undefined;
    return window.messages.at(-1)?.seq ?? (window.fromStart ? 0 : undefined);
  }

  /** A kept message changed after it was saved (edited, deleted): the copy here follows. */
  replace(message: ChatMessage): void {
    const messages = this.rooms.get(message.room as RoomId)?.messages;
    const at = messages?.findIndex((m) => m.seq === message.seq) ?? -1;
    if (messages && at >= 0) messages[at] = message;
  }

  /** The windows of the `rooms` rooms used last (newest first), to hand over at a restart. */
  newest(rooms: number): { room: RoomId; messages: ChatMessage[]; fromStart: boolean }[] {
    if (!this.options.enabled) return [];
    return [...this.rooms]
      .slice(-rooms)
      .reverse()
      .map(([room, { messages, fromStart }]) => ({ room, messages: [...messages], fromStart }));
  }

  /** A window handed over by the process before this one (oldest first). */
  restore(room: RoomId, oldestFirst: ChatMessage[], fromStart: boolean): void {
    this.start(room, oldestFirst, fromStart);
  }

  forget(room: RoomId): void {
    this.rooms.delete(room);
    this.reading.delete(room);
  }

  clear(): void {
    this.rooms.clear();
    this.reading.clear();
  }
}
