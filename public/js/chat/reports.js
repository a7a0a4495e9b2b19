// @ts-check
// The owner's report queue in the side panel: each reported message with how many people reported
// it, and "remove" (for everyone) or "dismiss". It is asked for when one becomes the owner and
// arrives again (`reports`) whenever it changes.
import { byId, el } from '../lib/dom.js';
import { errorText, t } from '../lib/i18n.js';
import { ack } from '../lib/net.js';
import { showError } from './alert.js';

/** @typedef {import('../types').ReportItem} ReportItem */

/** @param {{ socket: import('../types').ChatSocket }} options */
export function createReports({ socket }) {
  const list = byId('reports');

  /** @param {ReportItem[]} items */
  function show(items) {
    if (!Array.isArray(items)) return;
    byId('reports-n').textContent = String(items.length);
    byId('reports-empty').hidden = items.length > 0;
    list.replaceChildren(
      ...items.map(({ message, reporters }) => {
        const row = el('li', 'report');
        row.dataset.id = message._id;
        const what = message.chat ?? (message.gif ? t('gifQuote') : '');
        const text = el('p', 'report-text');
        text.append(el('strong', null, `${message.nick || message.user}: `), what);
        const buttons = el('div', 'report-actions');
        for (const [action, label] of /** @type {const} */ ([
          ['remove', t('removeMessage')],
          ['dismiss', t('dismissReport')],
        ])) {
          const button = el(
            'button',
            `button small ${action === 'remove' ? 'danger' : 'ghost'}`,
            label,
          );
          button.type = 'button';
          button.addEventListener('click', () => void decide(message._id, action));
          buttons.append(button);
        }
        row.append(text, el('p', 'hint', t('reportedBy', { n: reporters })), buttons);
        return row;
      }),
    );
  }

  /** @param {string} id @param {'remove' | 'dismiss'} action */
  async function decide(id, action) {
    const reply = await ack(socket, 'decide', { _id: id, action });
    if (!reply.ok) return showError(errorText(reply.error));
    show(reply.data);
  }

  socket.on('reports', show);

  return {
    /** One became the owner (or joined as the owner): the queue as it stands. */
    async load() {
      const reply = await ack(socket, 'reports', {});
      if (reply.ok) show(reply.data);
    },
  };
}
