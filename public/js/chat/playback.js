// @ts-check
// The person's GIF playback setting — always, on hover, or on click — remembered in localStorage;
// "on click" by default under prefers-reduced-motion.

/** @typedef {'always' | 'hover' | 'click'} Mode */

const KEY = 'gifchat.playback';
/** @type {readonly Mode[]} */
const MODES = ['always', 'hover', 'click'];
const reduced = window.matchMedia('(prefers-reduced-motion: reduce)');
/** @type {Set<(mode: Mode) => void>} */
const listeners = new Set();

/** @param {unknown} value @returns {value is Mode} */
const isMode = (value) => MODES.includes(/** @type {Mode} */ (value));

/** @returns {Mode | null} */
function stored() {
  try {
    const value = localStorage.getItem(KEY);
    return isMode(value) ? value : null;
  } catch {
    return null;
  }
}

/** @returns {Mode} */
const defaultMode = () => (reduced.matches ? 'click' : 'always');
let mode = stored() ?? defaultMode();

export const playbackMode = () => mode;
export const reducedMotion = () => reduced.matches;
/** @param {(mode: Mode) => void} fn */
export const onModeChange = (fn) => listeners.add(fn);

/**
 * @param {string} next
 * @param {boolean} [remember] false when the change is not the person's choice
 */
export function setMode(next, remember = true) {
  if (!isMode(next)) return;
  mode = next;
  if (remember) {
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // Storage may be blocked: the choice then lasts for this page only.
    }
  }
  listeners.forEach((fn) => fn(mode));
}

/**
 * What a person did to one player: hovered or focused it, played or paused it by hand.
 * @typedef {{ hovered: boolean, focused: boolean, userPlay: boolean, userPaused: boolean }} Intent
 */

/** @returns {Intent} */
export const freshIntent = () => ({
  hovered: false,
  focused: false,
  userPlay: false,
  userPaused: false,
});

/** Whether the setting, and what the person did, want this player playing. @param {Intent} p */
export function wants(p) {
  if (mode === 'always') return !p.userPaused;
  if (mode === 'hover') return ((p.hovered || p.focused) && !p.userPaused) || p.userPlay;
  return p.userPlay;
}

/**
 * Follows the person's hand on a player's `target`: a click plays or pauses it, hovering and focus
 * count for "on hover". `changed` runs after each.
 * @param {HTMLElement} target
 * @param {Intent} p
 * @param {() => boolean} playing
 * @param {() => void} changed
 */
export function listenIntent(target, p, playing, changed) {
  /** @param {string} type @param {() => void} change */
  const on = (type, change) =>
    target.addEventListener(type, () => {
      change();
      changed();
    });
  on('click', () => {
    const was = playing();
    p.userPlay = !was;
    p.userPaused = was;
  });
  on('mouseenter', () => (p.hovered = true));
  on('mouseleave', () => {
    p.hovered = false;
    if (mode === 'hover') p.userPaused = false;
  });
  on('focus', () => (p.focused = true));
  on('blur', () => (p.focused = false));
}

// Someone who never chose follows their device's setting, even when it changes.
reduced.addEventListener('change', () => {
  if (!stored()) setMode(defaultMode(), false);
});
