import { MediaBusy } from './errors';

export interface QueueLimits {
  /** Tasks running at once. */
  concurrency: number;
  /** Tasks allowed to wait for a slot; beyond that `run` refuses. */
  maxWaiting: number;
}

type Task<T> = (signal: AbortSignal) => Promise<T>;

/**
 * Runs at most `concurrency` tasks at once and lets at most `maxWaiting` wait. Beyond that it
 * refuses at once, so a burst of uploads costs a quick 503 instead of unbounded latency and memory.
 * A slot is freed when the task's promise settles, so a task that owns a child process must
 * settle only once the child has exited.
 */
export class BoundedQueue {
  private readonly running = new Map<AbortController, Promise<unknown>>();
  private readonly waiting: Array<{ start(): void; refuse(): void }> = [];
  private closed = false;

  constructor(private readonly limits: QueueLimits) {
    // With no slot nothing would ever run: every job would wait forever.
    if (!(limits.concurrency >= 1 && limits.maxWaiting >= 0))
      throw new RangeError('a queue needs concurrency ≥ 1 and maxWaiting ≥ 0');
  }

  get load(): { running: number; waiting: number } {
    return { running: this.running.size, waiting: this.waiting.length };
  }

  /** Throws MediaBusy synchronously, having queued nothing, when full or closed. */
  run<T>(task: Task<T>): Promise<T> {
    const full =
      this.running.size >= this.limits.concurrency && this.waiting.length >= this.limits.maxWaiting;
    if (this.closed || full) throw new MediaBusy();
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        const controller = new AbortController();
        const settled = new Promise<T>((res) => res(task(controller.signal)))
          .then(resolve, reject)
          .finally(() => {
            this.running.delete(controller);
            if (!this.closed) this.waiting.shift()?.start();
          });
        this.running.set(controller, settled);
      };
      if (this.running.size < this.limits.concurrency) start();
      else this.waiting.push({ start, refuse: () => reject(new MediaBusy()) });
    });
  }

  /** Refuses the waiting tasks, aborts the running ones, and resolves once they have all settled. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) job.refuse();
    for (const controller of this.running.keys()) controller.abort();
    await Promise.allSettled(this.running.values());
  }
}
