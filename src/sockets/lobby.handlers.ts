import type { LobbyNamespace } from './notifier';

/** The lobby only listens: rooms arrive as newRoom / roomUpdate / removeRoom. */
export function registerLobbyHandlers(lobby: LobbyNamespace): void {
  lobby.on('connection', (socket) => {
    socket.on('disconnect', () => socket.removeAllListeners());
  });
}
