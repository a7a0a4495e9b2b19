// Shared browser helpers (classic script: everything hangs off window.gifchat).
// User-written text only ever goes through textContent, never innerHTML.
(function () {
  'use strict';

  const meta = (name) =>
    document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';
  const csrfToken = () => meta('csrf-token');

  /** Strings for this page's language, put in a meta tag by the server (see src/i18n). */
  const i18n = (() => {
    try {
      return JSON.parse(meta('gifchat-i18n'));
    } catch {
      return { lang: 'en', strings: {}, server: {} };
    }
  })();
  const lang = i18n.lang || document.documentElement.lang || 'en';

  /** t('typingOne', { a: 'x' }): the translated string with its parameters filled in. */
  function t(key, params = {}) {
    const text = i18n.strings[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name) =>
      params[name] === undefined ? whole : String(params[name]),
    );
  }

  /** A safe-to-show server message (English), translated when it is a known one. */
  const tm = (message) =>
    i18n.server && Object.hasOwn(i18n.server, message)
      ? i18n.server[message]
      : String(message ?? '');

  /** fetch with the CSRF header; resolves to { ok, status, body } and never rejects. */
  async function send(url, { method = 'POST', json, body } = {}) {
    const headers = { 'x-csrf-token': csrfToken(), accept: 'application/json' };
    if (json !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await fetch(url, {
        method,
        headers,
        body: json !== undefined ? JSON.stringify(json) : body,
        credentials: 'same-origin',
      });
      const data = await res.json().catch(() => ({}));
      return { ok: res.ok, status: res.status, body: data };
    } catch {
      return { ok: false, status: 0, body: {} };
    }
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const COLOR = /^#[0-9a-f]{3,8}$/i;

  /** Colour dots get their colour through the CSSOM (CSP forbids style attributes). */
  function paintDots(root = document) {
    for (const dot of root.querySelectorAll('.dot[data-color]')) {
      if (COLOR.test(dot.dataset.color)) dot.style.backgroundColor = dot.dataset.color;
    }
  }

  /** A name on a neutral chip with a colour dot: names are never coloured text (contrast). */
  function chip(color, name) {
    const node = el('span', 'chip');
    const dot = el('span', 'dot');
    dot.dataset.color = color;
    if (COLOR.test(color)) dot.style.backgroundColor = color;
    node.append(dot, el('span', 'chip-name', name));
    return node;
  }

  const clock = new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit' });
  const full = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const relative = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });

  function ago(date, now = Date.now()) {
    const seconds = Math.round((date.getTime() - now) / 1000);
    if (Math.abs(seconds) < 45) return t('justNow');
    const minutes = Math.round(seconds / 60);
    if (Math.abs(minutes) < 60) return relative.format(minutes, 'minute');
    const hours = Math.round(minutes / 60);
    if (Math.abs(hours) < 24) return relative.format(hours, 'hour');
    return relative.format(Math.round(hours / 24), 'day');
  }

  /** Fills <time datetime> with the local clock time (or "5 minutes ago" for .ago). */
  function formatTimes(root = document) {
    for (const node of root.querySelectorAll('time[datetime]')) {
      const date = new Date(node.getAttribute('datetime'));
      if (Number.isNaN(date.getTime())) continue;
      node.textContent = node.classList.contains('ago') ? ago(date) : clock.format(date);
      node.title = full.format(date);
    }
  }

  function dismissible(root = document) {
    for (const button of root.querySelectorAll('.notice-close')) {
      button.addEventListener('click', () => {
        const notice = button.closest('.notice');
        notice?.remove();
        document.getElementById('main')?.focus();
      });
    }
  }

  /** Asks through the page's <dialog id="confirm-dialog">; resolves true when confirmed. */
  function confirmDialog(text, okLabel) {
    const dialog = document.getElementById('confirm-dialog');
    if (!dialog?.showModal) return Promise.resolve(window.confirm(text));
    document.getElementById('confirm-text').textContent = text;
    document.getElementById('confirm-ok').textContent = okLabel || t('confirm');
    dialog.returnValue = '';
    dialog.showModal();
    document.getElementById('confirm-cancel').focus();
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    });
  }

  const formatSize = (bytes) =>
    new Intl.NumberFormat(lang, {
      style: 'unit',
      unit: 'megabyte',
      maximumFractionDigits: 1,
    }).format(bytes / (1024 * 1024));

  /** A 24×24 decorative icon from one SVG path. */
  const svg = (d) => {
    const node = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    node.setAttribute('viewBox', '0 0 24 24');
    node.setAttribute('aria-hidden', 'true');
    node.setAttribute('class', 'icon');
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', d);
    node.append(path);
    return node;
  };

  window.gifchat = {
    csrfToken,
    send,
    el,
    t,
    tm,
    lang,
    chip,
    paintDots,
    formatTimes,
    ago,
    dismissible,
    confirmDialog,
    formatSize,
    svg,
  };

  paintDots();
  formatTimes();
  dismissible();
})();
