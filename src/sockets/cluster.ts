import type { Cluster } from '../services/cluster';
import type { RoomChange } from '../services/room.changes';
import type { ChatNamespace, LobbyNamespace } from './notifier';

/**
 * The cluster over Socket.IO's Redis adapter: cache events travel as server-side emits on the
 * lobby namespace, and "does this person still have a tab here?" asks every process's sockets.
 */
export function socketCluster(
  lobby: LobbyNamespace,
  chat: ChatNamespace,
  receive: (change: RoomChange) => void,
): Cluster {
  lobby.on('cluster', receive);
  return {
    alone: false,
    publish: (change) => void lobby.serverSideEmit('cluster', change),
    hasTab: (room, session) =>
      chat
        .in(room)
        .fetchSockets()
        .then((sockets) => sockets.some((s) => s.data.session === session))
        // A process that does not answer may hold their tab: keep the seat; the sweeper retries.
        .catch(() => true),
  };
}
