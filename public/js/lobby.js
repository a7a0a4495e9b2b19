// Lobby: keeps the room list live from the /room namespace (newRoom, roomUpdate, removeRoom).
(function () {
  'use strict';
  const { paintDots, formatTimes } = window.gifchat;
  const list = document.getElementById('rooms');
  const empty = document.getElementById('empty');
  const template = document.getElementById('room-template');

  const card = (id) => list.querySelector(`[data-id="${CSS.escape(id)}"]`);
  const refreshEmpty = () => {
    empty.hidden = list.children.length > 0;
  };

  function setPeople(item, size, max) {
    item.querySelector('.count').textContent = String(size);
    item.querySelector('.max').textContent = String(max);
    const meter = item.querySelector('.fill');
    meter.max = max;
    meter.value = size;
    const label = item.querySelector('.people-label');
    label.textContent = label.dataset.template
      .replace('{size}', String(size))
      .replace('{max}', String(max));
    item.classList.toggle('is-full', size >= max);
  }

  function setOwner(item, room) {
    const dot = item.querySelector('.owner .dot');
    dot.dataset.color = room.owner;
    item.querySelector('.owner .chip-name').textContent = room.ownerNick || room.owner;
    paintDots(item);
  }

  function render(room) {
    const item = template.content.firstElementChild.cloneNode(true);
    item.dataset.id = room._id;
    const link = item.querySelector('.room-link');
    link.href = `/room/${encodeURIComponent(room._id)}`;
    link.textContent = room.title;
    item.querySelector('.badge-secret').hidden = !room.secret;
    item.querySelector('.badge-public').hidden = Boolean(room.secret);
    setPeople(item, room.size, room.max);
    setOwner(item, room);
    item.querySelector('time').setAttribute('datetime', room.createdAt);
    formatTimes(item);
    return item;
  }

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
})();
