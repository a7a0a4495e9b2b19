// @ts-check
// The GIF picker beside the composer: "Recent" (my GIFs) and "Popular here" (most sent this week),
// searchable by the names GIFs were uploaded with. Picking one sends it again without uploading,
// over the socket when joined, else over HTTP, with a client id so a retry never sends it twice.
// Keyboard: arrows move between tabs and between GIFs, Enter or Space sends, Escape closes and
// gives focus back to the button that opened it.
import { byId, el } from '../lib/dom.js';
import { errorText, t } from '../lib/i18n.js';
import { ack, clientId, request } from '../lib/net.js';
import { untilAdmitted } from '../lib/retry.js';
import { clearError, showError } from './alert.js';
import { hasEnded } from './ending.js';

/** @typedef {import('../types').ChatMessage} ChatMessage */
/** @typedef {import('../types').PickerItem} PickerItem */
/** @typedef {'recent' | 'popular'} Tab */

const SEARCH_DELAY_MS = 250;

/**
 * @param {{ socket: import('../types').ChatSocket, room: string, isJoined: () => boolean,
 *   joins: () => number, nextJoin: () => Promise<unknown>,
 *   onSent: (message: ChatMessage) => void }} options
 */
export function createPicker({ socket, room, isJoined, joins, nextJoin, onSent }) {
  const button = byId('picker-button', HTMLButtonElement);
  const panel = byId('picker');
  const search = byId('picker-search', HTMLInputElement);
  const results = byId('picker-results', HTMLUListElement);
  const status = byId('picker-status');
  const tabs = [...panel.querySelectorAll('[role="tab"]')].filter(
    (node) => node instanceof HTMLButtonElement,
  );
  /** @type {Tab} */
  let tab = 'recent';
  /** Answers to older queries are dropped: only the newest query's list is shown. */
  let asked = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let typingTimer;

  const options = () =>
    /** @type {HTMLElement[]} */ ([...results.querySelectorAll('[role="option"]')]);

  /** Roving focus: one option is tabbable, arrows move it. @param {number} index */
  function focusOption(index) {
    const all = options();
    if (all.length === 0) return;
    const at = Math.max(0, Math.min(all.length - 1, index));
    all.forEach((option, i) => {
      option.tabIndex = i === at ? 0 : -1;
      option.setAttribute('aria-selected', String(i === at));
    });
    all[at]?.focus();
  }

  /** How many options a row of the grid holds, from where they sit. */
  function columns() {
    const all = options();
    const top = all[0]?.offsetTop;
    const count = all.findIndex((option) => option.offsetTop !== top);
    return count > 0 ? count : all.length || 1;
  }

  /** @param {PickerItem} item @param {number} index */
  function option(item, index) {
    const name = item.gifName || t('pickerUnnamed');
    const node = el('li', 'picker-option');
    node.id = `picker-option-${index}`;
    node.setAttribute('role', 'option');
    node.setAttribute('aria-selected', 'false');
    node.tabIndex = index === 0 ? 0 : -1;
    node.dataset.name = item.name;
    const label = item.count ? t('pickerCount', { name, n: item.count }) : name;
    node.setAttribute('aria-label', t('pickerSend', { name: label }));
    node.title = name;
    const img = el('img');
    img.alt = '';
    img.loading = 'lazy';
    img.decoding = 'async';
    if (item.width && item.height) {
      img.width = item.width;
      img.height = item.height;
    }
    img.src = item.poster || item.gif;
    node.append(img, el('span', 'picker-option-name', name));
    node.addEventListener('click', () => void pick(item));
    return node;
  }

  async function load() {
    const q = search.value.trim();
    const query = new URLSearchParams({ tab, room });
    if (q) query.set('q', q);
    const mine = ++asked;
    status.textContent = t('pickerLoading');
    /** @type {import('../types').Reply<{ items: PickerItem[] }>} */
    const reply = await request(`/gifs?${query}`, { method: 'GET' });
    if (mine !== asked) return;
    if (!reply.ok) {
      results.replaceChildren();
      status.textContent = reply.unanswered ? t('pickerFailed') : errorText(reply.error);
      return;
    }
    results.replaceChildren(...reply.data.items.map(option));
    status.textContent =
      reply.data.items.length > 0
        ? ''
        : q
          ? t('pickerNoMatch', { q })
          : t(tab === 'recent' ? 'pickerEmptyRecent' : 'pickerEmptyPopular');
  }

  /** @param {PickerItem} item */
  async function pick(item) {
    if (hasEnded()) return;
    close(false);
    clearError();
    const cid = clientId();
    const url = `/room/${encodeURIComponent(room)}/gif`;
    /** @type {import('../types').Reply<ChatMessage>} */
    const reply = await untilAdmitted(
      () =>
        isJoined()
          ? ack(socket, 'gif', { name: item.name, cid })
          : request(url, { json: { gif: item.name, cid } }),
      { joins, nextJoin },
      hasEnded,
    );
    if (reply.ok) onSent(reply.data);
    else if (!reply.unanswered) showError(t('sendFailed', { reason: errorText(reply.error) }));
    byId('text').focus();
  }

  /** @param {Tab} next */
  function selectTab(next) {
    tab = next;
    for (const node of tabs) {
      const selected = node.dataset.tab === next;
      node.setAttribute('aria-selected', String(selected));
      node.tabIndex = selected ? 0 : -1;
    }
    void load();
  }

  function open() {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    search.focus();
    void load();
  }

  /** @param {boolean} [refocus] give focus back to the button that opened it */
  function close(refocus = true) {
    if (panel.hidden) return;
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (refocus) button.focus();
  }

  button.addEventListener('click', () => (panel.hidden ? open() : close()));
  for (const node of tabs) {
    node.addEventListener('click', () =>
      selectTab(node.dataset.tab === 'popular' ? 'popular' : 'recent'),
    );
    node.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
      event.preventDefault();
      const other = tabs.find((candidate) => candidate !== node);
      other?.focus();
      selectTab(other?.dataset.tab === 'popular' ? 'popular' : 'recent');
    });
  }
  search.addEventListener('input', () => {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => void load(), SEARCH_DELAY_MS);
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' && options().length > 0) {
      event.preventDefault();
      focusOption(0);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      clearTimeout(typingTimer);
      void load();
    }
  });
  results.addEventListener('keydown', (event) => {
    const all = options();
    const at = all.findIndex((node) => node === document.activeElement);
    if (at < 0) return;
    const moves = /** @type {Record<string, number>} */ ({
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: columns(),
      ArrowUp: -columns(),
      Home: -at,
      End: all.length - 1 - at,
    });
    if (event.key in moves) {
      event.preventDefault();
      // Up from the first row goes back to the search box.
      if (event.key === 'ArrowUp' && at < columns()) return search.focus();
      return focusOption(at + (moves[event.key] ?? 0));
    }
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      all[at]?.click();
    }
  });
  panel.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    close();
  });
  // A click anywhere else closes it, as menus do.
  document.addEventListener('pointerdown', (event) => {
    const target = event.target;
    if (
      !panel.hidden &&
      target instanceof Node &&
      !panel.contains(target) &&
      !button.contains(target)
    )
      close(false);
  });
}
