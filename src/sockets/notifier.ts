import type { Namespace } from 'socket.io';
import { en } from '../i18n/en';
import type { RoomChange } from '../services/room.changes';
import type { Notifier } from '../services/types';
import type {
  ChatClientToServer,
  ChatServerToClient,
  ChatSocketData,
  LobbyClientToServer,
  LobbyServerToClient,
} from './events';

/** Between the processes serving one site (see sockets/cluster.ts). */
export interface LobbyServerSide {
  cluster: (change: RoomChange) => void;
  /** A session was written by the sender: the others forget their copy (http/session.store.ts). */
  session: (sid: string) => void;
}

export type LobbyNamespace = Namespace<LobbyClientToServer, LobbyServerToClient, LobbyServerSide>;
export type ChatNamespace = Namespace<
  ChatClientToServer,
  ChatServerToClient,
  Record<string, never>,
  ChatSocketData
>;

/** Socket.IO room holding every tab of one person in one chat room (whispers, kicks). */
export const personChannel = (room: string, pid: string) => `${room}:${pid}`;

/** The services' notifier, implemented over the two namespaces. */
export function socketNotifier(lobby: LobbyNamespace, chat: ChatNamespace): Notifier {
  return {
    roomCreated: (room) => lobby.emit('newRoom', room),
    roomUpdated: ({ _id, size, max, owner, ownerPid, ownerNick, locked }) =>
      lobby.emit('roomUpdate', { _id, size, max, owner, ownerPid, ownerNick, locked }),
    roomRemoved: (roomId) => {
      lobby.emit('removeRoom', roomId);
      chat.to(roomId).emit('removeRoom', roomId);
      chat.in(roomId).socketsLeave(roomId);
    },
    chat: (roomId, message) => chat.to(roomId).emit('chat', message),
    system: (roomId, kind, message) => chat.to(roomId).emit(kind, message),
    whisper: (roomId, message, pids) =>
      chat.to(pids.map((pid) => personChannel(roomId, pid))).emit('whisper', message),
    participants: (roomId, list, exceptPid) =>
      (exceptPid ? chat.to(roomId).except(personChannel(roomId, exceptPid)) : chat.to(roomId)).emit(
        'participants',
        list,
      ),
    owner: (roomId, pid) => chat.to(roomId).emit('owner', { pid }),
    kicked: (roomId, pid) => {
      const channel = personChannel(roomId, pid);
      chat.to(channel).emit('kicked', { room: roomId, reason: en.errors.kicked, code: 'kicked' });
      chat.in(channel).socketsLeave([roomId, channel]);
    },
    conversation: (roomId, event, payload, pids) => {
      const to = pids ? chat.to(pids.map((pid) => personChannel(roomId, pid))) : chat.to(roomId);
      // The event names its payload: `react` carries reactions, `edit`/`delete` the message.
      (to.emit as (event: string, payload: unknown) => boolean)(event, payload);
    },
    reports: (roomId, ownerPid, items) =>
      chat.to(personChannel(roomId, ownerPid)).emit('reports', items),
    blur: (roomId, update) => chat.to(roomId).emit('blur', update),
    media: (roomId, update) => chat.to(roomId).emit('media', update),
    settings: (roomId, settings) => chat.to(roomId).emit('settings', settings),
    typing: (roomId, from, typing) =>
      chat
        .to(roomId)
        .except(personChannel(roomId, from.pid))
        .emit('typing', { ...from, typing }),
  };
}
