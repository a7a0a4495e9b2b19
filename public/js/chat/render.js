// @ts-check
// A message's markup is written once, in views/message.njk. The room page carries it rendered
// blank in <template id="message-template">, every optional part present; this fills a copy and
// removes the parts a message does not have.
import { byId, cloneFrom, fillChip, find, keepPart } from '../lib/dom.js';
import { systemText, t } from '../lib/i18n.js';
import { formatTimes } from '../lib/time.js';
import { fillParts } from './message-parts.js';
import { fillGifParts } from './player.js';

/** @typedef {import('../types').ChatMessage} ChatMessage */
/** @typedef {import('../types').Draft} Draft */

const template = byId('message-template', HTMLTemplateElement);

/** @param {HTMLElement} item @param {string} createdAt */
function setTime(item, createdAt) {
  find(item, 'time').setAttribute('datetime', createdAt);
  formatTimes(item);
}

/** "Mina joined": a quiet line, in the reader's language. @param {ChatMessage} m */
function systemLine(m) {
  const item = cloneFrom(template, 'li.system', HTMLLIElement);
  item.dataset.seq = String(m.seq);
  find(item, '.system-text').textContent = systemText(m);
  setTime(item, m.createdAt);
  return item;
}

/**
 * A message from a person: saved (it has a seq), or a draft of one's own (a cid, no seq yet).
 * @param {ChatMessage | Draft} m
 * @param {string} me the reader's pid
 */
function bubble(m, me) {
  const item = cloneFrom(template, 'li.msg:not(.system)', HTMLLIElement);
  const mine = Boolean(m.pid) && m.pid === me;
  item.classList.toggle('mine', mine);
  if ('seq' in m) item.dataset.seq = String(m.seq);
  else delete item.dataset.seq;
  item.dataset.pid = m.pid ?? '';
  item.dataset.time = m.createdAt;
  fillChip(find(item, '.chip'), m.user, m.nick || m.user);
  keepPart(item, '.you-tag', mine);
  if (keepPart(item, '.whisper-tag', m.to) && m.to) {
    item.classList.add('whisper');
    item.dataset.to = m.to;
  }
  const text = keepPart(item, '.msg-text', m.chat);
  if (text) text.textContent = m.chat ?? '';
  const box = keepPart(item, '.gif-box', m.gif);
  if (box) {
    box.dataset.src = m.gif ?? '';
    box.dataset.name = m.nick || m.user;
  }
  fillGifParts(item, m, m.nick || m.user);
  keepPart(item, '.msg-status', !('seq' in m));
  fillParts(item, m, mine, me);
  setTime(item, m.createdAt);
  return item;
}

/**
 * The element for a message or a draft; `me` decides what is one's own.
 * @param {ChatMessage | Draft} m
 * @param {string} me
 */
export const renderMessage = (m, me) =>
  'seq' in m && m.user === 'system' ? systemLine(m) : bubble(m, me);

/**
 * Shows a draft as being sent, or as not sent (with its retry button).
 * @param {HTMLElement} item
 * @param {'pending' | 'failed'} state
 */
export function showDraftState(item, state) {
  item.classList.toggle('is-pending', state === 'pending');
  item.classList.toggle('is-failed', state === 'failed');
  find(item, '.msg-status-text').textContent = t(state === 'pending' ? 'sending' : 'notSent');
  find(item, '.msg-retry').hidden = state !== 'failed';
}
