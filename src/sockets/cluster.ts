import type { Cluster, ClusterEvent } from '../services/cluster';
import type { ChatNamespace, LobbyNamespace } from './notifier';

/**
 * The cluster over Socket.IO's Redis adapter: cache events travel as server-side emits on the
 * lobby namespace, and "does this person still have a tab here?" asks every process's sockets.
 */
export function socketCluster(
  lobby: LobbyNamespace,
  chat: ChatNamespace,
  apply: (event: ClusterEvent) => void,
): Cluster {
  lobby.on('cluster', apply);
  return {
    alone: false,
    publish: (event) => void lobby.serverSideEmit('cluster', event),
    hasTab: (room, session) =>
      chat
        .in(room)
        .fetchSockets()
        .then((sockets) => sockets.some((s) => s.data.session === session))
        // A process that does not answer may hold their tab: keep the seat; the sweeper retries.
        .catch(() => true),
  };
}
