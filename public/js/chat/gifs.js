// @ts-check
// GIF players: a fixed box showing a still first frame (drawn on a canvas) or the animated image.
// The animated <img> is only in the document while it should play, so paused GIFs cost no CPU:
// a GIF plays when the person's setting wants it AND it is on screen AND the tab is visible.
import { el, svg } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { freshIntent, listenIntent, onModeChange, wants } from './playback.js';
import { hydrateVideo } from './player.js';
import { watchBoxes } from './viewport.js';

/**
 * @typedef {import('./playback.js').Intent & PlayerParts} Player
 * @typedef {object} PlayerParts
 * @property {HTMLElement} box
 * @property {string} src
 * @property {string} name
 * @property {HTMLButtonElement} button
 * @property {HTMLCanvasElement} canvas
 * @property {HTMLSpanElement} badge
 * @property {SVGSVGElement} badgeIcon
 * @property {HTMLImageElement | null} img
 * @property {boolean} loaded
 * @property {boolean} error
 * @property {boolean} inView
 */

const PLAY = 'M8 5.1v13.8a1 1 0 0 0 1.5.9l10.9-6.9a1 1 0 0 0 0-1.8L9.5 4.2A1 1 0 0 0 8 5.1z';
const PAUSE = 'M7 5h3.5v14H7zm6.5 0H17v14h-3.5z';

/** @type {Map<Element, Player>} */
const players = new Map();
/** @type {ReturnType<typeof watchBoxes> | null} */
let watcher = null;

/** @param {Player} p */
function update(p) {
  const play = p.loaded && wants(p) && p.inView && !document.hidden;
  if (play && p.img && !p.img.isConnected) p.button.insertBefore(p.img, p.badge);
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

/** @param {Player} p */
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

/**
 * Starts watching GIFs scrolled inside `root` (the message scroller): which are on screen, and
 * which are close enough to load.
 * @param {HTMLElement} root
 */
export function watchGifs(root) {
  watcher = watchBoxes(root, players, update, load);
}

/**
 * Turns a `<div class="gif-box" data-src data-name>` (views/message.njk) into a player.
 * @param {Element} box
 */
export function hydrate(box) {
  if (!(box instanceof HTMLElement) || players.has(box) || !box.dataset.src?.startsWith('/gif/'))
    return;
  // A GIF with a video plays as one (player.js); back here if the video fails.
  if (box.dataset.video) return hydrateVideo(box, hydrate);
  if (!watcher) throw new Error('watchGifs() first');
  /** @type {Player} */
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
    ...freshIntent(),
  };
  p.button.type = 'button';
  p.canvas.width = 240;
  p.canvas.height = 180;
  p.canvas.setAttribute('aria-hidden', 'true');
  p.badge.setAttribute('aria-hidden', 'true');
  p.badge.append(p.badgeIcon, el('span', null, 'GIF'));
  p.button.append(p.canvas, p.badge);
  // The invisible canvas of the GIF's size (when known) keeps the box's shape: a video arriving
  // later takes the same box.
  const sizer = box.querySelector('.gif-size');
  box.replaceChildren(...(sizer ? [sizer] : []), p.button);
  players.set(box, p);
  listenIntent(
    p.button,
    p,
    () => p.box.dataset.state === 'playing',
    () => update(p),
  );
  update(p);
  watcher.observe(box);
}

/**
 * A GIF's poster and video were made after its message was sent (`media`): its GIF player gives
 * way to the video player in the same box, keeping what the person did to it (played or paused
 * by hand). A box without a known size, or already a video, is left as it is.
 * @param {Element} item the message's element
 * @param {{ poster?: string, video?: string }} media
 */
export function mediaArrived(item, media) {
  const box = item.querySelector('.gif-box');
  if (!(box instanceof HTMLElement) || box.dataset.video || !box.classList.contains('sized'))
    return;
  if (media.poster) box.dataset.poster = media.poster;
  if (!media.video) return;
  const p = players.get(box);
  if (p) {
    players.delete(box);
    watcher?.unobserve(box);
    p.img?.remove();
  }
  box.dataset.video = media.video;
  hydrateVideo(box, hydrate, p);
}

// A new setting starts afresh: what was played or paused by hand follows it.
onModeChange(() => {
  for (const p of players.values()) {
    p.userPlay = false;
    p.userPaused = false;
  }
  updateAll();
});
document.addEventListener('visibilitychange', updateAll);
