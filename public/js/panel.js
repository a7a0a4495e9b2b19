// The side panel: the people drawer on phones, the nickname form, the GIF playback setting and
// the owner's "delete room" button.
(function () {
  'use strict';
  const g = window.gifchat;
  const { t, tm, send } = g;
  const $ = (id) => document.getElementById(id);

  /**
   * @param {{ room: string, self: { nick?: string }, ack: (event: string, payload: unknown) => Promise<object>,
   *           showError: (message: string) => void, onDeleted: () => void }} options
   */
  function createPanel({ room, self, ack, showError, onDeleted }) {
    const sidebar = $('sidebar');
    /* ---------- settings: nickname, playback ---------- */
    const nickInput = $('nick');
    const nickStatus = $('nick-status');
    $('nick-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const nick = nickInput.value.trim();
      nickStatus.classList.remove('is-error');
      if (nick.length < 1 || nick.length > 24) {
        nickStatus.classList.add('is-error');
        nickStatus.textContent = t('nickEmpty');
        nickInput.setAttribute('aria-invalid', 'true');
        return;
      }
      const res = await ack('nick', nick);
      if (res?.ok) {
        self.nick = res.data?.nick || nick;
        nickInput.value = self.nick;
        nickInput.removeAttribute('aria-invalid');
        const saved = t('nickSaved', { nick: self.nick });
        nickStatus.textContent = saved;
        setTimeout(() => {
          if (nickStatus.textContent === saved) nickStatus.textContent = '';
        }, 6000);
      } else {
        nickStatus.classList.add('is-error');
        nickInput.setAttribute('aria-invalid', 'true');
        nickStatus.textContent = tm(res?.error?.message || t('noAnswer'));
      }
    });

    const radios = [...document.querySelectorAll('input[name="playback"]')];
    const showMode = (mode) => radios.forEach((radio) => (radio.checked = radio.value === mode));
    showMode(g.gifs.mode);
    g.gifs.onModeChange(showMode);
    radios.forEach((radio) =>
      radio.addEventListener('change', () => radio.checked && g.gifs.setMode(radio.value)),
    );
    if (g.gifs.reducedMotion)
      $('playback-hint').textContent = `${t('reducedMotion')} ${$('playback-hint').textContent}`;

    /* ---------- people drawer (phones) ---------- */
    const toggle = $('people-toggle');
    function openSidebar() {
      sidebar.classList.add('is-open');
      toggle.setAttribute('aria-expanded', 'true');
      $('sidebar-close').focus();
    }
    function closeSidebar(focusToggle = true) {
      if (!sidebar.classList.contains('is-open')) return;
      sidebar.classList.remove('is-open');
      toggle.setAttribute('aria-expanded', 'false');
      if (focusToggle) toggle.focus();
    }
    toggle.addEventListener('click', () =>
      sidebar.classList.contains('is-open') ? closeSidebar() : openSidebar(),
    );
    $('sidebar-close').addEventListener('click', () => closeSidebar());
    sidebar.addEventListener('keydown', (event) => event.key === 'Escape' && closeSidebar());
    $('main').addEventListener('pointerdown', () => closeSidebar(false));

    /* ---------- owner: delete the room ---------- */
    $('delete-room').addEventListener('click', async () => {
      if (!(await g.confirmDialog(t('deleteConfirm'), $('delete-room').textContent.trim()))) return;
      const res = await send(`/room/${encodeURIComponent(room)}`, { method: 'DELETE' });
      if (res.ok) {
        onDeleted();
        window.location.href = '/';
      } else {
        showError(tm(res.body?.error?.message || t('noAnswer')));
      }
    });

    return { closeSidebar };
  }

  window.gifchat.createPanel = createPanel;
})();
