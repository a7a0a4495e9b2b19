// @ts-check
// The owner's rules of the room, as every reader lives with them: the lock and slow mode in the
// header, the composer's countdown in slow mode, a muted person's composer closed; and, for the
// owner, the controls (lock, slow mode, mute buttons on people). Fed by the join acknowledgement
// and the `settings` event.
import { byId } from '../lib/dom.js';
import { errorText, t } from '../lib/i18n.js';
import { ack } from '../lib/net.js';
import { showError } from './alert.js';

/** @typedef {import('../types').RoomSettings} RoomSettings */

/**
 * @param {{ socket: import('../types').ChatSocket, me: () => string,
 *   onChange: () => void }} options
 */
export function createModeration({ socket, me, onChange }) {
  const note = byId('composer-note');
  const input = byId('text', HTMLTextAreaElement);
  const send = byId('send', HTMLButtonElement);
  const gifButton = byId('gif-button', HTMLButtonElement);
  const lock = byId('lock-room', HTMLInputElement);
  const slow = byId('slow-mode', HTMLSelectElement);
  /** @type {RoomSettings} */
  let settings = { locked: lock.checked, slowSeconds: 0, muted: [] };
  let owner = false;
  /** When the reader may send again in slow mode (ms since the epoch). */
  let readyAt = 0;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let ticker;

  const mutedMe = () => settings.muted.includes(me());
  const secondsLeft = () => Math.ceil((readyAt - Date.now()) / 1000);

  function showNote() {
    const waiting = !mutedMe() && !owner && secondsLeft() > 0;
    const text = mutedMe() ? t('mutedNotice') : waiting ? t('slowWait', { n: secondsLeft() }) : '';
    note.textContent = text;
    note.hidden = !text;
    input.disabled = mutedMe();
    gifButton.disabled = mutedMe();
    send.disabled = mutedMe() || waiting;
    if (!waiting && ticker !== undefined) {
      clearInterval(ticker);
      ticker = undefined;
    }
  }

  /** Slow mode's countdown, from now (a message just went) or from what the server said. */
  function wait(/** @type {number} */ seconds) {
    readyAt = Date.now() + seconds * 1000;
    ticker ??= setInterval(showNote, 1000);
    showNote();
  }

  function showSlowOption(/** @type {number} */ n) {
    if (![...slow.options].some((o) => o.value === String(n))) {
      const option = new Option(t('slowEvery', { n }), String(n));
      slow.add(option);
    }
    slow.value = String(n);
  }

  /** @param {RoomSettings | undefined} next */
  function apply(next) {
    if (!next || !Array.isArray(next.muted)) return;
    settings = next;
    byId('room-locked').hidden = !next.locked;
    const indicator = byId('slow-indicator');
    indicator.hidden = next.slowSeconds <= 0;
    indicator.textContent = next.slowSeconds > 0 ? t('slowNotice', { n: next.slowSeconds }) : '';
    lock.checked = next.locked;
    showSlowOption(next.slowSeconds);
    if (next.slowSeconds <= 0) readyAt = 0;
    showNote();
    onChange();
  }

  /** @param {import('../types').Payloads['settings']} patch */
  async function configure(patch) {
    const reply = await ack(socket, 'settings', patch);
    if (!reply.ok) {
      showError(errorText(reply.error));
      apply({ ...settings });
      return;
    }
    apply(reply.data);
  }

  socket.on('settings', apply);
  lock.addEventListener('change', () => void configure({ locked: lock.checked }));
  slow.addEventListener('change', () => void configure({ slowSeconds: Number(slow.value) }));

  return {
    /** The settings the join acknowledgement carried. @param {RoomSettings | undefined} next */
    load: (next) => apply(next),
    /** @param {boolean} isOwner */
    setOwner(isOwner) {
      owner = isOwner;
      showNote();
    },
    /** @param {string} pid */
    isMuted: (pid) => settings.muted.includes(pid),
    /** Owner: mutes or unmutes someone. @param {string} pid */
    async toggleMute(pid) {
      const reply = await ack(socket, 'mute', { pid, muted: !settings.muted.includes(pid) });
      if (!reply.ok) return showError(errorText(reply.error));
      apply(reply.data);
    },
    /**
     * May the reader send now? A muted reader may not; in slow mode a message to the room starts
     * the countdown (the owner is exempt). Whispers are not slowed.
     * @param {'room' | 'whisper'} kind
     */
    mayPost(kind) {
      if (mutedMe()) {
        showNote();
        return false;
      }
      if (kind === 'whisper' || owner || settings.slowSeconds <= 0) return true;
      if (secondsLeft() > 0) return false;
      wait(settings.slowSeconds);
      return true;
    },
    /** The server refused a send in slow mode: count down what it said. @param {number} seconds */
    wait,
  };
}
