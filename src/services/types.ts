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
  /** The message this one answers, quoted as it was then. */
  replyTo?: ReplyRef;
  /** Set once its author edited it. */
  editedAt?: string;
  /** Its author deleted it: no text or GIF any more, a "message deleted" line instead. */
  deleted?: boolean;
  /** Reactions: emoji → the pids of the people who reacted so (history and `react` events). */
  reactions?: Record<string, string[]>;
  /** A GIF enough people reported: shown blurred ("show anyway") until the owner decides. */
  blurred?: boolean;
}

/** A message in the owner's report queue. */
export interface ReportItem {
  message: ChatMessage;
  /** Distinct people who reported it. */
  reporters: number;
  blurred: boolean;
}

/** A GIF's blur changed (`blur` event, to the room). */
export interface BlurUpdate {
  room: string;
  _id: string;
  seq: number;
  blurred: boolean;
}

/**
 * A GIF message's poster and video, made after its upload was answered (`media` event): the
 * message as stored now has them too, so history and replays carry them.
 */
export interface MediaUpdate {
  room: string;
  _id: string;
  seq: number;
  poster?: string;
  video?: string;
}

/** What everyone who can see a message hears when its reactions change (`react` event). */
export interface ReactionUpdate {
  room: string;
  _id: string;
  seq: number;
  /** Emoji → the pids of the people who reacted so. */
  reactions: Record<string, string[]>;
}

/** A quoted message: enough to show it and to find it (`seq`) in the history. */
export interface ReplyRef {
  _id: string;
  seq: number;
  /** The quoted person's name (nickname or colour) as the message had it. */
  nick: string;
  snippet: string;
  /** The quoted message was a GIF. */
  gif?: boolean;
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
  /**
   * A saved message changed: edited or deleted (the message as it is now), or its reactions
   * (`{ room, _id, seq, reactions }`); a whisper's change goes to its two people only.
   */
  conversation(
    roomId: string,
    event: 'edit' | 'delete' | 'react',
    payload: ChatMessage | ReactionUpdate,
    pids?: string[],
  ): void;
  /** The report queue changed: the owner's tabs get it whole. */
  reports(roomId: string, ownerPid: string, items: ReportItem[]): void;
  /** A reported GIF is blurred for everyone, or no longer. */
  blur(roomId: string, update: BlurUpdate): void;
  /** An uploaded GIF's poster and video are ready (made after the upload was answered). */
  media(roomId: string, update: MediaUpdate): void;
  /** The owner changed the room's settings (lock, slow mode, who is muted). */
  settings(roomId: string, settings: RoomSettings): void;
  typing(roomId: string, from: Pick<Participant, 'pid' | 'user' | 'nick'>, typing: boolean): void;
}
