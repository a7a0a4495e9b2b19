/* 5,000 open /chat sockets in one process: the memory each costs and the time to open them all.
 * The clients speak Engine.IO/Socket.IO over plain WebSockets (no client library per socket), so
 * the load generator stays light next to the server it measures. */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { freshName } from '../support/db';
import { interleaved, type Context, type SectionResult } from '../support/report';
import { LABELS, start, type Kind } from '../support/servers';
import { kb, mean, pool, ratio, sleep } from '../support/stats';

const SOCKETS = 5_000;
const IN_FLIGHT = 100;
const KINDS: Kind[] = ['raw', 'classic', 'dev', 'prod'];

/** Opens a /chat socket; answers the server's pings so it stays open. */
function openChat(base: string): Promise<WebSocket> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  return new Promise((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text === '2') ws.send('3');
      else if (text.startsWith('0{')) ws.send('40/chat,');
      else if (text.startsWith('40/chat,')) resolve(ws);
      else if (text.startsWith('44/chat,')) reject(new Error(`refused: ${text}`));
    });
    ws.on('error', reject);
  });
}

interface Measured {
  /** Live heap per socket after a full GC: what the server keeps for each open socket. */
  perSocket: number;
  /** Resident memory growth per socket after a full GC (noisier: V8 keeps pages it grew). */
  rss: number;
  seconds: number;
}

async function measure(ctx: Context, kind: Kind, count: number): Promise<Measured> {
  const name = freshName('sockets');
  const server = await start(kind, ctx.db.urlOf(name));
  const sockets: WebSocket[] = [];
  try {
    await sleep(1_000);
    const before = await server.settled();
    const started = performance.now();
    await pool(Array.from({ length: count }), IN_FLIGHT, async () => {
      sockets.push(await openChat(server.url));
    });
    const seconds = (performance.now() - started) / 1000;
    await sleep(1_000);
    const after = await server.settled();
    const perSocket = (after.heapUsed - before.heapUsed) / count;
    const rss = (after.rss - before.rss) / count;
    ctx.log(
      `sockets: ${LABELS[kind]} ${kb(perSocket)} heap (${kb(rss)} RSS) per socket, ${seconds.toFixed(2)} s`,
    );
    return { perSocket, rss, seconds };
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.stop();
    await ctx.db.drop(name);
  }
}

export async function sockets(ctx: Context): Promise<SectionResult> {
  const count = ctx.quick ? 1_000 : SOCKETS;
  const results = await interleaved(ctx.rounds, KINDS, (kind) => measure(ctx, kind, count));
  const memory = (kind: Kind) => mean(results(kind).map((r) => r.perSocket));
  const seconds = (kind: Kind) => mean(results(kind).map((r) => r.seconds));
  const rss = (kind: Kind) => mean(results(kind).map((r) => r.rss));
  const cell = (kind: Kind) =>
    `${kb(memory(kind))} heap (${kb(rss(kind))} RSS), ${seconds(kind).toFixed(2)} s`;
  return {
    figures: [
      {
        work: `${count.toLocaleString('en-US')} open \`/chat\` sockets: live heap (and RSS) per socket after GC, time to connect`,
        cells: {
          baseline: cell('raw'),
          classic: cell('classic'),
          dev: cell('dev'),
          prod: cell('prod'),
        },
      },
    ],
    goals: [
      {
        goal: 'memory (live heap) per open socket ≤ 1.1× raw Socket.IO',
        dev: memory('dev') / memory('raw'),
        prod: memory('prod') / memory('raw'),
        format: ratio,
        ok: (v) => v <= 1.1,
      },
      {
        goal: 'time to connect ≤ the classic app',
        dev: seconds('dev') / seconds('classic'),
        prod: seconds('prod') / seconds('classic'),
        format: ratio,
        ok: (v) => v <= 1,
      },
    ],
  };
}
