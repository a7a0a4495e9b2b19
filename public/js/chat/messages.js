// @ts-check
// The message list: each message once (by seq) and in seq order; one's own drafts at the end until
// the saved message with their cid takes their place; a person's consecutive messages grouped
// under one header.
import { t } from '../lib/i18n.js';
import { hydrate } from './gifs.js';
import { renderMessage } from './render.js';

/** @typedef {import('../types').ChatMessage} ChatMessage */
/** @typedef {import('../types').Draft} Draft */

const GROUP_MS = 5 * 60 * 1000;

/** @param {Element | null} node @returns {node is HTMLElement} */
const isBubble = (node) =>
  node instanceof HTMLElement &&
  node.classList.contains('msg') &&
  !node.classList.contains('system');

/**
 * Consecutive messages of one person (and one whisper partner) within a few minutes share a header.
 * @param {Element | null} node
 */
export function regroup(node) {
  if (!isBubble(node)) return;
  const prev = node.previousElementSibling;
  const same =
    isBubble(prev) &&
    prev.dataset.pid === node.dataset.pid &&
    prev.dataset.to === node.dataset.to &&
    Date.parse(node.dataset.time ?? '') - Date.parse(prev.dataset.time ?? '') < GROUP_MS;
  node.classList.toggle('cont', same);
}

/**
 * @param {{ list: HTMLElement, me: () => string, nameOf: (pid: string) => string | undefined }} options
 */
export function createMessageList({ list, me, nameOf }) {
  /** @type {Map<number, HTMLElement>} */
  const bySeq = new Map();
  /** @type {Map<string, HTMLElement>} one's own drafts, by client id, oldest first */
  const drafts = new Map();

  /** "Whisper to you", or to whom one whispered once their name is known. @param {Element} item */
  function labelWhisper(item) {
    const tag = item.querySelector('.whisper-tag');
    if (!tag || !(item instanceof HTMLElement)) return;
    const name = nameOf(item.dataset.to ?? '');
    if (item.dataset.pid !== me()) tag.textContent = t('whisperToYou');
    else tag.textContent = name ? t('whisperTo', { name }) : t('whisper');
  }

  /** @param {HTMLElement} item @param {number} seq */
  function place(item, seq) {
    const later = [...bySeq.keys()].filter((s) => s > seq);
    const next = later.length ? bySeq.get(Math.min(...later)) : drafts.values().next().value;
    // A "new messages" line right before the next message stays with it.
    const before = next?.previousElementSibling;
    list.insertBefore(item, before?.classList.contains('divider') ? before : (next ?? null));
    bySeq.set(seq, item);
    item.querySelectorAll('.gif-box').forEach(hydrate);
    regroup(item);
    regroup(item.nextElementSibling);
  }

  /** The saved message replaces the draft with its cid. @param {string | undefined} cid */
  function dropDraft(cid) {
    const draft = cid === undefined ? undefined : drafts.get(cid);
    if (!cid || !draft) return;
    drafts.delete(cid);
    const after = draft.nextElementSibling;
    draft.remove();
    regroup(after);
  }

  // History the server rendered into the page.
  for (const item of list.querySelectorAll('li[data-seq]')) {
    if (!(item instanceof HTMLElement)) continue;
    bySeq.set(Number(item.dataset.seq), item);
    item.querySelectorAll('.gif-box').forEach(hydrate);
    regroup(item);
  }

  return {
    /**
     * Shows a saved message unless it already is; returns its element, or null for a repeat.
     * With `from`, a message older than that is not shown (its draft goes): see timeline.show.
     * @param {ChatMessage} m
     * @param {number} [from]
     */
    add(m, from) {
      if (typeof m?.seq !== 'number' || bySeq.has(m.seq) || (from !== undefined && m.seq < from)) {
        dropDraft(m?.cid);
        return null;
      }
      const item = renderMessage(m, me());
      labelWhisper(item);
      place(item, m.seq);
      dropDraft(m.cid);
      return item;
    },
    /** Shows one's own message at the end until it is saved. @param {Draft} draft */
    addDraft(draft) {
      const item = renderMessage(draft, me());
      list.append(item);
      drafts.set(draft.cid, item);
      regroup(item);
      return item;
    },
    /**
     * Takes away the messages up to `seq`: more was missed than a rejoin replays, and history
     * paging (from the oldest shown) brings back what lies between, in order.
     * @param {number} seq
     */
    forgetThrough(seq) {
      for (const [s, item] of bySeq) {
        if (s > seq) continue;
        bySeq.delete(s);
        item.remove();
      }
      regroup(list.firstElementChild);
    },
    /**
     * A saved message changed (edited, deleted): its element is drawn again in place.
     * @param {ChatMessage} m
     */
    replace(m) {
      const old = bySeq.get(m.seq);
      if (!old) return null;
      const item = renderMessage(m, me());
      labelWhisper(item);
      item.classList.toggle('cont', old.classList.contains('cont'));
      old.replaceWith(item);
      bySeq.set(m.seq, item);
      item.querySelectorAll('.gif-box').forEach(hydrate);
      return item;
    },
    /** @param {number} seq */
    item: (seq) => bySeq.get(seq),
    firstSeq: () => (bySeq.size ? Math.min(...bySeq.keys()) : undefined),
    lastSeq: () => (bySeq.size ? Math.max(...bySeq.keys()) : 0),
    /** Whisper labels once the names of the people in the room are known. */
    refreshWhispers: () => list.querySelectorAll('li.whisper').forEach(labelWhisper),
  };
}
