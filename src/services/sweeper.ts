import type { Logger } from '../logger';

/** One periodic job of the sweeper: expiring what FerretDB cannot expire by itself (no TTL). */
export interface SweepTask {
  name: string;
  run(now: number): Promise<unknown>;
}

/**
 * Runs its tasks every `intervalMs`, one sweep at a time, each task's failure logged and the
 * others still run. Every write a task makes is acknowledged: an unacknowledged one (w: 0) makes
 * FerretDB answer it anyway, and the driver then hands that answer to the next command.
 */
export class Sweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private closed = false;

  constructor(
    private readonly tasks: SweepTask[],
    private readonly deps: { intervalMs: number; logger: Logger },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.deps.intervalMs);
    this.timer.unref();
    void this.sweep();
  }

  /** One sweep at a time; callers (tests, the interval) await the one under way. */
  sweep(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the interval and waits for a sweep under way, so nothing touches the database after. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async sweepOnce(): Promise<void> {
    for (const task of this.tasks) {
      if (this.closed) return;
      await task
        .run(Date.now())
        .catch((err: unknown) =>
          this.deps.logger.error('sweep failed', { task: task.name, err: String(err) }),
        );
    }
  }
}
