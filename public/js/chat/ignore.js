// @ts-check
// Ignoring people, for oneself: their messages and GIFs are folded away (a line with a "show"
// toggle) in every room, remembered in the session. The people list's ignore button toggles it.
import { el } from '../lib/dom.js';
import { errorText, t } from '../lib/i18n.js';
import { ack } from '../lib/net.js';
import { showError } from './alert.js';

/**
 * @param {{ socket: import('../types').ChatSocket, list: HTMLElement, initial: string[],
 *   onChange: () => void }} options
 */
export function createIgnore({ socket, list, initial, onChange }) {
  let ignored = new Set(initial);

  /** Folds or unfolds one message by its author. @param {Element} item */
  function apply(item) {
    if (!(item instanceof HTMLElement) || !item.matches('li.msg:not(.system)')) return;
    const hide = ignored.has(item.dataset.pid ?? '');
    item.classList.toggle('is-ignored', hide);
    let note = item.querySelector(':scope > .ignored-note');
    if (!hide) {
      note?.remove();
      item.classList.remove('is-revealed');
      return;
    }
    if (note) return;
    note = el('p', 'ignored-note');
    const toggle = el('button', 'button ghost small ignored-toggle', t('showIgnored'));
    toggle.type = 'button';
    toggle.setAttribute('aria-expanded', 'false');
    toggle.addEventListener('click', () => {
      const open = item.classList.toggle('is-revealed');
      toggle.textContent = t(open ? 'hideIgnored' : 'showIgnored');
      toggle.setAttribute('aria-expanded', String(open));
    });
    note.append(el('span', null, t('ignoredMessage')), toggle);
    item.prepend(note);
  }

  const applyAll = () => list.querySelectorAll('li.msg').forEach(apply);
  // Messages come and go (live, history pages, edits drawn again): each new one is checked.
  new MutationObserver((records) => {
    for (const record of records)
      record.addedNodes.forEach((node) => apply(/** @type {Element} */ (node)));
  }).observe(list, { childList: true });
  applyAll();

  return {
    /** @param {string} pid */
    isIgnored: (pid) => ignored.has(pid),
    /** @param {string} pid */
    async toggle(pid) {
      const reply = await ack(socket, 'ignore', { pid, ignored: !ignored.has(pid) });
      if (!reply.ok) return showError(errorText(reply.error));
      ignored = new Set(reply.data.ignored);
      applyAll();
      onChange();
    },
  };
}
