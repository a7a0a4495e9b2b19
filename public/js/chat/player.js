// @ts-check
// GIFs as videos: a muted, looping <video> with the GIF's first frame as its poster, in a box sized
// from the GIF's width and height (views/message.njk), so nothing moves when it loads. Like the GIF
// players it plays only while the person's setting wants it (always / on hover / on click; "on
// click" by default under reduced motion, so the poster stays until clicked), it is on screen and
// the tab is visible. The video is fetched once it comes near the screen (on click, when clicked).
import { el, svg } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { watchBoxes } from './viewport.js';
import { freshIntent, listenIntent, onModeChange, playbackMode, wants } from './playback.js';

/**
 * @typedef {import('./playback.js').Intent & {
 *   box: HTMLElement, video: HTMLVideoElement, button: HTMLButtonElement, badge: HTMLSpanElement,
 *   badgeIcon: SVGSVGElement, name: string, inView: boolean, error: boolean }} VideoPlayer
 */
/** @typedef {import('../types').ChatMessage} ChatMessage */

const PLAY = 'M8 5.1v13.8a1 1 0 0 0 1.5.9l10.9-6.9a1 1 0 0 0 0-1.8L9.5 4.2A1 1 0 0 0 8 5.1z';
const PAUSE = 'M7 5h3.5v14H7zm6.5 0H17v14h-3.5z';

/** @type {Map<Element, VideoPlayer>} */
const players = new Map();
/** @type {ReturnType<typeof watchBoxes> | null} */
let watcher = null;

/** @param {VideoPlayer} p */
function load(p) {
  if (p.video.getAttribute('src')) return;
  p.video.preload = 'auto';
  p.video.src = p.box.dataset.video ?? '';
}

/** @param {VideoPlayer} p */
function update(p) {
  const play = !p.error && wants(p) && p.inView && !document.hidden;
  if (play) {
    load(p);
    // A muted video may always play; a refusal (a page being unloaded) just leaves the poster.
    if (p.video.paused) p.video.play().catch(() => undefined);
  } else if (!p.video.paused) p.video.pause();
  const state = play ? 'playing' : 'paused';
  if (p.box.dataset.state !== state) p.box.dataset.state = state;
  p.button.setAttribute('aria-label', t(play ? 'pauseGif' : 'playGif', { name: p.name }));
  p.badgeIcon.replaceWith((p.badgeIcon = svg(play ? PAUSE : PLAY)));
}

function watch() {
  // "On click" may never play it: then only the poster is fetched, the video on click.
  watcher ??= watchBoxes(document.getElementById('scroller'), players, update, (p) => {
    if (playbackMode() !== 'click') load(p);
  });
  return watcher;
}

/**
 * Turns a `<div class="gif-box" data-video data-poster>` into a video player. If the video cannot
 * be played, the box goes to `fallback` (the GIF player) without its video.
 * @param {HTMLElement} box
 * @param {(box: HTMLElement) => void} fallback
 * @param {import('./playback.js').Intent} [intent] what the person did to the GIF player this
 *   replaces (its video arrived later): played or paused by hand, it stays so
 */
export function hydrateVideo(box, fallback, intent) {
  if (players.has(box)) return;
  const sizer = box.querySelector('.gif-size');
  const video = el('video', 'gif-video');
  Object.assign(video, { muted: true, defaultMuted: true, loop: true, playsInline: true });
  video.preload = 'none';
  video.setAttribute('aria-hidden', 'true');
  if (box.dataset.poster) video.poster = box.dataset.poster;
  if (sizer instanceof HTMLCanvasElement) {
    video.width = sizer.width;
    video.height = sizer.height;
  }
  /** @type {VideoPlayer} */
  const p = {
    box,
    video,
    button: el('button', 'gif-toggle'),
    badge: el('span', 'gif-badge'),
    badgeIcon: svg(PLAY),
    name: box.dataset.name || '',
    inView: false,
    error: false,
    ...freshIntent(),
    ...(intent && { userPlay: intent.userPlay, userPaused: intent.userPaused }),
  };
  p.button.type = 'button';
  p.badge.setAttribute('aria-hidden', 'true');
  p.badge.append(p.badgeIcon, el('span', null, 'GIF'));
  p.button.append(video, p.badge);
  box.replaceChildren(...(sizer ? [sizer] : []), p.button);
  video.addEventListener('error', () => {
    p.error = true;
    players.delete(box);
    watch().unobserve(box);
    delete box.dataset.video;
    // The box keeps its size: the GIF player fills the same box.
    fallback(box);
  });
  players.set(box, p);
  listenIntent(
    p.button,
    p,
    () => box.dataset.state === 'playing',
    () => update(p),
  );
  update(p);
  watch().observe(box);
}

/**
 * Fills a message's GIF parts from the template copy (render.js): the box with its video, poster
 * and size, and the "open original" link; parts a message lacks are removed.
 * @param {HTMLElement} item
 * @param {Pick<ChatMessage, 'gif' | 'video' | 'poster' | 'width' | 'height'>} m
 * @param {string} name the sender's name
 */
export function fillGifParts(item, m, name) {
  const box = item.querySelector('.gif-box');
  const sizer = item.querySelector('.gif-size');
  // Sized whenever the GIF's size is known, video or not (it may arrive later, `media`).
  const sized = Boolean(m.width && m.height);
  if (box instanceof HTMLElement) {
    box.classList.toggle('sized', sized);
    if (sized && m.video) {
      box.dataset.video = m.video;
      box.dataset.poster = m.poster ?? '';
    } else {
      delete box.dataset.video;
      delete box.dataset.poster;
    }
  }
  if (sizer instanceof HTMLCanvasElement) {
    if (sized) {
      sizer.width = m.width ?? 4;
      sizer.height = m.height ?? 3;
    } else sizer.remove();
  }
  const original = item.querySelector('.gif-original');
  if (original instanceof HTMLAnchorElement) {
    if (m.gif) {
      original.href = m.gif;
      original.setAttribute('aria-label', t('openOriginalLabel', { name }));
    } else original.remove();
  }
}

// A new setting starts afresh; a hidden tab plays nothing.
onModeChange(() => {
  for (const p of players.values()) {
    p.userPlay = false;
    p.userPaused = false;
    update(p);
  }
});
document.addEventListener('visibilitychange', () => players.forEach(update));
