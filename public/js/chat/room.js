// @ts-check
// Being in the room: joining /chat, again after every reconnect with the last seq seen (the server
// replays what was missed), what arrives live, and the room's end (removed, closed, refused).
import { byId } from '../lib/dom.js';
import { errorText, t } from '../lib/i18n.js';
import { ack } from '../lib/net.js';
import { retryNow } from '../lib/retry.js';
import { endRoom, hasEnded } from './ending.js';

/** @typedef {import('../types').ChatMessage} ChatMessage */

/**
 * @param {{ socket: import('../types').ChatSocket, room: string, lastSeq: () => number,
 *   onJoined: (data: import('../types').JoinData, after: number) => void,
 *   onMessage: (m: ChatMessage) => void }} options
 */
export function stayInRoom({ socket, room, lastSeq, onJoined, onMessage }) {
  const connection = byId('connection');
  let joined = false;
  let joinedOnce = false;

  /** @param {import('../types').StringKey} title @param {string} body */
  function end(title, body) {
    socket.disconnect();
    endRoom({ title, body });
  }

  socket.on('connect', async () => {
    const after = lastSeq();
    const reply = await ack(socket, 'join', { room, after });
    if (!reply.ok) return end('refusedTitle', errorText(reply.error));
    joined = true;
    onJoined(reply.data, after);
    document.body.classList.add('is-live');
    connection.textContent = joinedOnce ? t('online') : '';
    joinedOnce = true;
    // Sends waiting for their next try go now, over the socket.
    retryNow();
  });
  socket.on('disconnect', (reason) => {
    joined = false;
    document.body.classList.remove('is-live');
    if (hasEnded()) return;
    connection.textContent = t('offline');
    // Socket.IO does not reconnect by itself after a server-side disconnect; the room may still be
    // there (a restart, a deploy): try again, and the join says if it is not.
    if (reason === 'io server disconnect') setTimeout(() => hasEnded() || socket.connect(), 1000);
  });
  /** @param {ChatMessage} m */
  const arrived = (m) => {
    if (!m?.room || m.room === room) onMessage(m);
  };
  socket.on('chat', arrived);
  socket.on('join', arrived);
  socket.on('exit', arrived);
  socket.on('whisper', arrived);
  socket.on('kicked', (info) => {
    if (!info?.room || info.room === room)
      end('kickedTitle', errorText({ code: info?.code ?? 'kicked', message: info?.reason ?? '' }));
  });
  socket.on('removeRoom', (id) => {
    if (String(id) === room) end('closedTitle', t('closedBody'));
  });

  return {
    /** Joined over a live socket: sends can go that way. */
    isJoined: () => joined && socket.connected,
  };
}
