// @ts-check
// The composer: the text box (Enter sends, Shift+Enter starts a line, an IME's Enter composes),
// whisper mode, and "is typing" while there is text in it.
import { byId } from '../lib/dom.js';
import { errorText, t } from '../lib/i18n.js';
import { ack } from '../lib/net.js';
import { limits } from '../lib/page-data.js';
import { clearError, showError } from './alert.js';
import { hasEnded } from './ending.js';
import { typingSignal } from './typing.js';

/** @typedef {import('../types').Participant} Participant */

const nameOf = (/** @type {Participant} */ p) => p.nick || p.user;

/**
 * @param {{ socket: import('../types').ChatSocket, send: (text: string) => void,
 *   show: (m: import('../types').ChatMessage) => void, onWhisperStart: () => void,
 *   mayPost?: (kind: 'room' | 'whisper') => boolean }} options
 */
export function createComposer({ socket, send, show, onWhisperStart, mayPost = () => true }) {
  const form = byId('composer', HTMLFormElement);
  const input = byId('text', HTMLTextAreaElement);
  const chip = byId('whisper-chip');
  const typing = typingSignal(socket);
  /** @type {Participant | null} */
  let whisperTo = null;

  function autosize() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  }

  /** @param {Participant} person */
  function startWhisper(person) {
    whisperTo = person;
    byId('whisper-label').textContent = t('whisperingTo', { name: nameOf(person) });
    byId('whisper-cancel').setAttribute('aria-label', t('cancelWhisper'));
    chip.hidden = false;
    input.placeholder = t('whisperPlaceholder', { name: nameOf(person) });
    form.classList.add('is-whisper');
    onWhisperStart();
    input.focus();
  }

  function stopWhisper() {
    whisperTo = null;
    chip.hidden = true;
    input.placeholder = input.dataset.placeholder ?? '';
    form.classList.remove('is-whisper');
  }

  /** Whispers are not retried: the one person they are for may be gone. Resolves true when delivered. */
  async function whisper(/** @type {Participant} */ target, /** @type {string} */ text) {
    const reply = await ack(socket, 'whisper', { to: target.pid, chat: text });
    const failed = t('whisperFailed', { name: nameOf(target) });
    if (reply.ok) {
      show(reply.data.message);
      if (reply.data.delivered !== false) return true;
      showError(failed);
      return false;
    }
    const gone = ['not_in_room', 'no_such_person'].includes(reply.error.code);
    showError(gone ? failed : t('sendFailed', { reason: errorText(reply.error) }));
    return false;
  }

  async function submit() {
    const text = input.value.trim();
    if (!text || hasEnded()) return;
    if (text.length > limits.chat.max) return showError(t('tooLong', { max: limits.chat.max }));
    // The room's rules (muted, slow mode) keep the text in the box for later.
    if (!mayPost(whisperTo ? 'whisper' : 'room')) return;
    input.value = '';
    autosize();
    typing(false);
    clearError();
    if (!whisperTo) return send(text);
    if (!(await whisper(whisperTo, text)) && !input.value) {
      input.value = text;
      autosize();
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  input.addEventListener('keydown', (event) => {
    // isComposing: Enter also confirms a Hangul syllable in an IME; that must not send.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      void submit();
    } else if (event.key === 'Escape' && whisperTo) {
      stopWhisper();
    }
  });
  input.addEventListener('input', () => {
    autosize();
    typing(input.value.trim().length > 0);
  });
  byId('whisper-cancel').addEventListener('click', () => {
    stopWhisper();
    input.focus();
  });
  window.addEventListener('pagehide', () => typing(false));

  return { startWhisper };
}
