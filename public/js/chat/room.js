// @ts-check
// Being in the room: joining /chat, again after every reconnect with the last seq heard (the
// server replays what was missed), what arrives live, and the room's end (removed, closed, refused).
import { byId } from '../lib/dom.js';
import { errorText, t } from '../lib/i18n.js';
import { ack } from '../lib/net.js';
import { retryNow } from '../lib/retry.js';
import { endRoom, hasEnded } from './ending.js';

/** @typedef {import('../types').ChatMessage} ChatMessage */

/**
 * A rejoin asks again for this many seqs before the last heard. With several processes each
 * announces its own messages in seq order, but another's come through Redis: N+1 of this process
 * can arrive before N of another, and a tab cut off in between would never be sent N. The list
 * keeps each message once, so what comes twice changes nothing.
 */
const REJOIN_OVERLAP = 50;

/** Refusals of a join that say "not now" rather than "not here": the tab tries again. */
const JOIN_LATER = new Set(['too_many_requests', 'slow_down']);

/**
 * @param {{ socket: import('../types').ChatSocket, room: string, lastSeq: () => number,
 *   onJoined: (data: import('../types').JoinData, first: number) => void,
 *   onMessage: (m: ChatMessage) => void }} options
 */
export function stayInRoom({ socket, room, lastSeq, onJoined, onMessage }) {
  const connection = byId('connection');
  let joined = false;
  let joinedOnce = false;
  let joins = 0;
  /** @type {Set<() => void>} */
  const joinWaiters = new Set();
  /**
   * The seq up to which this tab has heard everything, over the socket. Not the newest seq shown:
   * a send's own answer (HTTP or acknowledgement) shows seq N while N-1 may still be on its way,
   * and live messages can come before a join's replay; rejoining after those would skip the rest.
   * The page's history is whole up to its newest message.
   */
  let heard = lastSeq();
  /** What this connection's join has brought so far, until it is answered. */
  /** @type {{ first: number, top: number } | null} */
  let joining = null;
  let connections = 0;

  /** @param {import('../types').StringKey} title @param {string} body */
  function end(title, body) {
    socket.disconnect();
    endRoom({ title, body });
    for (const wake of [...joinWaiters]) wake();
  }

  /** This connection is no use (its join went unanswered): a new one joins again. */
  function reconnect() {
    socket.disconnect();
    setTimeout(() => hasEnded() || socket.connect(), 1000);
  }

  socket.on('connect', async () => {
    const current = ++connections;
    const after = Math.max(0, heard - REJOIN_OVERLAP);
    joining = { first: Infinity, top: after };
    const reply = await ack(socket, 'join', { room, after });
    // The answer of a connection gone since, or overtaken by a newer one: nothing to do.
    if (current !== connections || !socket.connected) return;
    const brought = joining ?? { first: Infinity, top: after };
    joining = null;
    if (!reply.ok) {
      if (reply.unanswered || JOIN_LATER.has(reply.error.code)) return reconnect();
      return end('refusedTitle', errorText(reply.error));
    }
    // The replay came before the answer, and live messages since the tab was attached: everything
    // up to the newest of them is here.
    heard = Math.max(heard, brought.top);
    joined = true;
    joins += 1;
    onJoined(reply.data, brought.first);
    document.body.classList.add('is-live');
    connection.textContent = joinedOnce ? t('online') : '';
    joinedOnce = true;
    for (const wake of [...joinWaiters]) wake();
    // Sends waiting for their next try go now, over the socket.
    retryNow();
  });
  socket.on('disconnect', (reason) => {
    joined = false;
    joining = null;
    document.body.classList.remove('is-live');
    if (hasEnded()) return;
    connection.textContent = t('offline');
    // Socket.IO does not reconnect by itself after a server-side disconnect; the room may still be
    // there (a restart, a deploy): try again, and the join says if it is not.
    if (reason === 'io server disconnect') setTimeout(() => hasEnded() || socket.connect(), 1000);
  });
  /** @param {ChatMessage} m */
  const arrived = (m) => {
    if (m?.room && m.room !== room) return;
    onMessage(m);
    if (typeof m?.seq !== 'number') return;
    if (joining) {
      joining.first = Math.min(joining.first, m.seq);
      joining.top = Math.max(joining.top, m.seq);
    } else if (joined) {
      // Live after the join: the server sends a room's messages in seq order.
      heard = Math.max(heard, m.seq);
    }
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
    /** How many times the tab has joined: a refusal from before the latest join is stale. */
    joins: () => joins,
    /** Resolves at the next join (or when the room ends). */
    nextJoin: () =>
      new Promise((resolve) => {
        const wake = () => {
          joinWaiters.delete(wake);
          resolve(undefined);
        };
        joinWaiters.add(wake);
      }),
  };
}
