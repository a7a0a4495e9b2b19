// @ts-check
// Drawing the reader's attention without moving the page under them: the view follows new messages
// only while the reader is at the bottom; otherwise a "new messages" line, a jump button with a
// count, and, while the tab is hidden, an unread count in its title.
import { byId, el } from '../lib/dom.js';
import { lang, t } from '../lib/i18n.js';
import { regroup } from './messages.js';

const NEAR_BOTTOM = 48;

/** @param {{ scroller: HTMLElement, list: HTMLElement }} options */
export function createAttention({ scroller, list }) {
  const jump = byId('jump', HTMLButtonElement);
  const jumpLabel = byId('jump-label');
  const baseTitle = document.title;
  const plural = new Intl.PluralRules(lang);
  let unread = 0; // arrived while the tab was hidden
  let mentions = 0; // of those, the ones mentioning the reader (mentions.js)
  let fresh = 0; // arrived below the reader's view
  let unseenRun = false; // the divider marks the first of a run of unseen messages
  let stick = true; // the reader is at the bottom: follow new messages
  /** @type {HTMLElement | null} */
  let divider = null;

  const distance = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
  const atBottom = () => distance() < NEAR_BOTTOM;
  const hidden = () => document.visibilityState === 'hidden';
  const setTitle = () => {
    const mentioned = mentions > 0 ? `(@${mentions}) ` : '';
    document.title = unread > 0 ? `${mentioned}(${unread}) ${baseTitle}` : baseTitle;
  };

  function updateJump() {
    const far = distance() > scroller.clientHeight;
    jump.hidden = atBottom() || (fresh === 0 && !far);
    jumpLabel.textContent =
      fresh > 0
        ? t(plural.select(fresh) === 'one' ? 'jumpOne' : 'jumpOther', { n: fresh })
        : t('jumpLatest');
  }

  function scrollToBottom(smooth = false) {
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    scroller.scrollTo({
      top: scroller.scrollHeight,
      behavior: smooth && !still ? 'smooth' : 'auto',
    });
    fresh = 0;
    stick = true;
    updateJump();
  }

  /** @param {HTMLElement} before */
  function markDivider(before) {
    divider?.remove();
    divider = el('li', 'divider');
    divider.setAttribute('role', 'separator');
    divider.append(el('span', null, t('newMessages')));
    list.insertBefore(divider, before);
    regroup(before);
  }

  scroller.addEventListener(
    'scroll',
    () => {
      stick = atBottom();
      if (stick) {
        fresh = 0;
        if (!hidden()) unseenRun = false;
      }
      updateJump();
    },
    { passive: true },
  );
  jump.addEventListener('click', () => {
    scrollToBottom(true);
    document.getElementById('text')?.focus({ preventScroll: true });
  });
  // Keep the latest message in sight when the viewport changes (phone keyboard, rotation).
  new ResizeObserver(() => stick && scroller.scrollTo({ top: scroller.scrollHeight })).observe(
    scroller,
  );
  document.addEventListener('visibilitychange', () => {
    if (hidden()) {
      // Everything from here on is new to the reader: the next message gets the line.
      unseenRun = false;
    } else {
      unread = 0;
      mentions = 0;
      setTitle();
    }
  });

  return {
    /** Whether the view follows new messages: ask before placing one. */
    following: () => stick && atBottom(),
    /**
     * A message was placed: follow it, or mark it as unseen.
     * @param {HTMLElement} item
     * @param {{ mine: boolean, system: boolean, following: boolean }} how
     */
    arrived(item, { mine, system, following }) {
      const news = !mine && !system;
      if (news && (hidden() || !following)) {
        if (!unseenRun) markDivider(item);
        unseenRun = true;
      }
      if (news && hidden()) {
        unread += 1;
        if (item.classList.contains('is-mention')) mentions += 1;
        setTitle();
      }
      if (mine || following) scrollToBottom();
      else if (!system) fresh += 1;
      updateJump();
    },
    scrollToBottom,
  };
}
