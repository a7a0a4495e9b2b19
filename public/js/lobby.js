// @ts-check
// The lobby: keeps the room list live from the /room namespace (newRoom, roomUpdate, removeRoom).
// Cards are copies of <template id="room-template"> (views/partials/room-card.njk).
import { io } from '/socket.io/socket.io.esm.min.js';
import { byId, cloneFrom, fillChip, find } from './lib/dom.js';
import { t } from './lib/i18n.js';
import { formatTimes } from './lib/time.js';

/** @typedef {import('./types').RoomView} RoomView */

const list = byId('rooms', HTMLUListElement);
const empty = byId('empty');
const template = byId('room-template', HTMLTemplateElement);
/** The page's search, as the server applied it: live updates follow it too. */
const view = {
  q: searchable(list.dataset.q ?? ''),
  byPeople: list.dataset.sort === 'people',
  hideFull: list.dataset.hideFull === 'true',
  firstPage: list.dataset.page === '1',
};
const PAGE = 24;

/** How titles are compared with a search (as the server does): compatibility forms, no case. */
function searchable(/** @type {string} */ text) {
  return text.normalize('NFKC').toLowerCase();
}

/** @param {string} id */
const card = (id) => list.querySelector(`[data-id="${CSS.escape(id)}"]`);
const refreshEmpty = () => {
  empty.hidden = list.children.length > 0;
};

/**
 * @param {Element} item
 * @param {number} size
 * @param {number} max
 */
function setPeople(item, size, max) {
  find(item, '.count').textContent = String(size);
  find(item, '.max').textContent = String(max);
  const meter = find(item, '.fill', HTMLMeterElement);
  meter.max = max;
  meter.value = size;
  // The server's string for this language, with its placeholders: filled here as it would be there.
  find(item, '.people-label').textContent = (list.dataset.people ?? '')
    .replace('{size}', String(size))
    .replace('{max}', String(max));
  item.classList.toggle('is-full', size >= max);
  if (view.hideFull && size >= max) item.remove();
}

/** Most people first, when that is the page's order (newest first among equals stays). */
function reorder() {
  if (!view.byPeople) return;
  const cards = [...list.children];
  const count = (/** @type {Element} */ c) => Number(c.querySelector('.count')?.textContent ?? 0);
  cards.sort((a, b) => count(b) - count(a)).forEach((c) => list.append(c));
}

/**
 * @param {Element} item
 * @param {Pick<RoomView, 'owner' | 'ownerNick'>} room
 */
const setOwner = (item, room) =>
  fillChip(find(item, '.owner .chip'), room.owner, room.ownerNick || room.owner);

/**
 * A card carries its "locked" badge only while the room is locked (a page of cards stays under
 * 1 KB each); a room locked later borrows the template's.
 * @param {Element} item
 * @param {boolean} locked
 */
function setLocked(item, locked) {
  item.classList.toggle('is-locked', locked);
  if (locked && !item.querySelector('.badge-locked'))
    find(item, '.badge-full').after(cloneFrom(template, '.badge-locked'));
}

/** @param {RoomView} room */
function render(room) {
  const item = cloneFrom(template, 'li', HTMLLIElement);
  item.dataset.id = room._id;
  const link = find(item, '.room-link', HTMLAnchorElement);
  link.href = `/room/${encodeURIComponent(room._id)}`;
  link.textContent = room.title;
  find(item, '.badge-secret').hidden = !room.secret;
  find(item, '.badge-public').hidden = room.secret;
  setPeople(item, room.size, room.max);
  setOwner(item, room);
  setLocked(item, Boolean(room.locked));
  find(item, 'time').setAttribute('datetime', room.createdAt);
  formatTimes(item);
  return item;
}

/** @type {import('./types').LobbySocket} */
const socket = io('/room');
socket.on('newRoom', (room) => {
  // A new room belongs on the first page, if the search would show it.
  if (card(room._id) || !view.firstPage || !searchable(room.title).includes(view.q)) return;
  if (view.hideFull && room.size >= room.max) return;
  const item = render(room);
  item.classList.add('is-new');
  if (view.byPeople) list.append(item);
  else list.prepend(item);
  reorder();
  // The page stays one page long: the last card moves on to the next one.
  while (list.children.length > PAGE) list.lastElementChild?.remove();
  refreshEmpty();
});
socket.on('removeRoom', (id) => {
  card(String(id))?.remove();
  refreshEmpty();
});
socket.on('roomUpdate', (room) => {
  const item = card(room._id);
  if (!item) return;
  setPeople(item, room.size, room.max);
  if (room.owner) setOwner(item, room);
  if (room.locked !== undefined) setLocked(item, room.locked);
  reorder();
  refreshEmpty();
});
// Rooms created or removed while the connection was down: the page itself is the fresh list.
let connectedOnce = false;
socket.on('connect', () => {
  if (connectedOnce) window.location.reload();
  connectedOnce = true;
  document.body.classList.add('is-live');
});
socket.on('disconnect', () => document.body.classList.remove('is-live'));
// A server going away on purpose (a restart, a deploy) says so first: the lobby says it too, until
// the connection is back and the page reloads itself as after any drop.
socket.on('restarting', () => {
  byId('lobby-status').textContent = t('restarting');
});

formatTimes(list);
setInterval(() => formatTimes(list), 30_000);
refreshEmpty();
