// @ts-check
// The one place the room page says what went wrong: the line above the composer.
import { byId } from '../lib/dom.js';

const box = byId('composer-error');
const text = byId('composer-error-text');

/** @param {string} message */
export function showError(message) {
  text.textContent = message;
  box.hidden = false;
}

export function clearError() {
  box.hidden = true;
}

byId('composer-error-close').addEventListener('click', () => {
  clearError();
  byId('text').focus();
});
