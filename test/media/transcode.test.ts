import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { getPriority } from 'node:os';
import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { MediaBusy } from '../../src/media/errors';
import { Transcoder, type TranscodeOutcome } from '../../src/media/transcode';
import { hostileFiles, makeGif, tempDir } from './fixtures';
import { ffmpegInfo, mp4Boxes } from './mp4';
import { bounded, eventually } from '../support/wait';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let small: string;
let odd: string;
let heavy: string;
const transcoders: Transcoder[] = [];
const transcoder = (options: ConstructorParameters<typeof Transcoder>[0] = {}) => {
  const t = new Transcoder(options);
  transcoders.push(t);
  return t;
};

beforeAll(async () => {
  tmp = await tempDir('transcode');
  [small, odd, heavy] = await Promise.all([
    makeGif(tmp.file('small.gif')),
    makeGif(tmp.file('odd.gif'), { size: '161x121', seconds: 1 }),
    makeGif(tmp.file('heavy.gif'), { size: '320x240', rate: 25, seconds: 8 }),
  ]);
});
afterAll(async () => {
  await Promise.all(transcoders.map((t) => t.close()));
  await tmp.remove();
});

/** Counts live children, to observe the concurrency bound from outside. */
function spawnCounter() {
  const seen = { live: 0, max: 0, children: [] as ChildProcess[] };
  const onSpawn = (child: ChildProcess) => {
    seen.children.push(child);
    seen.max = Math.max(seen.max, ++seen.live);
    child.once('close', () => seen.live--);
  };
  return { seen, onSpawn };
}

/** A FIFO as a GIF's path: ffmpeg reading it waits until the test writes (or forever). */
async function fifo(name: string): Promise<string> {
  const file = tmp.file(name);
  await promisify(execFile)('mkfifo', [file]);
  return file;
}

test('a GIF becomes a faststart H.264 MP4, smaller than the GIF', async () => {
  const out = tmp.file('small.mp4');
  const outcome = await transcoder().video(small, out).done;
  expect(outcome).toMatchObject({ ok: true, bytes: (await stat(out)).size });
  expect((await stat(out)).size).toBeLessThan((await stat(small)).size);
  const boxes = await mp4Boxes(out);
  expect(boxes[0]).toBe('ftyp');
  expect(boxes.indexOf('moov')).toBeGreaterThan(-1);
  expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
  const info = await ffmpegInfo(out);
  expect(info).toMatch(/Video: h264 .*yuv420p.*160x120/);
  expect(info).not.toMatch(/Audio:/);
});

test('children run niced: videos are made after the answer, and yield the CPU to requests', async () => {
  const niceness: number[] = [];
  const t = transcoder({ onSpawn: (child) => niceness.push(getPriority(child.pid)) });
  const outcome = await t.video(small, tmp.file('niced.mp4')).done;
  expect(outcome.ok).toBe(true);
  expect(niceness).toEqual([10]);
});

test('odd sizes are rounded down to even ones (yuv420p needs them)', async () => {
  const out = tmp.file('odd.mp4');
  expect((await transcoder().video(odd, out).done).ok).toBe(true);
  expect(await ffmpegInfo(out)).toMatch(/Video: h264 .*160x120/);
});

test('videos are scaled down to fit the largest side, keeping the aspect ratio', async () => {
  const out = tmp.file('fit.mp4');
  expect((await transcoder({ maxVideoSide: 100 }).video(small, out).done).ok).toBe(true);
  // 160×120 into 100×100: 100×75, rounded down to even sizes.
  expect(await ffmpegInfo(out)).toMatch(/Video: h264 .*100x74/);
});

test('the poster is the first frame as a WebP of the GIF size', async () => {
  const poster = await transcoder().poster(small);
  expect(poster).toMatchObject({ width: 160, height: 120 });
  const meta = await sharp(poster!.data).metadata();
  expect(meta).toMatchObject({ format: 'webp', width: 160, height: 120 });
  expect(meta.pages ?? 1).toBe(1);
});

test('a poster of something sharp cannot read is null, not a throw', async () => {
  const { text } = await hostileFiles(tmp.dir, small);
  expect(await transcoder().poster(text)).toBeNull();
});

test('at most N children run at once; a full waiting room refuses at once with MediaBusy', async () => {
  const { seen, onSpawn } = spawnCounter();
  const t = transcoder({ concurrency: 2, maxWaiting: 3, onSpawn });
  const jobs = Array.from({ length: 5 }, (_, i) => t.video(small, tmp.file(`q${i}.mp4`)));
  expect(t.load).toEqual({ running: 2, waiting: 3 });
  let refused: unknown;
  try {
    t.video(small, tmp.file('q-refused.mp4'));
  } catch (err) {
    refused = err;
  }
  expect(refused).toBeInstanceOf(MediaBusy);
  expect(refused).toMatchObject({ code: 'media_busy', status: 503 });
  const outcomes = await Promise.all(jobs.map((j) => j.done));
  expect(outcomes.every((o) => o.ok)).toBe(true);
  expect(seen.children).toHaveLength(5);
  expect(seen.max).toBe(2);
  expect(t.load).toEqual({ running: 0, waiting: 0 });
  expect(existsSync(tmp.file('q-refused.mp4'))).toBe(false);
});

test('a job over its time limit is killed (SIGKILL) and yields no video', async () => {
  const { seen, onSpawn } = spawnCounter();
  const out = tmp.file('slow.mp4');
  // Its input never comes: the job outlives any time limit, however fast the machine.
  const outcome = await transcoder({ timeoutMs: 50, onSpawn }).video(await fifo('never.gif'), out)
    .done;
  expect(outcome).toMatchObject({ ok: false, reason: 'timeout' });
  expect(seen.children[0]!.signalCode).toBe('SIGKILL');
  expect(existsSync(out)).toBe(false);
});

test.each([
  ['a missing ffmpeg binary', { ffmpegPath: '/nonexistent/ffmpeg' }, 'small'],
  ['ffmpeg failing on its input', {}, 'text'],
] as const)('%s yields no video, not a throw', async (_label, options, input) => {
  const { text } = await hostileFiles(tmp.dir, small);
  const out = tmp.file(`fail-${input}.mp4`);
  const outcome = await transcoder(options).video(input === 'text' ? text : small, out).done;
  expect(outcome).toMatchObject({ ok: false, reason: 'failed' });
  expect(existsSync(out)).toBe(false);
});

test('close() kills the running children, flushes the waiting jobs and refuses new ones', async () => {
  const { seen, onSpawn } = spawnCounter();
  const t = transcoder({ concurrency: 1, maxWaiting: 2, onSpawn });
  const jobs = [0, 1, 2].map((i) => t.video(heavy, tmp.file(`closing${i}.mp4`)));
  // The first is running (its child spawned a turn after it was queued) when close() comes.
  await eventually(() => seen.live === 1, { what: 'the first child to start' });
  await t.close();
  const outcomes: TranscodeOutcome[] = await Promise.all(jobs.map((j) => j.done));
  expect(outcomes.map((o) => !o.ok && o.reason)).toEqual(['closed', 'closed', 'closed']);
  expect(seen.children).toHaveLength(1);
  expect(seen.children[0]!.signalCode).toBe('SIGKILL');
  expect(seen.live).toBe(0);
  expect(() => t.video(small, tmp.file('late.mp4'))).toThrow(MediaBusy);
});

test('a job closed in the turn that queued it starts no child', async () => {
  const { seen, onSpawn } = spawnCounter();
  const t = transcoder({ onSpawn });
  const job = t.video(heavy, tmp.file('never.mp4'));
  await t.close();
  expect(await job.done).toMatchObject({ ok: false, reason: 'closed', ms: 0 });
  expect(seen.children).toHaveLength(0);
});

test('transcoding does not hold the event loop', async () => {
  // ffmpeg reads a FIFO nobody writes to yet, so its child stays alive until this test feeds it:
  // only a run that leaves the event loop free lets the test go on (timers fire, the child is
  // seen, the input is written) while the child runs. A blocking run would never return.
  const held = await fifo('held.gif');
  const { seen, onSpawn } = spawnCounter();
  const job = transcoder({ onSpawn }).video(held, tmp.file('held.mp4'));
  await eventually(() => seen.live === 1, { what: 'ffmpeg to start on the held input' });
  expect(seen.children[0]!.exitCode).toBeNull();
  await writeFile(held, await readFile(small));
  const outcome = await bounded(job.done, { what: 'the held transcode to end' });
  expect(outcome).toMatchObject({ ok: true });
  expect(seen.live).toBe(0);
});
