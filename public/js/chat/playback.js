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

// Someone who never chose follows their device's setting, even when it changes.
reduced.addEventListener('change', () => {
  if (!stored()) setMode(defaultMode(), false);
});
