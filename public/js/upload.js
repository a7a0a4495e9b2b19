// GIF uploads: checked in the browser first (size, magic bytes), then sent with XHR for progress;
// from the GIF button, drag-and-drop or paste.
(function () {
  'use strict';
  const { t, tm, csrfToken, formatSize } = window.gifchat;
  const MAX_BYTES = 5 * 1024 * 1024;
  const SIGNATURES = ['GIF87a', 'GIF89a'];

  /** Why a file cannot be sent, or null. The server checks the same things again. */
  async function check(file) {
    const name = file.name || 'GIF';
    if (file.size > MAX_BYTES) return t('tooBig', { name, size: formatSize(file.size) });
    const head = new Uint8Array(await file.slice(0, 6).arrayBuffer());
    if (!SIGNATURES.includes(String.fromCharCode(...head))) return t('notGif', { name });
    return null;
  }

  /** What to tell the person about a refused upload (413 too big, 415 not a GIF, ...). */
  function reason(status, body) {
    const message = body?.error?.message;
    if (message) return tm(message);
    if (status === 413) return tm('GIFs can be at most 5 MB');
    if (status === 415) return tm('only GIF images are accepted');
    return t('uploadFailed');
  }

  function parse(text) {
    try {
      return JSON.parse(text || '{}');
    } catch {
      return {};
    }
  }

  /**
   * Posts `file` as multipart field `gif`. Returns { done, abort }: `done` resolves to
   * { ok, status, body, aborted } and never rejects; `onProgress` gets a fraction from 0 to 1.
   */
  function send(url, file, onProgress) {
    const xhr = new XMLHttpRequest();
    const data = new FormData();
    data.append('gif', file, file.name || 'image.gif');
    let aborted = false;
    const done = new Promise((resolve) => {
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      });
      xhr.addEventListener('load', () => {
        resolve({
          ok: xhr.status === 201,
          status: xhr.status,
          body: parse(xhr.responseText),
          aborted: false,
        });
      });
      xhr.addEventListener('error', () => resolve({ ok: false, status: 0, body: {}, aborted }));
      xhr.addEventListener('abort', () =>
        resolve({ ok: false, status: 0, body: {}, aborted: true }),
      );
    });
    xhr.open('POST', url);
    xhr.setRequestHeader('x-csrf-token', csrfToken());
    xhr.setRequestHeader('accept', 'application/json');
    xhr.send(data);
    return {
      done,
      abort: () => {
        aborted = true;
        xhr.abort();
      },
    };
  }

  /**
   * Wires the page's GIF controls: the button, drag-and-drop onto `dropZone`, and paste.
   * One upload at a time, with a progress bar and a cancel button.
   */
  function wire({ room, dropZone, onSent, showError, clearError, isClosed }) {
    const $ = (id) => document.getElementById(id);
    const gifInput = $('gif-input');
    const uploadBar = $('upload');
    const progress = $('upload-progress');
    const pct = $('upload-pct');
    let current = null;

    async function upload(files) {
      if (isClosed() || !files || files.length === 0) return;
      clearError();
      if (current || files.length > 1) return showError(t('oneFile'));
      const file = files[0];
      current = { abort: () => undefined };
      const problem = await check(file);
      if (problem) {
        current = null;
        return showError(problem);
      }
      $('upload-name').textContent = t('uploading', { name: file.name || 'GIF' });
      progress.value = 0;
      pct.textContent = '0%';
      uploadBar.hidden = false;
      const job = send(`/room/${encodeURIComponent(room)}/gif`, file, (fraction) => {
        const value = Math.round(fraction * 100);
        progress.value = value;
        pct.textContent = `${value}%`;
      });
      current = job;
      const res = await job.done;
      current = null;
      uploadBar.hidden = true;
      if (res.ok) onSent(res.body);
      else if (!res.aborted) showError(reason(res.status, res.body));
    }

    $('gif-button').addEventListener('click', () => gifInput.click());
    gifInput.addEventListener('change', () => {
      const files = [...(gifInput.files || [])];
      gifInput.value = '';
      void upload(files);
    });
    $('upload-cancel').addEventListener('click', () => current?.abort());

    const overlay = $('drop-overlay');
    let dragDepth = 0;
    const hasFiles = (event) => [...(event.dataTransfer?.types || [])].includes('Files');
    dropZone.addEventListener('dragenter', (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      dragDepth += 1;
      overlay.hidden = false;
    });
    dropZone.addEventListener('dragover', (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    });
    dropZone.addEventListener('dragleave', () => {
      dragDepth = Math.max(0, dragDepth - 1);
      if (dragDepth === 0) overlay.hidden = true;
    });
    dropZone.addEventListener('drop', (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      dragDepth = 0;
      overlay.hidden = true;
      void upload([...event.dataTransfer.files]);
    });
    document.addEventListener('paste', (event) => {
      const files = [...(event.clipboardData?.files || [])];
      if (files.length === 0) return;
      event.preventDefault();
      void upload(files);
    });
  }

  window.gifchat.upload = { MAX_BYTES, check, send, reason, wire };
})();
