// @ts-check
// The conversation parts of a message (views/message.njk): the quote of the message it answers,
// the "edited" mark, the "message deleted" line, its reactions and the tools its reader may use.
import { el, find, keepPart } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { mentionsMe } from './mentions.js';

/** @typedef {import('../types').ChatMessage} ChatMessage */
/** @typedef {import('../types').Draft} Draft */

/**
 * Draws a message's reactions as buttons (one per emoji with at least one person), pressed when
 * the reader is among them.
 * @param {Element} item
 * @param {Record<string, string[]> | undefined} reactions
 * @param {string} me
 */
export function showReactions(item, reactions, me) {
  const bar = item.querySelector('.reactions');
  if (!bar) return;
  const buttons = Object.entries(reactions ?? {})
    .filter(([, pids]) => Array.isArray(pids) && pids.length > 0)
    .map(([emoji, pids]) => {
      const button = el('button', 'reaction');
      button.type = 'button';
      button.dataset.emoji = emoji;
      button.setAttribute('aria-pressed', String(pids.includes(me)));
      button.setAttribute('aria-label', t('reactionCount', { emoji, n: pids.length }));
      button.append(
        el('span', 'reaction-emoji', emoji),
        el('span', 'reaction-n', String(pids.length)),
      );
      return button;
    });
  bar.replaceChildren(...buttons);
}

/**
 * Fills a copy of the message template's conversation parts, removing those it does not have.
 * @param {HTMLElement} item
 * @param {ChatMessage | Draft} m
 * @param {boolean} mine
 * @param {string} me the reader's pid
 */
export function fillParts(item, m, mine, me) {
  item.dataset.id = '_id' in m ? m._id : '';
  item.classList.toggle('is-deleted', Boolean(m.deleted));
  item.classList.toggle('is-blurred', Boolean(m.blurred));
  item.classList.toggle('is-mention', !mine && mentionsMe(m.chat));
  keepPart(item, '.unblur', m.gif);
  const quote = keepPart(item, '.msg-quote', m.replyTo);
  if (quote && m.replyTo) {
    quote.dataset.quoteSeq = String(m.replyTo.seq);
    find(quote, '.quote-name').textContent = m.replyTo.nick;
    find(quote, '.quote-text').textContent =
      m.replyTo.snippet || (m.replyTo.gif ? t('gifQuote') : '');
  }
  keepPart(item, '.msg-deleted', m.deleted);
  keepPart(item, '.edited-tag', m.editedAt);
  const saved = 'seq' in m;
  if (keepPart(item, '.msg-actions', saved && !m.deleted)) {
    keepPart(item, '[data-act="edit"]', mine && m.chat);
    keepPart(item, '[data-act="delete"]', mine);
    keepPart(item, '[data-act="report"]', !mine && !m.to);
  }
  showReactions(item, m.reactions, me);
}
