// A chat room: joins /chat, shows what arrives, wires the composer (text, whisper, typing) and
// handles the room's end (kicked, closed). GIF uploads: upload.js; side panel: panel.js.
(function () {
  'use strict';
  const g = window.gifchat;
  const { t, tm, send } = g;
  const $ = (id) => document.getElementById(id);

  const app = $('app');
  const room = app.dataset.room;
  const self = {
    pid: app.dataset.pid,
    user: app.dataset.user,
    nick: app.dataset.nick || undefined,
  };
  const scroller = $('scroller');
  const form = $('composer');
  const input = $('text');
  const TYPING_IDLE = 3000;
  const TYPING_REPEAT = 2500;

  const socket = io('/chat');
  g.gifs.init(scroller);

  /* ---------- errors shown by the composer ---------- */
  const errorBox = $('composer-error');
  function showError(message) {
    $('composer-error-text').textContent = message;
    errorBox.hidden = false;
  }
  const clearError = () => (errorBox.hidden = true);
  $('composer-error-close').addEventListener('click', () => {
    clearError();
    input.focus();
  });

  const people = g.createPeople({
    socket,
    me: () => self.pid,
    onWhisper: startWhisper,
    notify: (message) => showError(tm(message)),
    onOwner: (owner) => ($('owner-tools').hidden = !owner),
  });
  people.initialOwner(app.dataset.owner === 'true');
  const view = g.createMessageView({
    scroller,
    list: $('messages'),
    room,
    me: () => self.pid,
    nameOf: people.nameOf,
  });
  view.scrollToBottom();

  /* ---------- connection ---------- */
  const connection = $('connection');
  let closed = false;
  let joinedOnce = false;

  function end(titleKey, body) {
    if (closed) return;
    closed = true;
    socket.disconnect();
    form.querySelectorAll('textarea, button').forEach((node) => (node.disabled = true));
    $('gif-button').disabled = true;
    document.body.classList.add('is-closed');
    $('notice-title').textContent = t(titleKey);
    $('notice-body').textContent = body;
    const dialog = $('notice-dialog');
    if (dialog.showModal && !dialog.open) dialog.showModal();
  }

  socket.on('connect', () => {
    socket.emit('join', { room, after: view.lastSeq }, (res) => {
      if (!res?.ok) return end('refusedTitle', tm(res?.error?.message || ''));
      Object.assign(self, {
        pid: res.data.pid,
        user: res.data.user,
        nick: res.data.nick || self.nick,
      });
      people.load(res.data);
      view.refreshWhispers();
      document.body.classList.add('is-live');
      connection.textContent = joinedOnce ? t('online') : '';
      joinedOnce = true;
    });
  });
  socket.on('disconnect', (reason) => {
    document.body.classList.remove('is-live');
    if (closed) return;
    connection.textContent = t('offline');
    // Socket.IO does not reconnect by itself after a server-side disconnect; the room may still be
    // there (a restart, a deploy): try again, and the join says if it is not.
    if (reason === 'io server disconnect') setTimeout(() => closed || socket.connect(), 1000);
  });
  for (const event of ['chat', 'join', 'exit', 'whisper']) {
    socket.on(event, (message) => {
      if (message?.room && message.room !== room) return;
      view.add(message);
      if (message?.pid) people.stoppedTyping(message.pid);
    });
  }
  socket.on('kicked', (info) => {
    if (!info?.room || info.room === room) end('kickedTitle', tm(info?.reason || ''));
  });
  socket.on('removeRoom', (id) => {
    if (String(id) === room) end('closedTitle', t('closedBody'));
  });

  /* ---------- typing ---------- */
  let typingSentAt = 0;
  let typingIdle = null;
  function typing(active) {
    clearTimeout(typingIdle);
    if (!active) {
      if (typingSentAt) socket.emit('typing', false);
      typingSentAt = 0;
      return;
    }
    if (Date.now() - typingSentAt > TYPING_REPEAT) {
      socket.emit('typing', true);
      typingSentAt = Date.now();
    }
    typingIdle = setTimeout(() => typing(false), TYPING_IDLE);
  }

  /* ---------- composer ---------- */
  let whisperTo = null;
  function startWhisper(person) {
    whisperTo = person;
    const name = person.nick || person.user;
    $('whisper-label').textContent = t('whisperingTo', { name });
    $('whisper-cancel').setAttribute('aria-label', t('cancelWhisper'));
    $('whisper-chip').hidden = false;
    input.placeholder = t('whisperPlaceholder', { name });
    form.classList.add('is-whisper');
    panel.closeSidebar(false);
    input.focus();
  }
  function stopWhisper() {
    whisperTo = null;
    $('whisper-chip').hidden = true;
    input.placeholder = input.dataset.placeholder;
    form.classList.remove('is-whisper');
  }
  $('whisper-cancel').addEventListener('click', () => {
    stopWhisper();
    input.focus();
  });

  function autosize() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  }

  const ack = (event, payload) =>
    new Promise((resolve) =>
      socket
        .timeout(10_000)
        .emit(event, payload, (err, res) =>
          resolve(err ? { ok: false, error: { message: t('noAnswer') } } : res),
        ),
    );

  async function submit() {
    const text = input.value.trim();
    if (!text || closed) return;
    input.value = '';
    autosize();
    typing(false);
    clearError();
    let sent;
    if (whisperTo) {
      const target = whisperTo;
      const res = await ack('whisper', { to: target.pid, chat: text });
      sent = res?.ok && res.data?.delivered !== false;
      if (res?.ok && res.data?.message) view.add(res.data.message);
      if (!sent) {
        const gone =
          res?.ok || res?.error?.code === 'not_in_room' || res?.error?.code === 'no_such_person';
        showError(
          gone
            ? t('whisperFailed', { name: target.nick || target.user })
            : t('sendFailed', { reason: tm(res?.error?.message) }),
        );
      }
    } else {
      const res = await send(`/room/${encodeURIComponent(room)}/chat`, { json: { chat: text } });
      sent = res.ok;
      if (res.ok) view.add(res.body);
      else showError(t('sendFailed', { reason: tm(res.body?.error?.message || t('noAnswer')) }));
    }
    if (!sent && !input.value) {
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

  /* ---------- GIF uploads, side panel ---------- */
  g.upload.wire({
    room,
    dropZone: $('main'),
    onSent: (message) => view.add(message),
    showError,
    clearError,
    isClosed: () => closed,
  });
  const panel = g.createPanel({
    room,
    self,
    ack,
    showError,
    onDeleted: () => (closed = true),
  });

  window.addEventListener('pagehide', () => typing(false));
})();
