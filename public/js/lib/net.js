// @ts-check
// Requests to the server, over the socket or HTTP. Both resolve (never reject) with a Reply:
// `{ ok: true, data }`, a refusal `{ ok: false, error }`, or `unanswered` — a timeout, a network
// failure or a server fault, after which the same request may be tried again.
import { t } from './i18n.js';
import { csrfToken } from './page-data.js';

/** @template T @typedef {import('../types').Reply<T>} Reply */
/** @typedef {import('../types').ErrorPayload} ErrorPayload */
/** @typedef {import('../types').Payloads} Payloads */
/** @typedef {import('../types').Answers} Answers */

export const ACK_TIMEOUT_MS = 10_000;
/** A request with no answer by then is given up (a network asleep answers nothing, ever). */
export const REQUEST_TIMEOUT_MS = 15_000;

/** @returns {{ ok: false, error: ErrorPayload, unanswered: true }} */
export const unanswered = () => ({
  ok: false,
  error: { code: 'no_answer', message: t('noAnswer') },
  unanswered: true,
});

/** A fresh client id for one message: a retry sends the same one, so it is saved only once. */
export function clientId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID needs a secure context; a LAN address over plain http is not one.
  return [...crypto.getRandomValues(new Uint8Array(16))]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('');
}

/**
 * Emits an acknowledged event and resolves with the acknowledgement, or `unanswered` after `ms`.
 * @template {keyof Payloads} E
 * @param {import('../types').ChatSocket} socket
 * @param {E} event
 * @param {Payloads[E]} payload
 * @returns {Promise<Reply<Answers[E]>>}
 */
export function ack(socket, event, payload, ms = ACK_TIMEOUT_MS) {
  // Socket.IO's typed emit cannot follow a generic event name; this signature says what it checks.
  const emitter = /** @type {{ emit(event: E, payload: Payloads[E],
    ack: (err: Error | null, reply?: Reply<Answers[E]>) => void): void }} */ (socket.timeout(ms));
  return new Promise((resolve) =>
    emitter.emit(event, payload, (err, reply) =>
      resolve(err || !reply || restarting(reply) ? unanswered() : reply),
    ),
  );
}

/**
 * A process shutting down refused what it could no longer finish: like no answer, it goes again
 * (to the process the tab reconnects to), as a 503 over HTTP does.
 * @param {Reply<unknown>} reply
 */
const restarting = (reply) => !reply.ok && reply.error.code === 'restarting';

/**
 * The Reply of an HTTP response: its JSON when 2xx, the `error` of its body when 4xx.
 * @template T
 * @param {number} status 0 when there was no response at all
 * @param {unknown} body
 * @param {string} [fallback] what to say of a refusal whose body does not (a proxy's error page)
 * @returns {Reply<T>}
 */
export function replyOf(status, body, fallback = t('noAnswer')) {
  if (status >= 200 && status < 300) return { ok: true, data: /** @type {T} */ (body) };
  if (status === 0 || status >= 500) return unanswered();
  const error = /** @type {{ error?: Partial<ErrorPayload> } | null} */ (body)?.error;
  return {
    ok: false,
    error: {
      code: error?.code ?? `http_${status}`,
      message: error?.message ?? fallback,
      params: error?.params,
    },
  };
}

/**
 * fetch with the CSRF header, JSON in and out; `unanswered` after `ms`.
 * @template T
 * @param {string} url
 * @param {{ method?: string, json?: unknown, ms?: number }} [options]
 * @returns {Promise<Reply<T>>}
 */
export async function request(url, { method = 'POST', json, ms = REQUEST_TIMEOUT_MS } = {}) {
  /** @type {Record<string, string>} */
  const headers = { 'x-csrf-token': csrfToken, accept: 'application/json' };
  if (json !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(url, {
      method,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
      credentials: 'same-origin',
      signal: AbortSignal.timeout(ms),
    });
    return replyOf(res.status, await res.json().catch(() => ({})));
  } catch {
    return unanswered();
  }
}
