/* Cost must not grow with what is stored: the same chat and a history page on GifChat `npm start`,
 * on an empty database and after seeding 50,000 live sessions and 100,000 old messages. */
import { performance } from 'node:perf_hooks';
import { Browser } from '../support/browser';
import { freshName } from '../support/db';
import { fanOut, type FanOut } from '../support/fanout';
import { openRoom, type Way } from '../support/members';
import type { Context, SectionResult } from '../support/report';
import { seedMessages, seedSessions } from '../support/seed';
import { start } from '../support/servers';
import { ms, percentile, ratio } from '../support/stats';

const SESSIONS = 50_000;
const MESSAGES = 100_000;
const MEMBERS = 50;
const RATE = 20;
const HISTORY_REQUESTS = 200;
const FIRST_VISITS = 20;

interface State {
  /** A new visitor's first page, which makes and stores their session. */
  firstVisit: number;
  chat: Record<Way, FanOut>;
  history: { p50: number; p99: number };
}

async function measure(ctx: Context, seeded: boolean): Promise<State> {
  const name = freshName(seeded ? 'volume' : 'empty');
  if (seeded) {
    const started = performance.now();
    await seedSessions(ctx.db.db(name), SESSIONS);
    await seedMessages(ctx.db.db(name), MESSAGES);
    ctx.log(`volume: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const server = await start('dev', ctx.db.urlOf(name));
  try {
    const visits: number[] = [];
    for (let i = 0; i < FIRST_VISITS; i++) {
      const at = performance.now();
      await new Browser(server.url).page('/room');
      visits.push(performance.now() - at);
    }
    const firstVisit = percentile(visits, 50);
    const room = await openRoom('dev', server.url, MEMBERS);
    try {
      const chat = {} as Record<Way, FanOut>;
      for (const way of ['socket', 'http'] as Way[]) {
        chat[way] = await fanOut(room, way, {
          rate: RATE,
          warmupMs: 1_000,
          durationMs: ctx.quick ? 4_000 : 10_000,
        });
      }
      // A history page of the room, as a tab asks for it, one request after another.
      const reader = room.members[1]!.browser;
      const times: number[] = [];
      for (let i = 0; i < HISTORY_REQUESTS; i++) {
        const at = performance.now();
        const res = await reader.request(`/room/${room.id}/chats`, {
          headers: { accept: 'application/json' },
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`history page: ${res.status}`);
        times.push(performance.now() - at);
      }
      const history = { p50: percentile(times, 50), p99: percentile(times, 99) };
      ctx.log(
        `volume ${seeded ? 'seeded' : 'empty'}: first visit ${ms(firstVisit)}, chat p99 socket ${ms(chat.socket.p99)} http ${ms(chat.http.p99)}, history p50 ${ms(history.p50)}`,
      );
      return { firstVisit, chat, history };
    } finally {
      room.close();
    }
  } finally {
    await server.stop();
    await ctx.db.drop(name);
  }
}

export async function volume(ctx: Context): Promise<SectionResult> {
  const empty = await measure(ctx, false);
  const full = await measure(ctx, true);
  const chatCell = (s: State) =>
    `socket ${ms(s.chat.socket.p50)} / ${ms(s.chat.socket.p99)}, HTTP ${ms(s.chat.http.p50)} / ${ms(s.chat.http.p99)}` +
    (s.chat.socket.lost + s.chat.http.lost
      ? `, **${s.chat.socket.lost + s.chat.http.lost} lost**`
      : '');
  const stored = `${SESSIONS.toLocaleString('en-US')} sessions + ${MESSAGES.toLocaleString('en-US')} messages`;
  return {
    figures: [
      {
        work: `chat ${MEMBERS} × ${RATE} msg/s, p50 / p99: empty database → ${stored}`,
        cells: { dev: `${chatCell(empty)} → ${chatCell(full)}` },
      },
      {
        work: `a new visitor's first page (their session stored), p50: empty → ${stored}`,
        cells: { dev: `${ms(empty.firstVisit)} → ${ms(full.firstVisit)}` },
      },
      {
        work: `history page, p50 / p99: empty → ${stored}`,
        cells: {
          dev: `${ms(empty.history.p50)} / ${ms(empty.history.p99)} → ${ms(full.history.p50)} / ${ms(full.history.p99)}`,
        },
      },
    ],
    goals: [
      {
        goal: `chat p99 with ${stored} ≤ 1.5× empty (socket)`,
        dev: full.chat.socket.p99 / empty.chat.socket.p99,
        format: ratio,
        ok: (v) => v <= 1.5,
      },
      {
        goal: `chat p99 with ${stored} ≤ 1.5× empty (HTTP POST)`,
        dev: full.chat.http.p99 / empty.chat.http.p99,
        format: ratio,
        ok: (v) => v <= 1.5,
      },
      {
        goal: `history page (p50) with ${stored} ≤ 1.5× empty`,
        dev: full.history.p50 / empty.history.p50,
        format: ratio,
        ok: (v) => v <= 1.5,
      },
    ],
  };
}
