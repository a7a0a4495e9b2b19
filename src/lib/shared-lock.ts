/** A held lock: given back once with `release`; `share` lets others who only share it in. */
export interface Claim {
  release: () => void;
  /** An exclusive claim becomes a shared one at once: no exclusive claim can come in between. */
  share: () => void;
}

interface Waiter {
  exclusive: boolean;
  grant(): void;
}

interface Key {
  /** Claims held: several shared ones, or one exclusive. */
  held: number;
  exclusive: boolean;
  /** In arrival order: a shared claim never overtakes an exclusive one waiting before it. */
  waiting: Waiter[];
}

/**
 * Shared and exclusive claims per key, in this process: any number share a key at once, an
 * exclusive claim has it alone. Claims are granted in arrival order, so a stream of shared ones
 * cannot starve an exclusive one.
 */
export class SharedLock {
  private readonly keys = new Map<string, Key>();

  exclusive(key: string): Promise<Claim> {
    return this.acquire(key, true);
  }

  shared(key: string): Promise<Claim> {
    return this.acquire(key, false);
  }

  private acquire(key: string, exclusive: boolean): Promise<Claim> {
    let state = this.keys.get(key);
    if (!state) this.keys.set(key, (state = { held: 0, exclusive: false, waiting: [] }));
    const entry = state;
    return new Promise((resolve) => {
      const grant = () => {
        entry.held++;
        entry.exclusive = exclusive;
        resolve(this.claim(key, entry));
      };
      const free = entry.held === 0;
      const joins = !exclusive && !entry.exclusive && entry.waiting.length === 0;
      if (free || joins) grant();
      else entry.waiting.push({ exclusive, grant });
    });
  }

  private claim(key: string, entry: Key): Claim {
    let done = false;
    return {
      release: () => {
        if (done) return;
        done = true;
        entry.held--;
        if (entry.held === 0) entry.exclusive = false;
        this.pump(key, entry);
      },
      share: () => {
        if (done || !entry.exclusive) return;
        entry.exclusive = false;
        this.pump(key, entry);
      },
    };
  }

  /** Grants what may run now: the first exclusive claim once free, or the shared ones at the head. */
  private pump(key: string, entry: Key): void {
    while (entry.waiting.length > 0) {
      const next = entry.waiting[0]!;
      if (next.exclusive ? entry.held > 0 : entry.exclusive) return;
      entry.waiting.shift();
      next.grant();
      if (next.exclusive) return;
    }
    if (entry.held === 0) this.keys.delete(key);
  }
}
