/* The lobby with 200 rooms under 50 concurrent clients (autocannon), and its size. */
import { get } from 'node:http';
import path from 'node:path';
import { Browser } from '../support/browser';
import { freshName } from '../support/db';
import { run, ROOT } from '../support/process';
import { percent, times, type Context, type SectionResult } from '../support/report';
import { seedRooms } from '../support/seed';
import { isGifChat, LABELS, start, type Kind } from '../support/servers';
import { int, kb, mean, median } from '../support/stats';

const ROOMS = 200;
const CONNECTIONS = 50;
const KINDS: Kind[] = ['bare', 'classic', 'dev', 'prod'];
/** What a browser asks for. */
const ACCEPT = 'gzip, deflate, br';

interface Size {
  raw: number;
  br: number;
  gzip: number;
  perRoom: number;
  listed: number;
}

async function autocannon(url: string, seconds: number, cookie?: string): Promise<number> {
  const out = await run([
    process.execPath,
    path.join(ROOT, 'node_modules/autocannon/autocannon.js'),
    '-c',
    String(CONNECTIONS),
    '-d',
    String(seconds),
    '-j',
    '-H',
    `accept-encoding=${ACCEPT}`,
    ...(cookie ? ['-H', `cookie=${cookie}`] : []),
    url,
  ]);
  const result = JSON.parse(out.trim().split('\n').pop()!) as {
    requests: { average: number };
    non2xx: number;
    errors: number;
  };
  if (result.non2xx || result.errors)
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

/** The page as it came over the wire, not decoded. */
function rawGet(url: string, encoding: string): Promise<{ body: Buffer; encoding: string }> {
  return new Promise((resolve, reject) =>
    get(url, { headers: { 'accept-encoding': encoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          body: Buffer.concat(chunks),
          encoding: res.headers['content-encoding'] ?? 'identity',
        }),
      );
    }).on('error', reject),
  );
}

/** Page bytes: raw, and on the wire as brotli and gzip (the raw size where none is offered). */
async function pageSize(url: string): Promise<Size> {
  const plain = await rawGet(url, 'identity');
  const html = plain.body.toString();
  const raw = plain.body.length;
  const onWire = async (encoding: string) => {
    const got = await rawGet(url, encoding);
    return got.encoding === encoding ? got.body.length : raw;
  };
  // A listed room: GifChat's card (not the one in <template>), the classic app's table row.
  const list = html.split('<template')[0]!;
  const cards = list.match(/<li class="room-card[\s\S]*?<\/li>|<tr data-id[\s\S]*?<\/tr>/g) ?? [];
  return {
    raw,
    br: await onWire('br'),
    gzip: await onWire('gzip'),
    perRoom: cards.length ? mean(cards.map((c) => Buffer.byteLength(c))) : 0,
    listed: cards.length,
  };
}

export async function lobby(ctx: Context): Promise<SectionResult> {
  const name = freshName('lobby');
  await seedRooms(ctx.db.db(name), ROOMS);
  const warmup = ctx.quick ? 1 : 2;
  const seconds = ctx.quick ? 3 : 8;
  const rps: Record<Kind, number[]> = {} as Record<Kind, number[]>;
  const sizes: Partial<Record<Kind, Size>> = {};
  const returning: Partial<Record<Kind, number[]>> = {};
  // Nothing is swept while measuring: the seeded seats have no tab behind them.
  const env = { SEAT_TTL_MS: String(24 * 3600_000), ROOM_GRACE_MS: String(24 * 3600_000) };
  // Three rounds, the servers interleaved, and the median: a server's req/s moved by up to 50%
  // between two rounds minutes apart (the bare route 4,670 and 7,197 in one run).
  const rounds = ctx.quick ? 1 : 3;
  for (let round = 0; round < rounds; round++) {
    for (const kind of KINDS) {
      const server = await start(kind, ctx.db.urlOf(name), env);
      try {
        if (kind !== 'bare') sizes[kind] ??= await pageSize(`${server.url}/`);
        await autocannon(`${server.url}/`, warmup);
        const value = await autocannon(`${server.url}/`, seconds);
        (rps[kind] ??= []).push(value);
        ctx.log(`lobby: ${LABELS[kind]} ${int(value)} req/s`);
        if (isGifChat(kind)) {
          // A returning visitor: the same page, through the session layer.
          const visitor = new Browser(server.url);
          await visitor.page('/room');
          await autocannon(`${server.url}/`, 1, visitor.cookie);
          const known = await autocannon(`${server.url}/`, seconds, visitor.cookie);
          (returning[kind] ??= []).push(known);
          ctx.log(`lobby: ${LABELS[kind]} with a session cookie ${int(known)} req/s`);
        }
      } finally {
        await server.stop();
      }
    }
  }
  await ctx.db.drop(name);
  const avg = (kind: Kind) => median(rps[kind]);
  const avgKnown = (kind: Kind) => median(returning[kind] ?? []);
  const range = (kind: Kind) => {
    const values = rps[kind].map(int);
    return values.length > 1 ? `${int(avg(kind))} (${values.join(', ')})` : values[0]!;
  };
  const size = (s?: Size) =>
    s ? `${kb(s.raw)} (br ${kb(s.br)}, gzip ${kb(s.gzip)}), ${s.listed} rooms listed` : '—';
  const perRoom = (s?: Size) => (s ? `${int(s.perRoom)} B` : '—');
  return {
    figures: [
      {
        work: `lobby \`GET /\`, ${ROOMS} rooms, ${CONNECTIONS} concurrent clients, req/s (median of ${rounds}, and each round)`,
        cells: {
          baseline: range('bare'),
          classic: range('classic'),
          dev: range('dev'),
          prod: range('prod'),
        },
      },
      {
        work: `the same, each client a returning visitor (session cookie), req/s (median of ${rounds})`,
        cells: { dev: int(avgKnown('dev')), prod: int(avgKnown('prod')) },
      },
      {
        work: `lobby page size, ${ROOMS} rooms`,
        cells: { classic: size(sizes.classic), dev: size(sizes.dev), prod: size(sizes.prod) },
      },
      {
        work: 'HTML per listed room',
        cells: {
          classic: perRoom(sizes.classic),
          dev: perRoom(sizes.dev),
          prod: perRoom(sizes.prod),
        },
      },
    ],
    goals: [
      {
        goal: 'lobby req/s ≥ 10× the classic app',
        dev: avg('dev') / avg('classic'),
        prod: avg('prod') / avg('classic'),
        format: times,
        ok: (v) => v >= 10,
      },
      {
        goal: 'lobby req/s ≥ 40% of a bare Express route',
        dev: avg('dev') / avg('bare'),
        prod: avg('prod') / avg('bare'),
        format: percent,
        ok: (v) => v >= 0.4,
      },
      {
        goal: 'lobby req/s, returning visitors (session cookie): ≥ 10× classic',
        dev: avgKnown('dev') / avg('classic'),
        prod: avgKnown('prod') / avg('classic'),
        format: times,
        ok: (v) => v >= 10,
      },
      {
        goal: 'lobby req/s, returning visitors (session cookie): ≥ 40% of bare',
        dev: avgKnown('dev') / avg('bare'),
        prod: avgKnown('prod') / avg('bare'),
        format: percent,
        ok: (v) => v >= 0.4,
      },
      {
        goal: 'lobby HTML ≤ 1 KB per listed room',
        dev: sizes.dev?.perRoom,
        prod: sizes.prod?.perRoom,
        format: (v) => `${int(v)} B`,
        ok: (v) => v <= 1024,
      },
    ],
  };
}
