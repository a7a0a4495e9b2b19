// GIF players: a fixed box showing a still first frame (drawn on a canvas) or the animated image.
// The animated <img> is only in the document while it should play, so paused GIFs cost no CPU:
// a GIF plays when the person's setting wants it AND it is on screen AND the tab is visible.
(function () {
  'use strict';
  const { t, el, svg } = window.gifchat;
  const KEY = 'gifchat.playback';
  const MODES = ['always', 'hover', 'click'];
  const reduced = window.matchMedia('(prefers-reduced-motion: reduce)');
  const listeners = new Set();
  const players = new Map();
  let viewObserver = null;
  let nearObserver = null;

  function stored() {
    try {
      const value = localStorage.getItem(KEY);
      return MODES.includes(value) ? value : null;
    } catch {
      return null;
    }
  }
  const defaultMode = () => (reduced.matches ? 'click' : 'always');
  let mode = stored() ?? defaultMode();

  const PLAY = 'M8 5.1v13.8a1 1 0 0 0 1.5.9l10.9-6.9a1 1 0 0 0 0-1.8L9.5 4.2A1 1 0 0 0 8 5.1z';
  const PAUSE = 'M7 5h3.5v14H7zm6.5 0H17v14h-3.5z';

  function wants(p) {
    if (mode === 'always') return !p.userPaused;
    if (mode === 'hover') return ((p.hovered || p.focused) && !p.userPaused) || p.userPlay;
    return p.userPlay;
  }

  function update(p) {
    const play = p.loaded && wants(p) && p.inView && !document.hidden;
    if (play && !p.img.isConnected) p.button.insertBefore(p.img, p.badge);
    if (!play && p.img?.isConnected) p.img.remove();
    const state = p.error ? 'error' : !p.loaded ? 'loading' : play ? 'playing' : 'paused';
    if (p.box.dataset.state !== state) p.box.dataset.state = state;
    p.button.setAttribute(
      'aria-label',
      p.error ? t('gifBroken') : t(play ? 'pauseGif' : 'playGif', { name: p.name }),
    );
    p.badgeIcon.replaceWith((p.badgeIcon = svg(play ? PAUSE : PLAY)));
  }

  const updateAll = () => players.forEach(update);

  function load(p) {
    if (p.img) return;
    const img = new Image();
    img.className = 'gif-anim';
    img.alt = t('gifFrom', { name: p.name });
    img.decoding = 'async';
    p.img = img;
    img.addEventListener('load', () => {
      // Drawn before the image is ever displayed, so this is the first frame.
      p.canvas.width = img.naturalWidth || 240;
      p.canvas.height = img.naturalHeight || 180;
      p.canvas.getContext('2d')?.drawImage(img, 0, 0);
      p.loaded = true;
      update(p);
    });
    img.addEventListener('error', () => {
      p.error = true;
      update(p);
    });
    img.src = p.src;
  }

  function observers(root) {
    if (viewObserver) return;
    viewObserver = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const p = players.get(entry.target);
          if (!p) continue;
          p.inView = entry.isIntersecting;
          update(p);
        }
      },
      { root, threshold: 0 },
    );
    nearObserver = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          const p = players.get(entry.target);
          if (p) load(p);
          nearObserver.unobserve(entry.target);
        }
      },
      { root, rootMargin: '800px 0px' },
    );
  }

  /** Turns a server- or script-rendered <div class="gif-box" data-src data-name> into a player. */
  function hydrate(box) {
    if (players.has(box) || !box.dataset.src?.startsWith('/gif/')) return;
    const p = {
      box,
      src: box.dataset.src,
      name: box.dataset.name || '',
      button: el('button', 'gif-toggle'),
      canvas: el('canvas', 'gif-still'),
      badge: el('span', 'gif-badge'),
      badgeIcon: svg(PLAY),
      img: null,
      loaded: false,
      error: false,
      inView: false,
      hovered: false,
      focused: false,
      userPlay: false,
      userPaused: false,
    };
    p.button.type = 'button';
    p.canvas.width = 240;
    p.canvas.height = 180;
    p.canvas.setAttribute('aria-hidden', 'true');
    p.badge.setAttribute('aria-hidden', 'true');
    p.badge.append(p.badgeIcon, el('span', null, 'GIF'));
    p.button.append(p.canvas, p.badge);
    box.replaceChildren(p.button);
    players.set(box, p);

    p.button.addEventListener('click', () => {
      const playing = box.dataset.state === 'playing';
      p.userPlay = !playing;
      p.userPaused = playing;
      update(p);
    });
    p.button.addEventListener('mouseenter', () => {
      p.hovered = true;
      update(p);
    });
    p.button.addEventListener('mouseleave', () => {
      p.hovered = false;
      if (mode === 'hover') p.userPaused = false;
      update(p);
    });
    p.button.addEventListener('focus', () => {
      p.focused = true;
      update(p);
    });
    p.button.addEventListener('blur', () => {
      p.focused = false;
      update(p);
    });
    update(p);
    viewObserver.observe(box);
    nearObserver.observe(box);
  }

  function setMode(next, remember = true) {
    if (!MODES.includes(next)) return;
    mode = next;
    if (remember) {
      try {
        localStorage.setItem(KEY, next);
      } catch {
        // Storage may be blocked: the choice then lasts for this page only.
      }
    }
    for (const p of players.values()) {
      p.userPlay = false;
      p.userPaused = false;
    }
    updateAll();
    listeners.forEach((fn) => fn(mode));
  }

  reduced.addEventListener('change', () => {
    if (!stored()) setMode(defaultMode(), false);
  });
  document.addEventListener('visibilitychange', updateAll);

  window.gifchat.gifs = {
    /** Starts watching GIFs scrolled inside `root` (the message scroller). */
    init(root) {
      observers(root);
      for (const box of root.querySelectorAll('.gif-box')) hydrate(box);
    },
    hydrate,
    setMode,
    get mode() {
      return mode;
    },
    get reducedMotion() {
      return reduced.matches;
    },
    onModeChange: (fn) => listeners.add(fn),
    /** Forgets players whose message left the page. */
    forget(box) {
      players.delete(box);
      viewObserver?.unobserve(box);
      nearObserver?.unobserve(box);
    },
  };
})();
