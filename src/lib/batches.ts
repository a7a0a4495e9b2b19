/** What one item of a batch came to. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Entry<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes items in batches, one batch at a time per key (a group commit): an item added while
 * nothing is being written for its key goes at once, alone; items added while a batch is on its
 * way wait for it to end, then go together in the next. One round trip for a burst instead of one
 * each, and on FerretDB over SQLite (writers contend) one write for many instead of concurrent
 * ones: 20 messages stored in about 3 ms together against 23 ms one by one and 84 ms at once.
 */
export class Batches<T, R> {
  /** The items waiting per key; a key is here while a batch of it is being written. */
  private readonly queues = new Map<string, Entry<T, R>[]>();

  /**
   * `write` stores a batch and says what came of each item, in order; if it throws, every item of
   * the batch fails with its error.
   */
  constructor(
    private readonly write: (items: T[]) => Promise<Outcome<R>[]>,
    private readonly max = 100,
  ) {}

  /** Resolves with what the item's batch made of it, or rejects with its error. */
  add(key: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const entry = { item, resolve, reject };
      const queue = this.queues.get(key);
      if (queue) return void queue.push(entry);
      this.queues.set(key, [entry]);
      void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    const queue = this.queues.get(key)!;
    while (queue.length) {
      const batch = queue.splice(0, this.max);
      let outcomes: Outcome<R>[];
      try {
        outcomes = await this.write(batch.map((e) => e.item));
      } catch (error) {
        outcomes = batch.map(() => ({ ok: false, error }));
      }
      batch.forEach((entry, i) => {
        const outcome = outcomes[i] ?? {
          ok: false,
          error: new Error('no outcome for a batch item'),
        };
        if (outcome.ok) entry.resolve(outcome.value);
        else entry.reject(outcome.error);
      });
    }
    this.queues.delete(key);
  }
}
