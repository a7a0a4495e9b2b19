// @ts-check
// Older history, a page at a time (GET /room/:id/chats?before=SEQ), when the reader scrolls near
// the top or presses the button, keeping what they were reading where it was on screen.
import { byId } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { request } from '../lib/net.js';

/** @typedef {{ messages: import('../types').ChatMessage[], more: boolean }} Page */

/**
 * @param {{ room: string, scroller: HTMLElement, list: HTMLElement,
 *   messages: ReturnType<import('./messages.js').createMessageList> }} options
 */
export function wireHistory({ room, scroller, list, messages }) {
  const older = byId('older', HTMLButtonElement);
  const start = byId('history-start');
  const label = older.textContent?.trim() ?? '';
  let loading = false;
  /** @type {Promise<boolean> | null} the page on its way, which a second caller waits for too */
  let pending = null;

  /** Loads the page before the oldest shown; resolves whether one came. */
  const loadOlder = () => (pending ??= loadPage().finally(() => (pending = null)));

  async function loadPage() {
    const first = messages.firstSeq();
    const anchor = first === undefined ? undefined : messages.item(first);
    if (loading || older.hidden || first === undefined || !anchor) return false;
    loading = true;
    older.disabled = true;
    older.textContent = t('loading');
    /** @type {import('../types').Reply<Page>} */
    const reply = await request(`/room/${encodeURIComponent(room)}/chats?before=${first}`, {
      method: 'GET',
    });
    older.disabled = false;
    loading = false;
    if (!reply.ok) {
      older.textContent = t('loadFailed');
      return false;
    }
    // A truncated rejoin cut the list short meanwhile (the anchor went with it): this page
    // belongs below what is shown now, and would leave a hole above it. The next page starts
    // from the new first message.
    if (!anchor.isConnected) {
      older.textContent = label;
      return true;
    }
    const anchorTop = anchor.getBoundingClientRect().top;
    // Older history is not news: keep the screen reader's log quiet while it goes in.
    list.setAttribute('aria-live', 'off');
    for (const m of reply.data.messages) messages.add(m);
    older.textContent = label;
    older.hidden = !reply.data.more;
    start.hidden = reply.data.more;
    scroller.scrollTop += anchor.getBoundingClientRect().top - anchorTop;
    requestAnimationFrame(() => list.setAttribute('aria-live', 'polite'));
    return true;
  }

  older.addEventListener('click', () => void loadOlder());
  const more = () => {
    older.hidden = false;
    start.hidden = true;
  };
  new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadOlder(), {
    root: scroller,
    rootMargin: '200px 0px 0px 0px',
  }).observe(older);
  /** Older pages remain before the first message shown. */
  const hasOlder = () => !older.hidden;
  return { more, loadOlder, hasOlder };
}
