// @ts-check
// Who is here: the participant list (owner badge, "you", owner tools) and who is typing, fed by
// the /chat events `participants`, `owner` and `typing`. Rows are copies of
// <template id="person-template"> in views/chat.njk.
import { confirmDialog } from '../lib/dialog.js';
import { byId, cloneFrom, fillChip, find, keepPart } from '../lib/dom.js';
import { errorText, t } from '../lib/i18n.js';
import { ack } from '../lib/net.js';
import { limits } from '../lib/page-data.js';
import { showError } from './alert.js';

/** @typedef {import('../types').Participant} Participant */

// The server says "stopped" itself after its timeout; this is for a "stopped" that never came.
const TYPING_TTL_MS = limits.typingTimeoutMs + 1_000;

const nameOf = (/** @type {Participant} */ p) => p.nick || p.user;

/**
 * @param {{ socket: import('../types').ChatSocket, me: () => string, ownerAtLoad: boolean,
 *   onWhisper: (person: Participant) => void, onOwner: (isOwner: boolean) => void,
 *   isMuted: (pid: string) => boolean, onMute: (pid: string) => void,
 *   isIgnored: (pid: string) => boolean, onIgnore: (pid: string) => void }} options
 */
export function createPeople(options) {
  const { socket, me, ownerAtLoad, onWhisper, onOwner, isMuted, onMute } = options;
  const { isIgnored, onIgnore } = options;
  const list = byId('people');
  const template = byId('person-template', HTMLTemplateElement);
  const typingLine = byId('typing');
  /** @type {Map<string, { name: string, timer: ReturnType<typeof setTimeout> }>} */
  const typing = new Map();
  /** @type {Participant[]} */
  let people = [];
  let ownerPid = ownerAtLoad ? me() : null;

  const byPid = (/** @type {string | undefined} */ pid) => people.find((p) => p.pid === pid);
  const iAmOwner = () => ownerPid !== null && ownerPid === me();

  /** @param {Participant} p */
  function row(p) {
    const item = cloneFrom(template, 'li.person', HTMLLIElement);
    const name = nameOf(p);
    const self = p.pid === me();
    item.dataset.pid = p.pid;
    item.classList.toggle('is-typing', typing.has(p.pid));
    fillChip(find(item, '.chip'), p.user, name);
    keepPart(item, '.you-tag', self);
    keepPart(item, '.owner-badge', p.owner);
    keepPart(item, '.muted-tag:not(.ignored-tag)', isMuted(p.pid));
    keepPart(item, '.ignored-tag', isIgnored(p.pid));
    if (!keepPart(item, '.person-actions', !self)) return item;
    const mute = keepPart(item, '[data-action="mute"]', iAmOwner());
    mute?.setAttribute('aria-label', t(isMuted(p.pid) ? 'unmuteLabel' : 'muteLabel', { name }));
    mute?.setAttribute('aria-pressed', String(isMuted(p.pid)));
    find(item, '[data-action="whisper"]').setAttribute('aria-label', t('whisperTo', { name }));
    const ignore = find(item, '[data-action="ignore"]');
    ignore.setAttribute(
      'aria-label',
      t(isIgnored(p.pid) ? 'unignoreLabel' : 'ignoreLabel', { name }),
    );
    ignore.setAttribute('aria-pressed', String(isIgnored(p.pid)));
    const handover = keepPart(item, '[data-action="handover"]', iAmOwner());
    handover?.setAttribute('aria-label', t('handoverLabel', { name }));
    const kick = keepPart(item, '[data-action="kick"]', iAmOwner());
    kick?.setAttribute('aria-label', t('kickLabel', { name }));
    return item;
  }

  function render() {
    list.replaceChildren(...people.map(row));
    byId('people-count').textContent = t('peopleCount', { n: people.length });
    byId('people-n').textContent = String(people.length);
  }

  function renderTyping() {
    const names = [...typing.values()].map((entry) => entry.name);
    const [a, b] = names;
    typingLine.textContent =
      a === undefined
        ? ''
        : b === undefined
          ? t('typingOne', { a })
          : names.length === 2
            ? t('typingTwo', { a, b })
            : t('typingMany');
    for (const item of list.querySelectorAll('li.person'))
      if (item instanceof HTMLElement)
        item.classList.toggle('is-typing', typing.has(item.dataset.pid ?? ''));
  }

  /** @param {string} pid */
  function setOwner(pid) {
    const was = iAmOwner();
    ownerPid = pid;
    people = people.map((p) => ({ ...p, owner: p.pid === pid }));
    render();
    if (was !== iAmOwner()) onOwner(iAmOwner());
  }

  /** @param {string} pid */
  function stoppedTyping(pid) {
    clearTimeout(typing.get(pid)?.timer);
    if (typing.delete(pid)) renderTyping();
  }

  list.addEventListener('click', async (event) => {
    const button = event.target instanceof Element && event.target.closest('button[data-action]');
    const person = button && byPid(button.closest('li.person')?.getAttribute('data-pid') ?? '');
    if (!button || !person) return;
    const kind = button.getAttribute('data-action');
    if (kind === 'whisper') return onWhisper(person);
    if (kind === 'mute') return onMute(person.pid);
    if (kind === 'ignore') return onIgnore(person.pid);
    if (kind !== 'kick' && kind !== 'handover') return;
    const question = t(kind === 'kick' ? 'kickConfirm' : 'handoverConfirm', {
      name: nameOf(person),
    });
    if (!(await confirmDialog(question, t(kind)))) return;
    const reply = await ack(socket, kind, { pid: person.pid });
    if (!reply.ok) showError(errorText(reply.error));
  });

  socket.on('participants', (next) => {
    if (!Array.isArray(next)) return;
    people = next;
    const owner = next.find((p) => p.owner);
    if (owner) setOwner(owner.pid);
    else render();
    for (const pid of typing.keys()) if (!byPid(pid)) stoppedTyping(pid);
  });
  socket.on('owner', (info) => info?.pid && setOwner(info.pid));
  socket.on('typing', (who) => {
    if (!who?.pid || who.pid === me()) return;
    if (!who.typing) return stoppedTyping(who.pid);
    clearTimeout(typing.get(who.pid)?.timer);
    const timer = setTimeout(() => stoppedTyping(who.pid), TYPING_TTL_MS);
    typing.set(who.pid, { name: who.nick || who.user, timer });
    renderTyping();
  });

  return {
    /** The people in the room, from the join acknowledgement. @param {import('../types').JoinData} data */
    load(data) {
      people = Array.isArray(data.participants) ? data.participants : people;
      const owner = data.owner ? data.pid : people.find((p) => p.owner)?.pid;
      if (owner) setOwner(owner);
      else render();
    },
    /** Draws the list again (who is muted changed). */
    refresh: render,
    /** Someone who just sent a message has stopped typing. */
    stoppedTyping,
    /** @param {string} pid */
    nameOf: (pid) => {
      const p = byPid(pid);
      return p && nameOf(p);
    },
  };
}
