// @ts-check
// Times and sizes in the reader's language and time zone (the server knows neither).
import { lang, t } from './i18n.js';

const clock = new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit' });
const full = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });

/** "5 minutes ago". @param {Date} date */
function ago(date, now = Date.now()) {
  const seconds = Math.round((date.getTime() - now) / 1000);
  if (Math.abs(seconds) < 45) return t('justNow');
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return relative.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return relative.format(hours, 'hour');
  return relative.format(Math.round(hours / 24), 'day');
}

/** Fills each <time datetime> with the local clock time, or "5 minutes ago" for `.ago`. */
export function formatTimes(root = /** @type {ParentNode} */ (document)) {
  for (const node of root.querySelectorAll('time[datetime]')) {
    if (!(node instanceof HTMLElement)) continue;
    const date = new Date(node.getAttribute('datetime') ?? '');
    if (Number.isNaN(date.getTime())) continue;
    node.textContent = node.classList.contains('ago') ? ago(date) : clock.format(date);
    node.title = full.format(date);
  }
}

const KB = 1024;
const MB = 1024 * KB;

/** "4.2 MB", "50 kB": a file size as people read them. @param {number} bytes */
export function formatSize(bytes) {
  const [unit, size] =
    bytes >= MB ? ['megabyte', MB] : bytes >= KB ? ['kilobyte', KB] : ['byte', 1];
  return new Intl.NumberFormat(lang, { style: 'unit', unit, maximumFractionDigits: 1 }).format(
    bytes / size,
  );
}
