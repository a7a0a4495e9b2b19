// @ts-check
// The side panel: the people drawer on phones, the nickname form, the GIF playback setting and the
// owner's "delete room" button.
import { confirmDialog } from '../lib/dialog.js';
import { byId } from '../lib/dom.js';
import { errorText, t } from '../lib/i18n.js';
import { ack, request } from '../lib/net.js';
import { limits } from '../lib/page-data.js';
import { showError } from './alert.js';
import { endRoom } from './ending.js';
import { onModeChange, playbackMode, reducedMotion, setMode } from './playback.js';

/**
 * @param {{ socket: import('../types').ChatSocket, me: { nick?: string },
 *   onNick?: () => void }} options
 */
function wireNickname({ socket, me, onNick }) {
  const input = byId('nick', HTMLInputElement);
  const status = byId('nick-status');
  /** @param {string} text */
  const refuse = (text) => {
    status.classList.add('is-error');
    status.textContent = text;
    input.setAttribute('aria-invalid', 'true');
  };
  byId('nick-form', HTMLFormElement).addEventListener('submit', async (event) => {
    event.preventDefault();
    const nick = input.value.trim();
    const { min, max } = limits.nick;
    status.classList.remove('is-error');
    if (nick.length < min || nick.length > max) return refuse(t('nickEmpty', { min, max }));
    const reply = await ack(socket, 'nick', nick);
    if (!reply.ok) return refuse(errorText(reply.error));
    me.nick = reply.data.nick || nick;
    onNick?.();
    input.value = me.nick;
    input.removeAttribute('aria-invalid');
    const saved = t('nickSaved', { nick: me.nick });
    status.textContent = saved;
    setTimeout(() => {
      if (status.textContent === saved) status.textContent = '';
    }, 6000);
  });
}

function wirePlayback() {
  const radios = [...document.querySelectorAll('input[name="playback"]')].filter(
    (node) => node instanceof HTMLInputElement,
  );
  /** @param {string} mode */
  const showMode = (mode) => radios.forEach((radio) => (radio.checked = radio.value === mode));
  showMode(playbackMode());
  onModeChange(showMode);
  for (const radio of radios)
    radio.addEventListener('change', () => radio.checked && setMode(radio.value));
  const hint = byId('playback-hint');
  if (reducedMotion()) hint.textContent = `${t('reducedMotion')} ${hint.textContent}`;
}

/** The people drawer on phones; returns how to close it. */
function wireDrawer() {
  const sidebar = byId('sidebar');
  const toggle = byId('people-toggle');
  const isOpen = () => sidebar.classList.contains('is-open');
  function open() {
    sidebar.classList.add('is-open');
    toggle.setAttribute('aria-expanded', 'true');
    byId('sidebar-close').focus();
  }
  function close(focusToggle = true) {
    if (!isOpen()) return;
    sidebar.classList.remove('is-open');
    toggle.setAttribute('aria-expanded', 'false');
    if (focusToggle) toggle.focus();
  }
  toggle.addEventListener('click', () => (isOpen() ? close() : open()));
  byId('sidebar-close').addEventListener('click', () => close());
  sidebar.addEventListener('keydown', (event) => event.key === 'Escape' && close());
  byId('main').addEventListener('pointerdown', () => close(false));
  return close;
}

/** @param {string} room */
function wireDelete(room) {
  const button = byId('delete-room', HTMLButtonElement);
  button.addEventListener('click', async () => {
    if (!(await confirmDialog(t('deleteConfirm'), button.textContent?.trim()))) return;
    const reply = await request(`/room/${encodeURIComponent(room)}`, { method: 'DELETE' });
    if (!reply.ok) return showError(errorText(reply.error));
    endRoom();
    window.location.href = '/';
  });
}

/**
 * @param {{ room: string, socket: import('../types').ChatSocket, me: { nick?: string },
 *   onNick?: () => void }} options
 */
export function createPanel({ room, socket, me, onNick }) {
  wireNickname({ socket, me, onNick });
  wirePlayback();
  wireDelete(room);
  return { closeSidebar: wireDrawer() };
}
