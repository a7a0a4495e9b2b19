/* Chat fan-out: a room's members send at a steady rate; each message is timed from its send to its
 * receipt by the last other member. GifChat both ways (HTTP POST, the socket its browser uses),
 * the classic app (HTTP POST, the only way it saves a message), and the floor. */
import { freshName } from '../support/db';
import { fanOut, type FanOut } from '../support/fanout';
import { openRoom, type Way } from '../support/members';
import {
  interleaved,
  times,
  type Context,
  type Figure,
  type Goal,
  type SectionResult,
} from '../support/report';
import { LABELS, start, type Kind } from '../support/servers';
import { median, ms } from '../support/stats';

export interface Scenario {
  members: number;
  rate: number;
}

export const SCENARIOS: Scenario[] = [
  { members: 50, rate: 20 },
  { members: 100, rate: 50 },
];

/** Measurements of each server and way per scenario, interleaved (see `chat`). */
const CHAT_ROUNDS = 3;

const RUNS: { kind: Kind; way: Way }[] = [
  { kind: 'floor', way: 'socket' },
  { kind: 'floor', way: 'http' },
  { kind: 'classic', way: 'http' },
  { kind: 'dev', way: 'http' },
  { kind: 'dev', way: 'socket' },
  { kind: 'prod', way: 'http' },
  { kind: 'prod', way: 'socket' },
];

/** One measurement: a fresh server and database, a room of members, messages at a rate. */
export async function measureChat(
  ctx: Context,
  kind: Kind,
  way: Way,
  { members, rate }: Scenario,
  mongo = { name: freshName('chat'), keep: false },
): Promise<FanOut> {
  const server = await start(kind, ctx.db.urlOf(mongo.name));
  try {
    const room = await openRoom(kind, server.url, members);
    try {
      const result = await fanOut(room, way, {
        rate,
        warmupMs: ctx.quick ? 1_000 : 2_000,
        // At least 300 messages a round (15 s at 20/s, 8 s at 50/s: 400), three rounds.
        durationMs: ctx.quick ? 4_000 : Math.max(8_000, (300 / rate) * 1000),
      });
      ctx.log(
        `chat ${members}×${rate}/s ${LABELS[kind]} (${way}): p50 ${ms(result.p50)} p99 ${ms(result.p99)} lost ${result.lost}` +
          (result.failed ? ` failed ${result.failed}: ${result.firstError}` : ''),
      );
      return result;
    } finally {
      room.close();
    }
  } finally {
    await server.stop();
    if (!mongo.keep) await ctx.db.drop(mongo.name);
  }
}

const label = (s: Scenario) => `${s.members} members × ${s.rate} msg/s`;

export async function chat(ctx: Context): Promise<SectionResult> {
  const figures: Figure[] = [];
  const goals: Goal[] = [];
  for (const scenario of ctx.quick ? SCENARIOS.slice(0, 1) : SCENARIOS) {
    // Three rounds of each, interleaved, and the median round's figures: one run's p99 (its
    // eighth-slowest message of 800) moved by 20–50% between runs of the same code on a quiet
    // machine, and the ratios of two such runs with it. A burst of the machine's own noise now
    // costs one round of one server, not its figure.
    const rounds = ctx.quick ? 1 : CHAT_ROUNDS;
    const results = await interleaved(
      rounds,
      RUNS.map(({ kind, way }) => `${kind} ${way}`),
      (key) => {
        const [kind, way] = key.split(' ') as [Kind, Way];
        return measureChat(ctx, kind, way, scenario);
      },
    );
    const p = (key: string, which: 'p50' | 'p99') => median(results(key).map((r) => r[which]));
    const lost = (key: string) => results(key).reduce((sum, r) => sum + r.lost, 0);
    const cell = (key: string) =>
      `${ms(p(key, 'p50'))} / ${ms(p(key, 'p99'))}${lost(key) ? `, **${lost(key)} lost**` : ''}`;
    figures.push(
      {
        work: `chat ${label(scenario)}, HTTP POST: p50 / p99 send → last receipt, median of ${rounds} (floor: socket; bare HTTP route)`,
        cells: {
          baseline: `${cell('floor socket')}; ${cell('floor http')}`,
          classic: cell('classic http'),
          dev: cell('dev http'),
          prod: cell('prod http'),
        },
      },
      {
        work: `chat ${label(scenario)}, socket \`chat\`: p50 / p99, median of ${rounds}`,
        cells: {
          baseline: cell('floor socket'),
          dev: cell('dev socket'),
          prod: cell('prod socket'),
        },
      },
    );
    const floor = p('floor socket', 'p99');
    // The same insert and broadcast behind a bare HTTP route: what any POST costs over a socket
    // message (the request, its parsing, its answer) is in it, so it is the HTTP way's own limit.
    const httpFloor = p('floor http', 'p99');
    goals.push({
      goal: `chat ${label(scenario)} (HTTP POST): p99 ≤ 1.2× the bare HTTP route's insert + broadcast`,
      dev: p('dev http', 'p99') / httpFloor,
      prod: p('prod http', 'p99') / httpFloor,
      format: times,
      ok: (v) => v <= 1.2,
    });
    for (const way of ['http', 'socket'] as Way[])
      goals.push(
        {
          goal: `chat ${label(scenario)} (${way === 'http' ? 'HTTP POST' : 'socket'}): p99 ≤ 1.2× floor (socket)`,
          dev: p(`dev ${way}`, 'p99') / floor,
          prod: p(`prod ${way}`, 'p99') / floor,
          format: times,
          ok: (v) => v <= 1.2,
        },
        {
          goal: `chat ${label(scenario)} (${way === 'http' ? 'HTTP POST' : 'socket'}): 0 lost`,
          dev: lost(`dev ${way}`),
          prod: lost(`prod ${way}`),
          format: (v) => `${v} lost`,
          ok: (v) => v === 0,
        },
      );
  }
  return { figures, goals };
}
