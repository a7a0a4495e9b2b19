/* Messages sent at a steady rate by the members of a room in turn, each timed from its send to its
 * receipt by the last other member. */
import { performance } from 'node:perf_hooks';
import type { Room, Way } from './members';
import { percentile, sleep } from './stats';

export interface FanOut {
  p50: number;
  p99: number;
  /** Receipts expected (every other member, every measured message) that never came. */
  lost: number;
  sent: number;
  failed: number;
  firstError?: string;
}

interface Pending {
  at: number;
  sender: number;
  heard: number;
  measured: boolean;
}

/**
 * Sends `rate` messages a second for `warmupMs` (not counted) and then `durationMs`, and waits up
 * to `drainMs` for the last receipts.
 */
export async function fanOut(
  room: Room,
  way: Way,
  {
    rate,
    warmupMs,
    durationMs,
    drainMs = 10_000,
  }: {
    rate: number;
    warmupMs: number;
    durationMs: number;
    drainMs?: number;
  },
): Promise<FanOut> {
  const others = room.members.length - 1;
  const pending = new Map<number, Pending>();
  const latencies: number[] = [];
  let lost = 0;
  let failed = 0;
  let firstError: string | undefined;
  const tag = `fan${Date.now()}-`;

  const listeners = room.members.map((member, index) => {
    const on = (message: { chat?: string }) => {
      if (!message?.chat?.startsWith(tag)) return;
      const entry = pending.get(Number(message.chat.slice(tag.length)));
      if (!entry || entry.sender === index) return;
      if (++entry.heard === others) {
        if (entry.measured) latencies.push(performance.now() - entry.at);
        pending.delete(Number(message.chat.slice(tag.length)));
      }
    };
    member.socket.on('chat', on);
    return () => member.socket.off('chat', on);
  });

  const interval = 1000 / rate;
  const start = performance.now();
  const end = start + warmupMs + durationMs;
  let n = 0;
  let measuredSent = 0;
  while (performance.now() < end) {
    const due = Math.floor((performance.now() - start) / interval) + 1;
    while (n < due) {
      const seq = n++;
      const sender = seq % room.members.length;
      const at = performance.now();
      const measured = at - start >= warmupMs;
      if (measured) measuredSent++;
      pending.set(seq, { at, sender, heard: 0, measured });
      room.members[sender]!.send(`${tag}${seq}`, way).catch((err: unknown) => {
        failed++;
        firstError ??= err instanceof Error ? err.message : String(err);
      });
    }
    await sleep(Math.max(0, start + n * interval - performance.now()));
  }
  const drainEnd = performance.now() + drainMs;
  while (pending.size && performance.now() < drainEnd) await sleep(50);
  for (const entry of pending.values()) if (entry.measured) lost += others - entry.heard;
  listeners.forEach((off) => off());
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    lost,
    sent: measuredSent,
    failed,
    firstError,
  };
}
