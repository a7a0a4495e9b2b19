// Browser code imports these types (public/js/types.d.ts): import nothing that needs Node.
import type { ErrorBody } from '../errors';
import type { RoomId } from '../lib/room-id';
import type {
  BlurUpdate,
  ChatMessage,
  MediaUpdate,
  Participant,
  ReactionUpdate,
  ReportItem,
  RoomSettings,
  RoomView,
} from '../services/types';

/** Acknowledgement of every browser → server event that can be refused. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type Ack<T> = (result: Result<T>) => void;

/** Sent to every tab of a process that is shutting down: about when to expect it back. */
export interface Restarting {
  /** Seconds, roughly: Socket.IO reconnects by itself, this is for what the page says. */
  retryAfter: number;
}

export interface LobbyServerToClient {
  newRoom: (room: RoomView) => void;
  removeRoom: (roomId: string) => void;
  roomUpdate: (
    room: Pick<RoomView, '_id' | 'size' | 'max' | 'owner' | 'ownerPid' | 'ownerNick' | 'locked'>,
  ) => void;
  /** This process is shutting down: the connection drops soon and reconnects to a running one. */
  restarting: (info: Restarting) => void;
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface LobbyClientToServer {}

export interface JoinData {
  room: string;
  pid: string;
  user: string;
  nick?: string;
  owner: boolean;
  participants: Participant[];
  /** More was missed than a join replays (the newest are sent): page the history for the rest. */
  truncated?: boolean;
  /** The owner's settings (lock, slow mode, who is muted); later changes come as `settings`. */
  settings?: RoomSettings;
}

export interface ChatServerToClient {
  join: (message: ChatMessage) => void;
  exit: (message: ChatMessage) => void;
  chat: (message: ChatMessage) => void;
  whisper: (message: ChatMessage) => void;
  participants: (list: Participant[]) => void;
  typing: (who: { pid: string; user: string; nick?: string; typing: boolean }) => void;
  owner: (owner: { pid: string }) => void;
  /** `reason` is English; `code` says it in any language (`errors.kicked`). */
  kicked: (info: { room: string; reason: string; code: 'kicked' }) => void;
  removeRoom: (roomId: string) => void;
  settings: (settings: RoomSettings) => void;
  /** A message as it is after its author edited it. */
  edit: (message: ChatMessage) => void;
  /** A message its author deleted (`deleted: true`, no text or GIF). */
  delete: (message: ChatMessage) => void;
  react: (update: ReactionUpdate) => void;
  /** To the owner's tabs: the report queue, whenever it changes. */
  reports: (items: ReportItem[]) => void;
  blur: (update: BlurUpdate) => void;
  /**
   * An uploaded GIF's poster and video, made after the upload was answered (the message was
   * pushed as `chat` with its GIF and size): the tab swaps its GIF player for the video in place.
   */
  media: (update: MediaUpdate) => void;
  /**
   * This process is shutting down (a restart, a deploy): the socket drops soon and Socket.IO
   * reconnects, to a running process; the tab's rejoin then replays what it missed.
   */
  restarting: (info: Restarting) => void;
}

export interface ChatClientToServer {
  join: (room: unknown, ack?: Ack<JoinData>) => void;
  leave: (ack?: Ack<null>) => void;
  /** Sends a message to the room; a repeated `cid` answers with the message it already made. */
  chat: (payload: unknown, ack?: Ack<ChatMessage>) => void;
  typing: (typing: unknown) => void;
  /** Sends a stored GIF again (`{ name, cid }`, name from the picker); idempotent by `cid`. */
  gif: (payload: unknown, ack?: Ack<ChatMessage>) => void;
  nick: (nick: unknown, ack?: Ack<{ nick: string }>) => void;
  whisper: (payload: unknown, ack?: Ack<{ delivered: boolean; message: ChatMessage }>) => void;
  kick: (payload: unknown, ack?: Ack<null>) => void;
  handover: (payload: unknown, ack?: Ack<null>) => void;
  /** Owner only: `{ locked?, slowSeconds? }`; answers the room's settings. */
  settings: (payload: unknown, ack?: Ack<RoomSettings>) => void;
  /** Owner only: `{ pid, muted }`; answers the room's settings. */
  mute: (payload: unknown, ack?: Ack<RoomSettings>) => void;
  /** `{ _id, emoji, on? }`: adds (or with `on: false` takes back) a reaction. */
  react: (payload: unknown, ack?: Ack<ReactionUpdate>) => void;
  /** `{ _id, chat }`: the author edits a text message. */
  edit: (payload: unknown, ack?: Ack<ChatMessage>) => void;
  /** `{ _id }`: the author deletes a message. */
  delete: (payload: unknown, ack?: Ack<ChatMessage>) => void;
  /** `{ _id }`: reports a message of the room (once per person). */
  report: (payload: unknown, ack?: Ack<{ reported: true }>) => void;
  /** Owner only: the report queue (any payload, or none, before the acknowledgement). */
  reports: (payload: unknown, ack?: Ack<ReportItem[]>) => void;
  /** Owner only: `{ _id, action: 'remove' | 'dismiss' }`; answers the queue. */
  decide: (payload: unknown, ack?: Ack<ReportItem[]>) => void;
  /** `{ pid, ignored }`: hides (or shows again) a person's messages for this session. */
  ignore: (payload: unknown, ack?: Ack<{ ignored: string[] }>) => void;
}

export interface ChatSocketData {
  /** The session id the handshake's cookie carried (the session is read when needed). */
  sid?: string;
  room?: RoomId;
  session: string;
  pid: string;
}
