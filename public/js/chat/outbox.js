// @ts-check
// Sending text so that it appears exactly once, whatever the network does. Each message gets a
// client id (cid) and shows at once as a draft. It goes over the socket when joined, else over
// HTTP; with no answer it goes again with the same cid (the server answers a repeat with what it
// saved), until it is saved — the saved message takes the draft's place — or refused. Refused
// because the tab is not in the room (yet) — back from a drop, the HTTP retry can beat the
// socket's rejoin — it goes again after the next join.
import { find } from '../lib/dom.js';
import { errorText, t } from '../lib/i18n.js';
import { ack, clientId, request } from '../lib/net.js';
import { untilAdmitted } from '../lib/retry.js';
import { showError } from './alert.js';
import { hasEnded } from './ending.js';
import { showDraftState } from './render.js';

/** @typedef {import('../types').ChatMessage} ChatMessage */
/** @typedef {import('../types').Draft} Draft */

/**
 * @param {{ socket: import('../types').ChatSocket, room: string, isJoined: () => boolean,
 *   joins: () => number, nextJoin: () => Promise<unknown>,
 *   me: () => { pid: string, user: string, nick?: string },
 *   timeline: { show(m: ChatMessage): void, showDraft(d: Draft): HTMLElement },
 *   replyTo?: () => import('../types').ReplyRef | undefined,
 *   onRefused?: (error: import('../types').ErrorPayload) => void }} options
 */
export function createOutbox(options) {
  const { socket, room, isJoined, joins, nextJoin, me, timeline } = options;
  const { replyTo = () => undefined, onRefused = () => undefined } = options;
  const url = `/room/${encodeURIComponent(room)}/chat`;

  /** @param {Draft} draft */
  const attempt = ({ chat = '', cid, replyTo: quote }) => {
    const payload = quote ? { chat, cid, replyTo: quote._id } : { chat, cid };
    return isJoined() ? ack(socket, 'chat', payload) : request(url, { json: payload });
  };

  /** @param {Draft} draft @param {HTMLElement} item */
  async function deliver(draft, item) {
    showDraftState(item, 'pending');
    /** @type {import('../types').Reply<ChatMessage>} */
    const reply = await untilAdmitted(() => attempt(draft), { joins, nextJoin }, hasEnded);
    // The answer is for this draft, whatever the server echoed.
    if (reply.ok) return timeline.show({ ...reply.data, cid: draft.cid });
    if (!item.isConnected) return;
    showDraftState(item, 'failed');
    if (reply.unanswered) return;
    showError(t('sendFailed', { reason: errorText(reply.error) }));
    onRefused(reply.error);
  }

  return {
    /** @param {string} text */
    send(text) {
      const { pid, user, nick } = me();
      const draft = {
        cid: clientId(),
        pid,
        user,
        nick,
        chat: text,
        createdAt: new Date().toISOString(),
        replyTo: replyTo(),
      };
      const item = timeline.showDraft(draft);
      find(item, '.msg-retry').addEventListener('click', () => void deliver(draft, item));
      void deliver(draft, item);
    },
  };
}
