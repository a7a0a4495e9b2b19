// @ts-check
// Conversation tools on the messages shown: reply (the composer quotes the message; a quote
// clicked scrolls to its original, loading older history if needed), reactions (a small fixed set,
// one of each per person), and editing or deleting one's own messages. Live changes arrive as the
// /chat events `react`, `edit` and `delete` (and `media`, a GIF's video made after it was sent).
import { confirmDialog } from '../lib/dialog.js';
import { byId, el, find } from '../lib/dom.js';
import { errorText, t } from '../lib/i18n.js';
import { ack } from '../lib/net.js';
import { limits } from '../lib/page-data.js';
import { showError } from './alert.js';
import { mediaArrived } from './gifs.js';
import { showReactions } from './message-parts.js';

/** @typedef {import('../types').ChatMessage} ChatMessage */
/** @typedef {import('../types').ReplyRef} ReplyRef */

/**
 * @param {{ socket: import('../types').ChatSocket, room: string, me: () => string,
 *   timeline: ReturnType<import('./timeline.js').createTimeline> }} options
 */
export function createConversation({ socket, room, me, timeline }) {
  const list = byId('messages');
  const chip = byId('reply-chip');
  const input = byId('text', HTMLTextAreaElement);
  /** @type {ReplyRef | undefined} */
  let replying;
  /** @type {HTMLElement | null} */
  let picker = null;

  // Reactions of the history the server rendered into the page.
  for (const item of list.querySelectorAll('li[data-reactions]'))
    if (item instanceof HTMLElement)
      showReactions(item, JSON.parse(item.dataset.reactions ?? '{}'), me());

  /** What a reply quotes of a message shown. @param {HTMLElement} item @returns {ReplyRef} */
  function quoteOf(item) {
    return {
      _id: item.dataset.id ?? '',
      seq: Number(item.dataset.seq),
      nick: item.querySelector('.chip-name')?.textContent ?? '',
      snippet: (item.querySelector('.msg-text')?.textContent ?? '').slice(0, limits.snippet.max),
      gif: Boolean(item.querySelector('.gif-box')) || undefined,
    };
  }

  /** @param {HTMLElement} item */
  function startReply(item) {
    replying = quoteOf(item);
    byId('reply-label').textContent = t('replyingTo', { name: replying.nick });
    chip.hidden = false;
    input.focus();
  }

  function stopReply() {
    replying = undefined;
    chip.hidden = true;
  }

  function closePicker() {
    picker
      ?.closest('li')
      ?.querySelector('[data-act="react"]')
      ?.setAttribute('aria-expanded', 'false');
    picker?.remove();
    picker = null;
  }

  /** @param {HTMLElement} item @param {Element} button */
  function openPicker(item, button) {
    const open = picker?.closest('li') === item;
    closePicker();
    if (open) return;
    picker = el('div', 'reaction-picker');
    picker.setAttribute('role', 'group');
    picker.setAttribute('aria-label', t('react'));
    for (const emoji of limits.reactions) {
      const choice = el('button', 'picker-emoji', emoji);
      choice.type = 'button';
      choice.dataset.emoji = emoji;
      choice.setAttribute('aria-label', t('reactWith', { emoji }));
      picker.append(choice);
    }
    button.setAttribute('aria-expanded', 'true');
    find(item, '.msg-actions').after(picker);
    picker.querySelector('button')?.focus();
  }

  /** @param {HTMLElement} item @param {string} emoji */
  const reacted = (item, emoji) =>
    item
      .querySelector(`.reaction[data-emoji="${CSS.escape(emoji)}"]`)
      ?.getAttribute('aria-pressed') === 'true';

  /** @param {HTMLElement} item @param {string} emoji @param {boolean} on */
  async function react(item, emoji, on) {
    const reply = await ack(socket, 'react', { _id: item.dataset.id ?? '', emoji, on });
    if (!reply.ok) return showError(errorText(reply.error));
    const shown = timeline.item(reply.data.seq);
    if (shown) showReactions(shown, reply.data.reactions, me());
  }

  /** An inline editor in place of the text: Enter saves, Escape cancels. @param {HTMLElement} item */
  function startEdit(item) {
    const text = item.querySelector('.msg-text');
    if (!(text instanceof HTMLElement) || item.querySelector('.msg-edit')) return;
    const form = el('form', 'msg-edit');
    const box = el('textarea');
    box.value = text.textContent ?? '';
    box.maxLength = limits.chat.max;
    box.setAttribute('aria-label', t('edit'));
    const save = el('button', 'button small', t('save'));
    save.type = 'submit';
    const cancel = el('button', 'button ghost small', t('cancel'));
    cancel.type = 'button';
    form.append(box, save, cancel);
    text.hidden = true;
    text.after(form);
    box.focus();
    const close = () => {
      form.remove();
      text.hidden = false;
    };
    cancel.addEventListener('click', close);
    box.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') close();
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const chat = box.value.trim();
      if (!chat) return;
      const reply = await ack(socket, 'edit', { _id: item.dataset.id ?? '', chat });
      if (!reply.ok) return showError(errorText(reply.error));
      timeline.replace(reply.data);
    });
  }

  /** @param {HTMLElement} item */
  async function report(item) {
    if (!(await confirmDialog(`${t('report')}?`, t('report')))) return;
    const reply = await ack(socket, 'report', { _id: item.dataset.id ?? '' });
    showError(reply.ok ? t('reportSent') : errorText(reply.error));
  }

  /** @param {HTMLElement} item */
  async function remove(item) {
    if (!(await confirmDialog(t('deleteMessageConfirm'), t('delete')))) return;
    const reply = await ack(socket, 'delete', { _id: item.dataset.id ?? '' });
    if (!reply.ok) return showError(errorText(reply.error));
    timeline.replace(reply.data);
  }

  list.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const item = target?.closest('li.msg');
    if (!target || !(item instanceof HTMLElement)) return;
    if (target.closest('.unblur')) return item.classList.remove('is-blurred');
    const quote = target.closest('.msg-quote');
    if (quote instanceof HTMLElement)
      return void timeline.reveal(Number(quote.dataset.quoteSeq)).then((found) => {
        if (!found) showError(t('originalGone'));
      });
    const emoji = target.closest('[data-emoji]');
    if (emoji instanceof HTMLElement) {
      const chosen = emoji.dataset.emoji ?? '';
      closePicker();
      return void react(item, chosen, !reacted(item, chosen));
    }
    const action = target.closest('[data-act]');
    if (!(action instanceof HTMLElement)) return;
    if (action.dataset.act === 'reply') startReply(item);
    else if (action.dataset.act === 'react') openPicker(item, action);
    else if (action.dataset.act === 'edit') startEdit(item);
    else if (action.dataset.act === 'delete') void remove(item);
    else if (action.dataset.act === 'report') void report(item);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && picker) closePicker();
  });
  byId('reply-cancel').addEventListener('click', () => {
    stopReply();
    input.focus();
  });

  socket.on('react', (update) => {
    const item = update?.room === room ? timeline.item(update.seq) : undefined;
    if (item) showReactions(item, update.reactions, me());
  });
  /** @param {ChatMessage} m */
  const changed = (m) => {
    if (m?.room === room) timeline.replace(m);
  };
  socket.on('blur', (update) => {
    const item = update?.room === room ? timeline.item(update.seq) : undefined;
    item?.classList.toggle('is-blurred', Boolean(update.blurred));
  });
  // A GIF's poster and video, made after it was sent: its box swaps to the video in place.
  socket.on('media', (update) => {
    const item = update?.room === room ? timeline.item(update.seq) : undefined;
    if (item) mediaArrived(item, update);
  });
  socket.on('edit', changed);
  socket.on('delete', changed);

  return {
    /** The quote of the message being answered, for the next message sent (then it is done). */
    takeReply() {
      const quote = replying;
      stopReply();
      return quote;
    },
  };
}
