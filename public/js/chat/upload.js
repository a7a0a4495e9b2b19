// @ts-check
// GIF uploads, from the GIF button, drag-and-drop or paste: checked here first (size, magic bytes)
// against the server's limits, then sent with XHR for progress, with a client id so a retry after
// no answer never makes a second message.
import { byId } from '../lib/dom.js';
import { errorText, t } from '../lib/i18n.js';
import { clientId, replyOf, unanswered } from '../lib/net.js';
import { csrfToken, limits } from '../lib/page-data.js';
import { untilAnswered } from '../lib/retry.js';
import { formatSize } from '../lib/time.js';
import { clearError, showError } from './alert.js';
import { hasEnded } from './ending.js';

/** @typedef {import('../types').ChatMessage} ChatMessage */
/** @typedef {import('../types').Reply<ChatMessage>} Reply */

const SIGNATURES = ['GIF87a', 'GIF89a'];

/** Why a file cannot be sent, or null; the server checks the same again. @param {File} file */
async function check(file) {
  const name = file.name || 'GIF';
  if (file.size > limits.maxGifBytes)
    return t('tooBig', { name, size: formatSize(file.size), max: formatSize(limits.maxGifBytes) });
  const head = new Uint8Array(await file.slice(0, 6).arrayBuffer());
  if (!SIGNATURES.includes(String.fromCharCode(...head))) return t('notGif', { name });
  return null;
}

/**
 * Posts `file` as multipart field `gif` with its `cid`; `onProgress` gets a fraction from 0 to 1.
 * @param {string} url
 * @param {File} file
 * @param {string} cid
 * @param {(fraction: number) => void} onProgress
 * @returns {{ done: Promise<Reply>, abort: () => void }}
 */
function post(url, file, cid, onProgress) {
  const xhr = new XMLHttpRequest();
  const data = new FormData();
  data.append('cid', cid);
  data.append('gif', file, file.name || 'image.gif');
  /** @type {Promise<Reply>} */
  const done = new Promise((resolve) => {
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    // Every byte is there: the server now decodes and transcodes it.
    xhr.upload.addEventListener('load', () => onProgress(1));
    xhr.addEventListener('load', () => {
      let body = {};
      try {
        body = JSON.parse(xhr.responseText || '{}');
      } catch {
        // Not JSON (a proxy's error page): the status says enough.
      }
      resolve(replyOf(xhr.status, body, t('uploadFailed')));
    });
    xhr.addEventListener('error', () => resolve(unanswered()));
    // Cancelled by the person: an answer of sorts, so it is not tried again.
    xhr.addEventListener('abort', () =>
      resolve({ ok: false, error: { code: 'aborted', message: '' } }),
    );
  });
  xhr.open('POST', url);
  xhr.setRequestHeader('x-csrf-token', csrfToken);
  xhr.setRequestHeader('accept', 'application/json');
  xhr.send(data);
  return { done, abort: () => xhr.abort() };
}

/** The progress bar: shown while one upload is on its way. */
function progressBar() {
  const bar = byId('upload');
  const progress = byId('upload-progress', HTMLProgressElement);
  const pct = byId('upload-pct');
  /** @param {number} fraction */
  const set = (fraction) => {
    const value = Math.round(fraction * 100);
    progress.value = value;
    pct.textContent = `${value}%`;
  };
  let name = '';
  return {
    /** Up to 1, the upload's progress; at 1, "processing…" until the server answers. */
    set: (/** @type {number} */ fraction) => {
      set(Math.min(1, fraction));
      if (fraction >= 1) byId('upload-name').textContent = t('processing', { name });
    },
    /** @param {string} file */
    show(file) {
      name = file;
      byId('upload-name').textContent = t('uploading', { name });
      set(0);
      bar.hidden = false;
    },
    hide: () => (bar.hidden = true),
  };
}

/**
 * Wires the page's GIF controls: the button, drag-and-drop onto `dropZone`, and paste. One upload at
 * a time, with a progress bar and a cancel button.
 * @param {{ room: string, dropZone: HTMLElement, onSent: (message: ChatMessage) => void }} options
 */
export function wireUploads({ room, dropZone, onSent }) {
  const url = `/room/${encodeURIComponent(room)}/gif`;
  const bar = progressBar();
  /** @type {{ cancelled: boolean, abort: () => void } | null} */
  let current = null;

  /** @param {File[]} files */
  async function upload(files) {
    const [file] = files;
    if (hasEnded() || !file) return;
    clearError();
    if (current || files.length > 1) return showError(t('oneFile'));
    /** @type {{ cancelled: boolean, abort: () => void }} */
    const job = { cancelled: false, abort: () => undefined };
    current = job;
    const problem = await check(file);
    if (problem) {
      current = null;
      return showError(problem);
    }
    bar.show(file.name || 'GIF');
    const cid = clientId();
    const reply = await untilAnswered(
      () => {
        const attempt = post(url, file, cid, bar.set);
        job.abort = attempt.abort;
        return attempt.done;
      },
      () => job.cancelled || hasEnded(),
    );
    current = null;
    bar.hide();
    if (reply.ok) onSent(reply.data);
    else if (!job.cancelled) showError(errorText(reply.error));
  }

  const gifInput = byId('gif-input', HTMLInputElement);
  byId('gif-button').addEventListener('click', () => gifInput.click());
  gifInput.addEventListener('change', () => {
    const files = [...(gifInput.files ?? [])];
    gifInput.value = '';
    void upload(files);
  });
  byId('upload-cancel').addEventListener('click', () => {
    if (!current) return;
    current.cancelled = true;
    current.abort();
  });
  wireDrop(dropZone, (files) => void upload(files));
}

/**
 * Files dropped onto `zone` or pasted anywhere go to `take`.
 * @param {HTMLElement} zone
 * @param {(files: File[]) => void} take
 */
function wireDrop(zone, take) {
  const overlay = byId('drop-overlay');
  let depth = 0;
  /** @param {DragEvent} event */
  const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');
  zone.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth += 1;
    overlay.hidden = false;
  });
  zone.addEventListener('dragover', (event) => {
    if (!hasFiles(event) || !event.dataTransfer) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  zone.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    overlay.hidden = true;
    take([...(event.dataTransfer?.files ?? [])]);
  });
  document.addEventListener('paste', (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    take(files);
  });
}
