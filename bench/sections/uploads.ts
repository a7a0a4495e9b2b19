/* 20 concurrent 5 MB GIF uploads: the time until all are answered and how far the server's
 * resident memory rose meanwhile (sampled every 10 ms), against plain multer (the goal's baseline)
 * and multer doing the same checks and nothing else (what the checks themselves cost). */
import { performance } from 'node:perf_hooks';
import { Browser, csrfOf } from '../support/browser';
import { freshName } from '../support/db';
import { noiseGif } from '../support/gif';
import { openRoom } from '../support/members';
import { interleaved, type Context, type SectionResult } from '../support/report';
import { isGifChat, LABELS, start, type Kind } from '../support/servers';
import { median, sleep, ratio } from '../support/stats';

const UPLOADS = 20;
const KINDS: Kind[] = ['multer', 'checked', 'classic', 'dev', 'prod'];
const MB = 1024 * 1024;

interface Measured {
  seconds: number;
  growth: number;
}

/** Where and how a server of each kind takes a GIF. */
async function uploader(kind: Kind, base: string) {
  if (kind === 'multer' || kind === 'checked')
    return { path: '/upload', headers: {}, expect: 201, browser: new Browser(base), close() {} };
  // A member with a tab open (GifChat takes GIFs from people in the room only).
  const room = await openRoom(kind, base, 1);
  const member = room.members[0]!;
  const headers: Record<string, string> = {};
  if (isGifChat(kind)) {
    headers['x-csrf-token'] = csrfOf((await member.browser.page(`/room/${room.id}`)).html);
    headers.accept = 'application/json';
  }
  return {
    path: `/room/${room.id}/gif`,
    headers,
    expect: isGifChat(kind) ? 201 : 200,
    browser: member.browser,
    close: () => room.close(),
  };
}

const BOUNDARY = '----gifchat-bench-upload';

/** A form with one file field `gif`, as a browser sends it: built before the clock starts. */
const multipart = (gif: Buffer, filename: string) =>
  Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="gif"; filename="${filename}"\r\n` +
        'Content-Type: image/gif\r\n\r\n',
    ),
    gif,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);

async function measure(ctx: Context, kind: Kind, gif: Buffer): Promise<Measured> {
  const bodies = Array.from({ length: UPLOADS }, (_, i) => multipart(gif, `bench${i}.gif`));
  const name = freshName('uploads');
  const server = await start(kind, ctx.db.urlOf(name));
  let target: Awaited<ReturnType<typeof uploader>> | undefined;
  try {
    target = await uploader(kind, server.url);
    await sleep(500);
    const before = await server.rss();
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await server.rss());
        await sleep(10);
      }
    })();
    const started = performance.now();
    await Promise.all(
      bodies.map(async (body) => {
        const res = await target!.browser.post(
          target!.path,
          { ...target!.headers, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
          body,
        );
        if (res.status !== target!.expect)
          throw new Error(`${LABELS[kind]} upload: ${res.status} ${res.text.slice(0, 200)}`);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    sampling = false;
    await sampler;
    ctx.log(
      `uploads: ${LABELS[kind]} ${seconds.toFixed(2)} s, +${((peak - before) / MB).toFixed(1)} MB`,
    );
    return { seconds, growth: peak - before };
  } finally {
    target?.close();
    await server.stop();
    await ctx.db.drop(name);
  }
}

export async function uploads(ctx: Context): Promise<SectionResult> {
  // 4.9 MB of incompressible frames: under the 5 MB limit every server applies.
  const gif = noiseGif(1000, 1080, 4);
  // Short measurements (under a second), which move by a third between rounds: five of each,
  // interleaved, and the median.
  const rounds = ctx.quick ? 2 : 5;
  const results = await interleaved(rounds, KINDS, (kind) => measure(ctx, kind, gif));
  const seconds = (kind: Kind) => median(results(kind).map((r) => r.seconds));
  const growth = (kind: Kind) => median(results(kind).map((r) => r.growth));
  const cell = (kind: Kind) =>
    `${seconds(kind).toFixed(2)} s, +${(growth(kind) / MB).toFixed(0)} MB`;
  const againstChecked = (kind: Kind) =>
    `${ratio(seconds(kind) / seconds('checked'))}, ${ratio(growth(kind) / growth('checked'))}`;
  return {
    figures: [
      {
        work: `${UPLOADS} concurrent ${(gif.length / MB).toFixed(1)} MB uploads: time, peak RSS growth (median of ${rounds})`,
        cells: {
          baseline: cell('multer'),
          classic: cell('classic'),
          dev: cell('dev'),
          prod: cell('prod'),
        },
      },
      {
        work:
          'the same against multer doing the checks too (SHA-256 as written, each content decoded ' +
          'whole once): time, peak RSS growth',
        cells: {
          baseline: cell('checked'),
          dev: againstChecked('dev'),
          prod: againstChecked('prod'),
        },
      },
    ],
    goals: [
      {
        goal: 'upload time ≤ plain multer (× multer, 10% noise allowed)',
        dev: seconds('dev') / seconds('multer'),
        prod: seconds('prod') / seconds('multer'),
        format: ratio,
        ok: (v) => v <= 1.1,
      },
      {
        goal: 'upload peak RSS growth ≤ plain multer (× multer, 10% noise allowed)',
        dev: growth('dev') / growth('multer'),
        prod: growth('prod') / growth('multer'),
        format: ratio,
        ok: (v) => v <= 1.1,
      },
    ],
  };
}
