// The message list: renders messages once each (by seq, in order), keeps the view pinned to the
// bottom only when the reader is there, loads older pages on scroll up, and draws attention
// (unread count in the title, a "new messages" line, a jump button).
(function () {
  'use strict';
  const { t, el, chip, formatTimes, gifs } = window.gifchat;
  const GROUP_MS = 5 * 60 * 1000;
  const NEAR_BOTTOM = 48;
  const SYSTEM_KINDS = ['joined', 'left', 'removed'];
  // Messages stored before system messages carried `kind` and `name` say it in English.
  const SYSTEM = [
    [/^(.+) joined$/s, 'joined'],
    [/^(.+) left$/s, 'left'],
    [/^(.+) was removed$/s, 'removed'],
  ];

  /** A system message in the page's language. */
  function systemText(m) {
    if (SYSTEM_KINDS.includes(m.kind) && typeof m.name === 'string')
      return t(m.kind, { name: m.name });
    const text = m.chat || '';
    for (const [pattern, key] of SYSTEM) {
      const match = pattern.exec(text);
      if (match) return t(key, { name: match[1] });
    }
    return text;
  }

  /**
   * @param {{ scroller: HTMLElement, list: HTMLElement, room: string, me: () => string,
   *           nameOf: (pid: string) => string | undefined }} options
   */
  function createMessageView({ scroller, list, room, me, nameOf }) {
    const byseq = new Map();
    const jump = document.getElementById('jump');
    const jumpLabel = document.getElementById('jump-label');
    const older = document.getElementById('older');
    const start = document.getElementById('history-start');
    const baseTitle = document.title;
    const plural = new Intl.PluralRules(window.gifchat.lang);
    let unread = 0;
    let fresh = 0;
    let unseenRun = false;
    let divider = null;
    let stick = true;
    let loading = false;

    const distance = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
    const atBottom = () => distance() < NEAR_BOTTOM;
    const hidden = () => document.visibilityState === 'hidden';
    const seqOf = (node) => Number(node.dataset.seq);
    const seqs = () => [...byseq.keys()];

    function whisperLabel(node) {
      const tag = node.querySelector('.whisper-tag');
      if (!tag) return;
      const to = node.dataset.to;
      if (node.dataset.pid !== me()) tag.textContent = t('whisperToYou');
      else tag.textContent = nameOf(to) ? t('whisperTo', { name: nameOf(to) }) : t('whisper');
    }

    function render(m) {
      const item = el('li', 'msg');
      item.dataset.seq = String(m.seq);
      const time = el('time');
      time.setAttribute('datetime', m.createdAt);
      if (m.user === 'system') {
        item.classList.add('system');
        item.append(el('span', 'system-text', systemText(m)), time);
        formatTimes(item);
        return item;
      }
      const mine = Boolean(m.pid) && m.pid === me();
      item.classList.toggle('mine', mine);
      item.dataset.pid = m.pid || '';
      item.dataset.user = m.user;
      item.dataset.time = m.createdAt;
      const head = el('div', 'msg-head');
      head.append(chip(m.user, m.nick || m.user));
      if (mine) head.append(el('span', 'you-tag', t('you')));
      if (m.to) {
        item.classList.add('whisper');
        item.dataset.to = m.to;
        head.append(el('span', 'whisper-tag'));
      }
      head.append(time);
      item.append(head);
      if (m.chat) item.append(el('p', 'msg-text', m.chat));
      if (m.gif) {
        const box = el('div', 'gif-box');
        box.dataset.src = m.gif;
        box.dataset.name = m.nick || m.user;
        item.append(box);
      }
      whisperLabel(item);
      formatTimes(item);
      return item;
    }

    /** Consecutive messages of one person within a few minutes share one header. */
    function regroup(node) {
      if (!node || !node.dataset.seq || node.classList.contains('system')) return;
      const prev = node.previousElementSibling;
      const same =
        prev?.dataset.seq &&
        !prev.classList.contains('system') &&
        prev.dataset.pid === node.dataset.pid &&
        prev.dataset.to === node.dataset.to &&
        Date.parse(node.dataset.time) - Date.parse(prev.dataset.time) < GROUP_MS;
      node.classList.toggle('cont', Boolean(same));
    }

    function place(item, seq) {
      const after = seqs().filter((s) => s > seq);
      const next = after.length ? byseq.get(Math.min(...after)) : null;
      // A divider right before the next message stays with it.
      const anchor = next && next.previousElementSibling === divider && divider ? divider : next;
      list.insertBefore(item, anchor ?? null);
      byseq.set(seq, item);
      item.querySelectorAll('.gif-box').forEach(gifs.hydrate);
      regroup(item);
      regroup(item.nextElementSibling);
    }

    function setTitle() {
      document.title = unread > 0 ? `(${unread}) ${baseTitle}` : baseTitle;
    }

    function updateJump() {
      const far = distance() > scroller.clientHeight;
      jump.hidden = atBottom() || (fresh === 0 && !far);
      jumpLabel.textContent =
        fresh > 0
          ? t(plural.select(fresh) === 'one' ? 'jumpOne' : 'jumpOther', { n: fresh })
          : t('jumpLatest');
    }

    function scrollToBottom(smooth = false) {
      const behavior =
        smooth && !window.matchMedia('(prefers-reduced-motion: reduce)').matches
          ? 'smooth'
          : 'auto';
      scroller.scrollTo({ top: scroller.scrollHeight, behavior });
      fresh = 0;
      stick = true;
      updateJump();
    }

    function markDivider(before) {
      divider?.remove();
      divider = el('li', 'divider');
      divider.setAttribute('role', 'separator');
      divider.append(el('span', null, t('newMessages')));
      list.insertBefore(divider, before);
      regroup(before);
    }

    /** Adds one message (live or missed) unless its seq is already shown. */
    function add(m) {
      if (!m || typeof m.seq !== 'number' || byseq.has(m.seq)) return false;
      const wasAtBottom = stick && atBottom();
      const item = render(m);
      place(item, m.seq);
      const mine = m.pid === me() && m.user !== 'system';
      const system = m.user === 'system';
      if (!mine && !system && (hidden() || !wasAtBottom)) {
        if (!unseenRun) markDivider(item);
        unseenRun = true;
      }
      if (hidden() && !mine && !system) {
        unread += 1;
        setTitle();
      }
      if (mine || wasAtBottom) scrollToBottom();
      else if (!system) fresh += 1;
      updateJump();
      return true;
    }

    async function loadOlder() {
      if (loading || older.hidden) return;
      const first = Math.min(...seqs());
      if (!Number.isFinite(first)) return;
      loading = true;
      older.disabled = true;
      older.textContent = t('loading');
      let page = null;
      try {
        const res = await fetch(`/room/${encodeURIComponent(room)}/chats?before=${first}`, {
          headers: { accept: 'application/json' },
          credentials: 'same-origin',
        });
        if (res.ok) page = await res.json();
      } catch {
        page = null;
      }
      older.disabled = false;
      loading = false;
      if (!page) {
        older.textContent = t('loadFailed');
        return;
      }
      // Keep the first message shown where it is on screen while older ones go in above it.
      const anchor = byseq.get(first);
      const anchorTop = anchor.getBoundingClientRect().top;
      // Older history is not news: keep the screen reader's log quiet while it goes in.
      list.setAttribute('aria-live', 'off');
      for (const m of page.messages) if (!byseq.has(m.seq)) place(render(m), m.seq);
      older.textContent = older.dataset.label;
      older.hidden = !page.more;
      start.hidden = page.more;
      scroller.scrollTop += anchor.getBoundingClientRect().top - anchorTop;
      requestAnimationFrame(() => list.setAttribute('aria-live', 'polite'));
    }

    // Server-rendered history.
    for (const item of list.querySelectorAll('li[data-seq]')) {
      byseq.set(seqOf(item), item);
      if (item.classList.contains('system')) {
        const text = item.querySelector('.system-text');
        text.textContent = systemText({ chat: text.textContent });
      }
      regroup(item);
    }
    older.dataset.label = older.textContent.trim();

    scroller.addEventListener(
      'scroll',
      () => {
        stick = atBottom();
        if (stick) {
          fresh = 0;
          if (!hidden()) unseenRun = false;
        }
        updateJump();
      },
      { passive: true },
    );
    jump.addEventListener('click', () => {
      scrollToBottom(true);
      document.getElementById('text')?.focus({ preventScroll: true });
    });
    older.addEventListener('click', loadOlder);
    new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadOlder(), {
      root: scroller,
      rootMargin: '200px 0px 0px 0px',
    }).observe(older);
    // Keep the latest message in sight when the viewport changes (phone keyboard, rotation).
    new ResizeObserver(() => stick && scroller.scrollTo({ top: scroller.scrollHeight })).observe(
      scroller,
    );
    document.addEventListener('visibilitychange', () => {
      if (hidden()) {
        // Everything from here on is new to the reader: the next message gets the line.
        unseenRun = false;
      } else {
        unread = 0;
        setTitle();
      }
    });

    return {
      add,
      scrollToBottom,
      loadOlder,
      get lastSeq() {
        return byseq.size ? Math.max(...seqs()) : 0;
      },
      refreshWhispers: () => list.querySelectorAll('li.whisper').forEach(whisperLabel),
      refreshMine: () => {
        for (const item of list.querySelectorAll('li[data-pid]')) {
          const mine = item.dataset.pid === me();
          item.classList.toggle('mine', mine);
        }
      },
    };
  }

  window.gifchat.createMessageView = createMessageView;
})();
