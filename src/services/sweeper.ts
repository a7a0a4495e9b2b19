import type { Logger } from '../logger';

/** One periodic job of the sweeper: expiring what FerretDB cannot expire by itself (no TTL). */
export interface SweepTask {
  name: string;
  run(now: number): Promise<unknown>;
  /** At most this often on the interval (costly scans need not run every few seconds). */
  everyMs?: number;
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
  private readonly lastRun = new Map<SweepTask, number>();

  constructor(
    private readonly tasks: SweepTask[],
    private readonly deps: { intervalMs: number; logger: Logger },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.run(false), this.deps.intervalMs);
    this.timer.unref();
    void this.run(true);
  }

  /** Runs every task now (tests, operators); one sweep at a time, callers await the one under way. */
  sweep(): Promise<void> {
    return this.run(true);
  }

  private run(all: boolean): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.running ??= this.sweepOnce(all).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the interval and waits for a sweep under way, so nothing touches the database after. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async sweepOnce(all: boolean): Promise<void> {
    for (const task of this.tasks) {
      if (this.closed) return;
      const now = Date.now();
      if (!all && task.everyMs && now - (this.lastRun.get(task) ?? 0) < task.everyMs) continue;
      this.lastRun.set(task, now);
      await task
        .run(now)
        .catch((err: unknown) =>
          this.deps.logger.error('sweep failed', { task: task.name, err: String(err) }),
        );
    }
  }
}
