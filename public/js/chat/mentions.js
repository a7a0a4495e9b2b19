// @ts-check
// Mentions: a message with `@name` (the reader's nickname) is highlighted for the reader, counted
// in the tab's title while it is hidden (attention.js), and, if the reader turned it on (off by
// default, remembered in this browser), announced with a short sound.

const SOUND_KEY = 'gifchat.mentionSound';
/** @type {() => string | undefined} */
let nameNow = () => undefined;
let cached = { name: '', pattern: /** @type {RegExp | null} */ (null) };

/** Where the reader's current nickname is read (it may change at any time). */
export function mentionName(/** @type {() => string | undefined} */ name) {
  nameNow = name;
}

function pattern() {
  const name = (nameNow() ?? '').trim();
  if (name !== cached.name) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = escaped
      ? new RegExp(`(^|[^\\p{L}\\p{N}_])@${escaped}(?![\\p{L}\\p{N}_])`, 'iu')
      : null;
    cached = { name, pattern: re };
  }
  return cached.pattern;
}

/** Whether a text mentions the reader. @param {string | undefined} text */
export const mentionsMe = (text) => Boolean(text && pattern()?.test(text));

/** Highlights the messages shown that mention the reader (the name may have just changed). */
export function markMentions(/** @type {ParentNode} */ list) {
  for (const item of list.querySelectorAll('li.msg:not(.system)'))
    item.classList.toggle(
      'is-mention',
      !item.classList.contains('mine') &&
        mentionsMe(item.querySelector('.msg-text')?.textContent ?? ''),
    );
}

const soundOn = () => {
  try {
    return localStorage.getItem(SOUND_KEY) === 'on';
  } catch {
    return false;
  }
};

/** A short two-note chime (no file to load). */
function chime() {
  const Audio = window.AudioContext;
  if (!Audio) return;
  const context = new Audio();
  const gain = context.createGain();
  gain.gain.value = 0.08;
  gain.connect(context.destination);
  [880, 1320].forEach((hz, i) => {
    const tone = context.createOscillator();
    tone.frequency.value = hz;
    tone.connect(gain);
    tone.start(context.currentTime + i * 0.12);
    tone.stop(context.currentTime + i * 0.12 + 0.1);
  });
  setTimeout(() => void context.close(), 600);
}

/**
 * A message arrived live: a mention of the reader by someone else plays the sound, if wanted.
 * @param {import('../types').ChatMessage} m
 * @param {string} me
 */
export function mentionArrived(m, me) {
  if (m.pid !== me && m.user !== 'system' && mentionsMe(m.chat) && soundOn()) chime();
}

/** The setting's checkbox in the side panel. @param {HTMLInputElement} box */
export function wireMentionSound(box) {
  box.checked = soundOn();
  box.addEventListener('change', () => {
    try {
      localStorage.setItem(SOUND_KEY, box.checked ? 'on' : 'off');
    } catch {
      // Private mode without storage: the setting lasts for this page.
    }
  });
}
