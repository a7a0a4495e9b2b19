import { spawn, type ChildProcess } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import sharp from 'sharp';
import type { Logger } from '../logger';
import { MediaBusy } from './errors';
import { BoundedQueue } from './queue';

export interface TranscodeOptions {
  ffmpegPath: string;
  /** ffmpeg children running at once. */
  concurrency: number;
  /** Jobs waiting for a child; one more is refused with MediaBusy (503). */
  maxWaiting: number;
  /** A child still running after this is killed (SIGKILL) and the job yields no video. */
  timeoutMs: number;
  /** x264 quality: lower is better and bigger. GIF content is 256 colours, so 26 loses little. */
  crf: number;
  /**
   * Videos are scaled down to fit this square. Measured: a 185-byte GIF of eleven frames on a
   * 4096×4096 screen kept ffmpeg busy 9 s at 1.1 GB when encoded at full size; past ~1280 a
   * GIF gains little as video, and phones may not play larger H.264 anyway.
   */
  maxVideoSide: number;
  preset: string;
  posterQuality: number;
  /** libwebp's effort (0–6) for posters. */
  posterEffort: number;
  /**
   * The children's niceness (0–19). Videos are made after their upload was answered, so they
   * yield the CPU to the requests being answered rather than compete with them.
   */
  niceness: number;
  /** Sees each child as it starts (metrics, tests). */
  onSpawn?: (child: ChildProcess) => void;
  logger?: Logger;
}

export const DEFAULT_TRANSCODE_OPTIONS: Readonly<TranscodeOptions> = Object.freeze({
  ffmpegPath: ffmpeg.path,
  concurrency: 2,
  maxWaiting: 8,
  timeoutMs: 15_000,
  crf: 26,
  maxVideoSide: 1280,
  // Measured on testsrc GIFs: veryfast is 1.5–2× faster than medium and its files are no larger.
  preset: 'veryfast',
  posterQuality: 80,
  // Measured on 1000×1080 first frames: 2 instead of the default 4 takes half the time, and half
  // the memory on noisy frames (18 MB, not 35), for posters within 3% of the size.
  posterEffort: 2,
  niceness: 10,
});

type Failure = { ok: false; reason: 'timeout' | 'failed' | 'closed'; detail: string };

/** `ms` is the child's run time (0 when it never ran). */
export type TranscodeOutcome = ({ ok: true; bytes: number } | Failure) & { ms: number };

/** A job admitted to the queue; `done` never rejects: a failure is an outcome without video. */
export interface TranscodeJob {
  readonly done: Promise<TranscodeOutcome>;
}

export interface Poster {
  data: Buffer;
  width: number;
  height: number;
}

/** GIF → H.264 MP4 through ffmpeg children, bounded in number, waiting room and time. */
export class Transcoder {
  private readonly options: TranscodeOptions;
  private readonly queue: BoundedQueue;

  constructor(options: Partial<TranscodeOptions> = {}) {
    this.options = { ...DEFAULT_TRANSCODE_OPTIONS, ...options };
    this.queue = new BoundedQueue(this.options);
  }

  get load(): { running: number; waiting: number } {
    return this.queue.load;
  }

  /**
   * Queues `input` (an inspected GIF) to become an MP4 at `output`. Throws MediaBusy at once when
   * the waiting room is full, so a caller can refuse before storing anything. On any failure the
   * partial output is removed.
   */
  video(input: string, output: string): TranscodeJob {
    const done = this.queue
      .run((signal) => this.runFfmpeg(input, output, signal))
      .catch((err: unknown) =>
        err instanceof MediaBusy
          ? { ...failure('closed', 'closed before it started'), ms: 0 }
          : { ...failure('failed', String(err)), ms: 0 },
      );
    return { done };
  }

  /** The first frame as WebP, or null if it cannot be made (the caller does without). */
  async poster(input: string): Promise<Poster | null> {
    try {
      const { data, info } = await sharp(input, {
        pages: 1,
        failOn: 'warning',
        sequentialRead: true,
      })
        .webp({ quality: this.options.posterQuality, effort: this.options.posterEffort })
        .toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height };
    } catch (err) {
      this.options.logger?.warn('poster failed', { input, err: String(err) });
      return null;
    }
  }

  /** Kills the running children and refuses the waiting jobs (they yield no video). */
  close(): Promise<void> {
    return this.queue.close();
  }

  private async runFfmpeg(
    input: string,
    output: string,
    signal: AbortSignal,
  ): Promise<TranscodeOutcome> {
    // Spawning blocks the event loop for milliseconds (a fork of this process): it waits for the
    // turn that admitted the job to end, so the upload that queued it goes on first.
    await new Promise((next) => setImmediate(next));
    if (signal.aborted) return { ...failure('closed', 'closed before it started'), ms: 0 };
    const started = performance.now();
    const outcome = await this.spawnAndWait(this.args(input, output), signal);
    const ms = Math.round(performance.now() - started);
    const bytes = outcome.ok
      ? await stat(output).then(
          (s) => s.size,
          () => 0,
        )
      : 0;
    if (outcome.ok && bytes > 0) return { ok: true, bytes, ms };
    await rm(output, { force: true });
    const result = { ...(outcome.ok ? failure('failed', 'empty output') : outcome), ms };
    this.options.logger?.warn('transcode failed', { input, ...result });
    return result;
  }

  private args(input: string, output: string): string[] {
    const { crf, preset, maxVideoSide: side } = this.options;
    // Fit in side × side without enlarging, and round down to even sizes, which yuv420p needs.
    // (This ffmpeg predates force_divisible_by; the quotes keep the commas out of the filtergraph.)
    const fit = `min(1,min(${side}/iw,${side}/ih))`;
    const scale = `scale='trunc(iw*${fit}/2)*2':'trunc(ih*${fit}/2)*2'`;
    // prettier-ignore
    return [
      '-hide_banner', '-nostdin', '-v', 'error',
      // Untrusted input: the GIF demuxer only, reading local files only.
      '-protocol_whitelist', 'file', '-f', 'gif', '-i', `file:${input}`,
      '-map', '0:v:0', '-map_metadata', '-1', '-an', '-sn', '-dn',
      '-c:v', 'libx264', '-preset', preset, '-crf', String(crf), '-pix_fmt', 'yuv420p',
      // The queue provides the parallelism, so one thread per child.
      '-vf', scale, '-threads', '1',
      // The index (moov) first, so a browser starts playing before the whole file arrives.
      '-movflags', '+faststart',
      '-f', 'mp4', '-y', `file:${output}`,
    ];
  }

  /** Resolves when the child has exited (its slot is only free then), never rejects. */
  private spawnAndWait(args: string[], signal: AbortSignal) {
    return new Promise<{ ok: true } | Failure>((resolve) => {
      const child = spawn(this.options.ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      if (child.pid && this.options.niceness)
        try {
          setPriority(child.pid, this.options.niceness);
        } catch {
          // Not allowed here (some containers): it runs at normal priority.
        }
      let killedFor: 'timeout' | 'closed' | undefined;
      const kill = (reason: 'timeout' | 'closed') => {
        killedFor ??= reason;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => kill('timeout'), this.options.timeoutMs);
      const onAbort = () => kill('closed');
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (text: string) => {
        stderr = (stderr + text).slice(-1000);
      });
      let spawnError: Error | undefined;
      // A child that could not start emits 'error' and then 'close'; settle once, on 'close'.
      child.on('error', (err) => (spawnError ??= err));
      child.once('close', (code, sig) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (killedFor) resolve(failure(killedFor, `killed (${sig ?? 'SIGKILL'})`));
        else if (spawnError) resolve(failure('failed', spawnError.message));
        else if (code !== 0) resolve(failure('failed', `exit ${code}: ${stderr.trim()}`));
        else resolve({ ok: true });
      });
      this.options.onSpawn?.(child);
    });
  }
}

function failure(reason: Failure['reason'], detail: string): Failure {
  return { ok: false, reason, detail };
}
