// @ts-check
// The conversation as the reader sees it: the message list (messages.js) shown with care for the
// reader's attention (attention.js), older pages on demand (history.js).
import { byId } from '../lib/dom.js';
import { createAttention } from './attention.js';
import { wireHistory } from './history.js';
import { createMessageList } from './messages.js';

/** @typedef {import('../types').ChatMessage} ChatMessage */
/** @typedef {import('../types').Draft} Draft */

/**
 * @param {{ room: string, me: () => string, nameOf: (pid: string) => string | undefined }} options
 */
export function createTimeline({ room, me, nameOf }) {
  const scroller = byId('scroller');
  const list = byId('messages');
  const messages = createMessageList({ list, me, nameOf });
  const attention = createAttention({ scroller, list });
  const history = wireHistory({ room, scroller, list, messages });
  attention.scrollToBottom();

  return {
    /** Shows a message, live, replayed or just saved; a repeat changes nothing. @param {ChatMessage} m */
    show(m) {
      const following = attention.following();
      // While older pages remain, the list runs unbroken from its first message: one older than
      // that (a send answered after a truncated rejoin cut the list) would leave a hole above it
      // that paging, which goes back from the first, never fills. Its page brings it.
      const item = messages.add(m, history.hasOlder() ? messages.firstSeq() : undefined);
      const system = m.user === 'system';
      if (item) attention.arrived(item, { mine: !system && m.pid === me(), system, following });
    },
    /** Shows one's own message before it is saved. @param {Draft} draft */
    showDraft(draft) {
      const item = messages.addDraft(draft);
      attention.arrived(item, { mine: true, system: false, following: true });
      return item;
    },
    /**
     * More was missed than the rejoin replayed, which starts at `first`: everything shown before it
     * goes — what was shown before the drop, and one's own sends answered meanwhile, which lie in
     * the gap — and the history pages back from `first` (no hole in the middle).
     * @param {number} first
     */
    skipBefore(first) {
      messages.forgetThrough(first - 1);
      history.more();
    },
    /** A saved message changed (edited, deleted). @param {ChatMessage} m */
    replace: (m) => messages.replace(m),
    /** @param {number} seq */
    item: (seq) => messages.item(seq),
    /**
     * Scrolls to message `seq`, loading older pages until it is shown; false when it cannot be.
     * @param {number} seq
     */
    async reveal(seq) {
      let item = messages.item(seq);
      while (!item && (messages.firstSeq() ?? 0) > seq && (await history.loadOlder()))
        item = messages.item(seq);
      if (!item) return false;
      const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      item.scrollIntoView({ block: 'center', behavior: still ? 'auto' : 'smooth' });
      item.classList.add('is-target');
      setTimeout(() => item.classList.remove('is-target'), 2000);
      return true;
    },
    lastSeq: messages.lastSeq,
    refreshWhispers: messages.refreshWhispers,
  };
}
