// Types of the browser scripts. Payloads are the server's own declarations, so a field renamed on
// one side fails the typecheck of the other. Only imported by JSDoc, never loaded by a page.
import type { Socket } from 'socket.io-client';
import type { en } from '../../src/i18n/en';
import type { ClientConfig } from '../../src/limits';
import type {
  ChatMessage,
  Participant,
  ReplyRef,
  ReportItem,
  RoomSettings,
  RoomView,
} from '../../src/services/types';
import type { PickerItem } from '../../src/services/gif-index';
import type {
  ChatClientToServer,
  ChatServerToClient,
  JoinData,
  LobbyClientToServer,
  LobbyServerToClient,
  Result,
} from '../../src/sockets/events';

export type {
  ChatMessage,
  ClientConfig,
  JoinData,
  Participant,
  ReplyRef,
  ReportItem,
  PickerItem,
  RoomSettings,
  RoomView,
};

export type ChatSocket = Socket<ChatServerToClient, ChatClientToServer>;
export type LobbySocket = Socket<LobbyServerToClient, LobbyClientToServer>;

/**
 * A refusal: its code picks the reader's translation, params fill it, message is the fallback.
 * The server's codes, or the browser's own (`no_answer`, `aborted`, `http_<status>`).
 */
export type ErrorPayload = Omit<Extract<Result<unknown>, { ok: false }>['error'], 'code'> & {
  code: string;
};

/** An answer, or none at all: `unanswered` (timeout, network, server fault) is worth retrying. */
export type Reply<T> =
  { ok: true; data: T } | { ok: false; error: ErrorPayload; unanswered?: boolean };

/** What the browser sends with each acknowledged event (the server checks it as `unknown`). */
export interface Payloads {
  join: { room: string; after: number };
  chat: { chat: string; cid: string; replyTo?: string };
  gif: { name: string; cid: string };
  nick: string;
  whisper: { to: string; chat: string };
  kick: { pid: string };
  handover: { pid: string };
  settings: { locked?: boolean; slowSeconds?: number };
  mute: { pid: string; muted: boolean };
  react: { _id: string; emoji: string; on: boolean };
  edit: { _id: string; chat: string };
  delete: { _id: string };
  report: { _id: string };
  reports: Record<string, never>;
  decide: { _id: string; action: 'remove' | 'dismiss' };
  ignore: { pid: string; ignored: boolean };
}

/** What the acknowledgement of each of those events carries when it is `ok`. */
export type Answers = {
  [E in keyof Payloads]: NonNullable<Parameters<ChatClientToServer[E]>[1]> extends (
    result: Result<infer T>,
  ) => void
    ? T
    : never;
};

/** A message of one's own not yet saved: shown at once, replaced by the saved one (same cid). */
export type Draft = Omit<ChatMessage, '_id' | 'room' | 'seq'> & { pid: string; cid: string };

/** The browser's strings (the `client` section of src/i18n/en.ts). */
export type StringKey = keyof (typeof en)['client'];

/** The JSON in `<meta name="gifchat-i18n">`. */
export interface PageStrings {
  lang: string;
  strings: Record<string, string>;
  /** Refusals by code: `{param}` placeholders filled from the error's params. */
  errors?: Record<string, string>;
}
