// @ts-check
// Telling the room while one is typing. The server forgets "is typing" after typingTimeoutMs of
// silence, so a typist repeats it well within that, and says "stopped" a little before it would.
import { limits } from '../lib/page-data.js';

const REPEAT_MS = limits.typingTimeoutMs / 2;
const IDLE_MS = limits.typingTimeoutMs * 0.6;

/** @param {import('../types').ChatSocket} socket @returns {(active: boolean) => void} */
export function typingSignal(socket) {
  let sentAt = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let idle;
  return function typing(active) {
    clearTimeout(idle);
    if (!active) {
      if (sentAt) socket.emit('typing', false);
      sentAt = 0;
      return;
    }
    if (Date.now() - sentAt > REPEAT_MS) {
      socket.emit('typing', true);
      sentAt = Date.now();
    }
    idle = setTimeout(() => typing(false), IDLE_MS);
  };
}
