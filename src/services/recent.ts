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
    if (!this.options.enabled || this.rooms.has(room)) return;
    const messages = [...newestFirst].reverse().slice(-this.options.perRoom);
    this.rooms.set(room, { messages, fromStart: newestFirst.length < asked });
    if (this.rooms.size > this.options.rooms) this.rooms.delete(this.rooms.keys().next().value!);
  }

  knows(room: RoomId): boolean {
    return this.options.enabled && this.rooms.has(room);
  }

  /** A message this process saved: the newest of its room. */
  add(message: ChatMessage): void {
    const window = this.rooms.get(message.room as RoomId);
    if (!window) return;
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

  forget(room: RoomId): void {
    this.rooms.delete(room);
  }

  clear(): void {
    this.rooms.clear();
  }
}
