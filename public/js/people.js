// Who is here: the participant list (owner badge, "you"), owner tools (remove, hand over),
// and who is typing. Fed by the /chat events `participants`, `owner` and `typing`.
(function () {
  'use strict';
  const { t, el, chip, confirmDialog, svg } = window.gifchat;
  const TYPING_TTL = 6000;

  const ICONS = {
    crown: 'M3 7l4.5 4L12 4l4.5 7L21 7l-2 12H5L3 7z',
    whisper:
      'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2zm3 5v2h10V9H7zm0 3v2h7v-2H7z',
    kick: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM4 12a8 8 0 0 1 12.9-6.3L5.7 16.9A8 8 0 0 1 4 12zm8 8a8 8 0 0 1-4.9-1.7L18.3 7.1A8 8 0 0 1 12 20z',
    handover: 'M16 3l5 5-5 5v-3.5H9v-3h7V3zM8 11v3.5h7v3H8V21l-5-5 5-5z',
  };

  /**
   * @param {{ socket: object, me: () => string, onWhisper: (person) => void,
   *           notify: (message: string) => void, onOwner: (isOwner: boolean) => void }} options
   */
  function createPeople({ socket, me, onWhisper, notify, onOwner }) {
    const list = document.getElementById('people');
    const count = document.getElementById('people-count');
    const countPill = document.getElementById('people-n');
    const typingLine = document.getElementById('typing');
    const typing = new Map();
    let people = [];
    let ownerPid = null;

    const nameOf = (p) => p.nick || p.user;
    const find = (pid) => people.find((p) => p.pid === pid);
    const iAmOwner = () => ownerPid !== null && ownerPid === me();

    function action(kind, label, text) {
      const button = el('button', 'icon-button person-action');
      button.type = 'button';
      button.dataset.action = kind;
      button.setAttribute('aria-label', label);
      button.title = text;
      button.append(svg(ICONS[kind]));
      return button;
    }

    function render() {
      const items = people.map((p) => {
        const item = el('li', 'person');
        item.dataset.pid = p.pid;
        const who = el('div', 'person-who');
        who.append(chip(p.user, nameOf(p)));
        if (p.pid === me()) who.append(el('span', 'you-tag', t('you')));
        if (p.owner) {
          const badge = el('span', 'owner-badge');
          badge.append(svg(ICONS.crown), el('span', null, t('owner')));
          who.append(badge);
        }
        if (typing.has(p.pid)) item.classList.add('is-typing');
        item.append(who);
        if (p.pid !== me()) {
          const actions = el('div', 'person-actions');
          actions.append(action('whisper', t('whisperTo', { name: nameOf(p) }), t('whisper')));
          if (iAmOwner()) {
            actions.append(
              action('handover', t('handoverLabel', { name: nameOf(p) }), t('handover')),
            );
            actions.append(action('kick', t('kickLabel', { name: nameOf(p) }), t('kick')));
          }
          item.append(actions);
        }
        return item;
      });
      list.replaceChildren(...items);
      count.textContent = t('peopleCount', { n: people.length });
      countPill.textContent = String(people.length);
    }

    function renderTyping() {
      const names = [...typing.values()].map((entry) => entry.name);
      typingLine.textContent =
        names.length === 0
          ? ''
          : names.length === 1
            ? t('typingOne', { a: names[0] })
            : names.length === 2
              ? t('typingTwo', { a: names[0], b: names[1] })
              : t('typingMany');
      for (const item of list.children)
        item.classList.toggle('is-typing', typing.has(item.dataset.pid));
    }

    function setOwner(pid) {
      const was = iAmOwner();
      ownerPid = pid;
      people = people.map((p) => ({ ...p, owner: p.pid === pid }));
      render();
      if (was !== iAmOwner()) onOwner(iAmOwner());
    }

    function ask(event, payload) {
      return new Promise((resolve) => {
        socket.timeout(10_000).emit(event, payload, (err, res) => {
          resolve(err ? { ok: false, error: { message: t('noAnswer') } } : res);
        });
      });
    }

    list.addEventListener('click', async (event) => {
      const button = event.target.closest('button[data-action]');
      if (!button) return;
      const person = find(button.closest('.person')?.dataset.pid);
      if (!person) return;
      const kind = button.dataset.action;
      if (kind === 'whisper') return onWhisper(person);
      const question = t(kind === 'kick' ? 'kickConfirm' : 'handoverConfirm', {
        name: nameOf(person),
      });
      if (!(await confirmDialog(question, t(kind === 'kick' ? 'kick' : 'handover')))) return;
      const res = await ask(kind, { pid: person.pid });
      if (!res?.ok) notify(res?.error?.message || t('noAnswer'));
    });

    socket.on('participants', (next) => {
      if (!Array.isArray(next)) return;
      people = next;
      const owner = next.find((p) => p.owner);
      if (owner) setOwner(owner.pid);
      else render();
      for (const pid of typing.keys()) if (!find(pid)) typing.delete(pid);
      renderTyping();
    });
    socket.on('owner', (info) => {
      if (info?.pid) setOwner(info.pid);
    });
    socket.on('typing', (who) => {
      if (!who?.pid || who.pid === me()) return;
      clearTimeout(typing.get(who.pid)?.timer);
      if (who.typing) {
        const timer = setTimeout(() => {
          typing.delete(who.pid);
          renderTyping();
        }, TYPING_TTL);
        typing.set(who.pid, { name: who.nick || who.user, timer });
      } else {
        typing.delete(who.pid);
      }
      renderTyping();
    });

    return {
      /** Data from the join acknowledgement. */
      load(data) {
        people = Array.isArray(data.participants) ? data.participants : people;
        const owner = people.find((p) => p.owner);
        if (data.owner) setOwner(data.pid);
        else if (owner) setOwner(owner.pid);
        else render();
      },
      /** Someone who just sent a message has stopped typing. */
      stoppedTyping(pid) {
        if (!typing.has(pid)) return;
        clearTimeout(typing.get(pid).timer);
        typing.delete(pid);
        renderTyping();
      },
      nameOf: (pid) => {
        const p = find(pid);
        return p ? nameOf(p) : undefined;
      },
      get isOwner() {
        return iAmOwner();
      },
      initialOwner(isOwner) {
        if (isOwner) ownerPid = me();
      },
    };
  }

  window.gifchat.createPeople = createPeople;
})();
