// @ts-check
// A server going away on purpose (a restart, a deploy) says `restarting` first: the connection line
// says so, politely, instead of "connection lost", until the tab is back. Reconnecting and catching
// up are room.js's, as after any drop; this only changes what the person reads meanwhile.
import { byId } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { hasEnded } from './ending.js';

/** @param {{ socket: import('../types').ChatSocket }} options */
export function watchRestarts({ socket }) {
  const connection = byId('connection');
  let restarting = false;

  socket.on('restarting', () => {
    restarting = true;
    connection.textContent = t('restarting');
  });
  // Registered after room.js's own: its "connection lost" is said, then replaced by this.
  socket.on('disconnect', () => {
    if (restarting && !hasEnded()) connection.textContent = t('restarting');
  });
  socket.on('connect', () => {
    restarting = false;
  });
}
