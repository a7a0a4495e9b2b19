/* GIFs on the wire and on the event loop: what a GIF message costs to serve as a video and a poster
 * instead of the original, what transcoding costs, and what processing 20 uploads at once does to
 * the event loop compared with storing them as they are (processing off, as GifChat did before).
 * Standalone: `npx ts-node --transpile-only bench/gifs.ts` prints markdown tables. */
import { randomBytes } from 'node:crypto';
import { copyFile, rm, stat } from 'node:fs/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { LocalStore } from '../src/media/local-store';
import { ingestGif } from '../src/media/pipeline';
import { Transcoder } from '../src/media/transcode';
import { makeGif, tempDir } from '../test/media/fixtures';

const UPLOADS = 20;
const ROUNDS = 3;
const SIZES = ['320x240', '400x300', '256x192', '480x270'];
const SECONDS = [2, 3, 4, 5, 6];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

type Tmp = Awaited<ReturnType<typeof tempDir>>;

/** Twenty different animated GIFs (testsrc's counter makes every duration different bytes). */
async function fixtures(tmp: Tmp): Promise<{ file: string; size: string; seconds: number }[]> {
  const out = [];
  for (const size of SIZES)
    for (const seconds of SECONDS) {
      const file = tmp.file(`${size}-${seconds}s.gif`);
      out.push({ file: await makeGif(file, { size, seconds }), size, seconds });
    }
  return out.slice(0, UPLOADS);
}

/** A copy the pipeline may consume (it removes its input). */
async function upload(tmp: Tmp, file: string): Promise<string> {
  const copy = tmp.file(`upload-${randomBytes(6).toString('hex')}.gif`);
  await copyFile(file, copy);
  return copy;
}

/**
 * The event loop's p99 delay (ms) over at least `windowMs` from when `work` starts (so a quick
 * baseline is measured over as long a window as the slow one), and how long the work took.
 */
async function underLoad(
  work: () => Promise<unknown>,
  windowMs = 0,
): Promise<{ p99: number; ms: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const start = performance.now();
  await work();
  const ms = performance.now() - start;
  if (ms < windowMs) await new Promise((resolve) => setTimeout(resolve, windowMs - ms));
  histogram.disable();
  return { p99: histogram.percentile(99) / 1e6, ms };
}

async function main() {
  const tmp = await tempDir('bench');
  try {
    process.stderr.write(`making ${UPLOADS} GIFs with ffmpeg…\n`);
    const gifs = await fixtures(tmp);

    // Bytes a reader fetches per GIF message: poster + video (what the player loads) vs the GIF.
    const store = new LocalStore(tmp.file('store'));
    const transcoder = new Transcoder({ maxWaiting: UPLOADS });
    const rows: string[] = [];
    let gifBytes = 0;
    let servedBytes = 0;
    for (const gif of gifs.filter((g) => g.seconds === 4)) {
      const ingested = await ingestGif(await upload(tmp, gif.file), { store, transcoder });
      // The answer comes after the checks; the poster and video are made after it.
      const result = { ...ingested, ...(await ingested.media) };
      const size = async (name?: string) => (name ? ((await store.stat(name))?.size ?? 0) : 0);
      const [original, poster, video] = await Promise.all([
        size(result.gif),
        size(result.poster),
        size(result.video),
      ]);
      gifBytes += original;
      servedBytes += poster + (video || original);
      rows.push(
        `| ${gif.size}, ${gif.seconds} s, ${result.frames} frames | ${kb(original)} | ${kb(video)} + ${kb(poster)} | ${(original / (poster + (video || original))).toFixed(1)}× |`,
      );
    }

    // Transcode time per MB of GIF: one job at a time, so each has a core to itself.
    const perMb: number[] = [];
    for (const gif of gifs) {
      const outcome = await transcoder.video(gif.file, tmp.file('one.mp4')).done;
      const bytes = (await stat(gif.file)).size;
      if (outcome.ok) perMb.push(outcome.ms / (bytes / 1048576));
      await rm(tmp.file('one.mp4'), { force: true });
    }

    // 20 uploads at once: the pipeline (decode, hash, poster, ffmpeg children, store) vs storing
    // each file as it came, under a random name (processing off). Interleaved rounds, each with a
    // fresh store (the pipeline would otherwise find every GIF already stored).
    const on: { p99: number; ms: number }[] = [];
    const off: { p99: number; ms: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const inputs = await Promise.all(gifs.map((g) => upload(tmp, g.file)));
      const fresh = new LocalStore(tmp.file(`on-${round}`));
      on.push(
        await underLoad(() =>
          Promise.all(
            inputs.map(async (file) => (await ingestGif(file, { store: fresh, transcoder })).media),
          ),
        ),
      );
      const plain = new LocalStore(tmp.file(`off-${round}`));
      const copies = await Promise.all(gifs.map((g) => upload(tmp, g.file)));
      off.push(
        await underLoad(
          () =>
            Promise.all(
              copies.map(async (file) => {
                await plain.put(`${randomBytes(16).toString('hex')}.gif`, file, 'image/gif');
                await rm(file);
              }),
            ),
          on.at(-1)?.ms,
        ),
      );
    }
    await transcoder.close();

    const p99On = median(on.map((r) => r.p99));
    const p99Off = median(off.map((r) => r.p99));
    const out = [
      '',
      `### GIFs (${new Date().toISOString().slice(0, 10)}, ${UPLOADS} testsrc GIFs, transcoding 2 at a time)`,
      '',
      '| GIF | original | video + poster | smaller by |',
      '| --- | --- | --- | --- |',
      ...rows,
      '',
      '| measure | GifChat | baseline | ratio |',
      '| --- | --- | --- | --- |',
      `| bytes served per GIF message (video + poster vs the original GIF) | ${kb(servedBytes / rows.length)} | ${kb(gifBytes / rows.length)} | ${(gifBytes / servedBytes).toFixed(1)}× |`,
      `| transcode time per MB of GIF (median of ${perMb.length}; min–max ${Math.min(...perMb).toFixed(0)}–${Math.max(...perMb).toFixed(0)} ms) | ${median(perMb).toFixed(0)} ms | — | — |`,
      `| event-loop delay p99 while ${UPLOADS} uploads are processed (vs stored as they are, same window; median of ${ROUNDS}) | ${p99On.toFixed(1)} ms | ${p99Off.toFixed(1)} ms | +${(p99On - p99Off).toFixed(1)} ms |`,
      `| time to take ${UPLOADS} uploads (processed vs stored as they are) | ${median(on.map((r) => r.ms)).toFixed(0)} ms | ${median(off.map((r) => r.ms)).toFixed(0)} ms | — |`,
      '',
    ];
    process.stdout.write(out.join('\n'));
  } finally {
    await tmp.remove();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

export { main as benchGifs };
