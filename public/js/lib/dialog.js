// @ts-check
// Asking and telling: the page's confirm dialog, and notices that can be dismissed.
import { byId } from './dom.js';
import { t } from './i18n.js';

/**
 * Asks through the page's <dialog id="confirm-dialog">; resolves true when confirmed.
 * @param {string} question
 * @param {string} [okLabel]
 * @returns {Promise<boolean>}
 */
export function confirmDialog(question, okLabel) {
  const dialog = byId('confirm-dialog', HTMLDialogElement);
  byId('confirm-text').textContent = question;
  byId('confirm-ok').textContent = okLabel || t('confirm');
  dialog.returnValue = '';
  dialog.showModal();
  byId('confirm-cancel').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

/** Notices with a close button (the lobby's flash): closing one moves focus to the content. */
export function dismissible(root = /** @type {ParentNode} */ (document)) {
  for (const button of root.querySelectorAll('.notice-close')) {
    button.addEventListener('click', () => {
      button.closest('.notice')?.remove();
      document.getElementById('main')?.focus();
    });
  }
}
