// @ts-check
// The lobby: keeps the room list live from the /room namespace (newRoom, roomUpdate, removeRoom).
// Cards are copies of <template id="room-template"> (views/partials/room-card.njk).
import { io } from '/socket.io/socket.io.esm.min.js';
import { byId, cloneFrom, fillChip, find } from './lib/dom.js';
import { formatTimes } from './lib/time.js';

/** @typedef {import('./types').RoomView} RoomView */

const list = byId('rooms', HTMLUListElement);
const empty = byId('empty');
const template = byId('room-template', HTMLTemplateElement);

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
  const label = find(item, '.people-label');
  // The server's string for this language, with its placeholders: filled here as it would be there.
  label.textContent = (label.dataset.template ?? '')
    .replace('{size}', String(size))
    .replace('{max}', String(max));
  item.classList.toggle('is-full', size >= max);
}

/**
 * @param {Element} item
 * @param {Pick<RoomView, 'owner' | 'ownerNick'>} room
 */
const setOwner = (item, room) =>
  fillChip(find(item, '.owner .chip'), room.owner, room.ownerNick || room.owner);

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
  find(item, 'time').setAttribute('datetime', room.createdAt);
  formatTimes(item);
  return item;
}

/** @type {import('./types').LobbySocket} */
const socket = io('/room');
socket.on('newRoom', (room) => {
  if (card(room._id)) return;
  const item = render(room);
  item.classList.add('is-new');
  list.prepend(item);
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
});
// Rooms created or removed while the connection was down: the page itself is the fresh list.
let connectedOnce = false;
socket.on('connect', () => {
  if (connectedOnce) window.location.reload();
  connectedOnce = true;
  document.body.classList.add('is-live');
});
socket.on('disconnect', () => document.body.classList.remove('is-live'));

setInterval(() => formatTimes(list), 30_000);
refreshEmpty();
