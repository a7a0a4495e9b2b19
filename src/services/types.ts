// Browser code imports these types (public/js/types.d.ts): import nothing that needs Node.
import type { RoomId } from '../lib/room-id';
import type { SystemKind } from '../models/message.kinds';

/** A room as the lobby shows it: never its password or hash, only whether it is secret. */
export interface RoomView {
  _id: RoomId;
  title: string;
  max: number;
  secret: boolean;
  size: number;
  /** The owner's colour, as the classic app shows it. */
  owner: string;
  ownerPid: string;
  ownerNick?: string;
  createdAt: string;
  /** The owner locked it: nobody new may enter. */
  locked?: boolean;
}

/** The owner's settings of a room, as everyone in it is told them (`settings` event). */
export interface RoomSettings {
  locked: boolean;
  /** One message per this many seconds per person (the owner exempt); 0 is off. */
  slowSeconds: number;
  /** Public ids of the people muted here. */
  muted: string[];
}

/** A message as browsers receive it (chat event, history JSON, rendered history). */
export interface ChatMessage {
  _id: string;
  room: string;
  seq: number;
  user: string;
  pid?: string;
  nick?: string;
  chat?: string;
  gif?: string;
  /** A GIF's first frame (WebP) and its video (MP4), when made; URLs like `gif`. */
  poster?: string;
  video?: string;
  /** A GIF's size in pixels, so its box keeps its aspect ratio before anything loads. */
  width?: number;
  height?: number;
  /** The name the GIF was uploaded with (without its extension). */
  gifName?: string;
  to?: string;
  /** The sender's own id for the message, when it gave one (retries carry it again). */
  cid?: string;
  /** System messages only: what happened, and the name of the person it happened to. */
  kind?: SystemKind;
  name?: string;
  createdAt: string;
}

export interface Participant {
  pid: string;
  user: string;
  nick?: string;
  owner: boolean;
  since: string;
}

/** How services announce changes; the socket layer implements it, tests can record it. */
export interface Notifier {
  roomCreated(room: RoomView): void;
  roomUpdated(room: RoomView): void;
  roomRemoved(roomId: string): void;
  chat(roomId: string, message: ChatMessage): void;
  /** `join` or `exit`, the classic events, carrying a system message. */
  system(roomId: string, event: 'join' | 'exit', message: ChatMessage): void;
  whisper(roomId: string, message: ChatMessage, pids: string[]): void;
  /** The participant list, to everyone in the room or everyone but one person's tabs. */
  participants(roomId: string, list: Participant[], exceptPid?: string): void;
  owner(roomId: string, pid: string): void;
  kicked(roomId: string, pid: string): void;
  /** The owner changed the room's settings (lock, slow mode, who is muted). */
  settings(roomId: string, settings: RoomSettings): void;
  typing(roomId: string, from: Pick<Participant, 'pid' | 'user' | 'nick'>, typing: boolean): void;
}
