// @ts-check
// Trying a request again until it is answered. Safe because every message carries a client id:
// the server answers a repeat with what it saved the first time.

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 15_000;

/** Pauses in progress, each with the function that ends it early. */
const pauses = new Set();

/** Ends every pause now (the connection is back): no need to wait out the backoff. */
export function retryNow() {
  for (const wake of [...pauses]) wake();
}

/** @param {number} ms */
const pause = (ms) =>
  new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      pauses.delete(wake);
      resolve(undefined);
    };
    const timer = setTimeout(wake, ms);
    pauses.add(wake);
  });

/**
 * Calls `attempt` until it is answered (accepted or refused), waiting 1, 2, 4… up to 15 s between
 * tries, or until `cancelled()`; resolves with the last reply.
 * @template T
 * @param {() => Promise<import('../types').Reply<T>>} attempt
 * @param {() => boolean} [cancelled]
 */
export async function untilAnswered(attempt, cancelled = () => false) {
  for (let tries = 0; ; tries += 1) {
    const reply = await attempt();
    if (reply.ok || !reply.unanswered || cancelled()) return reply;
    await pause(Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** tries));
  }
}

/**
 * untilAnswered, and refused as `not_participant` — the tab is not back in the room yet (back from
 * a drop, an HTTP retry can beat the socket's rejoin) — again after the next join (at once if one
 * happened meanwhile).
 * @template T
 * @param {() => Promise<import('../types').Reply<T>>} attempt
 * @param {{ joins: () => number, nextJoin: () => Promise<unknown> }} room
 * @param {() => boolean} [cancelled]
 */
export async function untilAdmitted(attempt, room, cancelled = () => false) {
  for (;;) {
    const joined = room.joins();
    const reply = await untilAnswered(attempt, cancelled);
    if (reply.ok || reply.error.code !== 'not_participant' || cancelled()) return reply;
    if (room.joins() === joined) await room.nextJoin();
    if (cancelled()) return reply;
  }
}
