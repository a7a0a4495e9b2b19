// @ts-check
// The room's end for this page — removed, closed, refused, or deleted by this person: controls off,
// and (unless they are leaving anyway) a dialog that says why.
import { byId } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

let ended = false;

export const hasEnded = () => ended;

/** @param {{ title: import('../types').StringKey, body: string }} [why] none when leaving anyway */
export function endRoom(why) {
  if (ended) return;
  ended = true;
  if (!why) return;
  for (const control of document.querySelectorAll(
    '#composer textarea, #composer button, #gif-button',
  ))
    if (control instanceof HTMLTextAreaElement || control instanceof HTMLButtonElement)
      control.disabled = true;
  document.body.classList.add('is-closed');
  byId('notice-title').textContent = t(why.title);
  byId('notice-body').textContent = why.body;
  const dialog = byId('notice-dialog', HTMLDialogElement);
  if (!dialog.open) dialog.showModal();
}
