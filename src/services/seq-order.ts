/**
 * A place in a room's line: the sequence number it was given, settled once when its insert is
 * done. `settle` resolves when the place's turn has come (every earlier place settled, and the
 * releases of those that stored something run).
 */
export interface Place {
  readonly seq: number;
  /**
   * The insert is done: `release` (the message stored) or nothing (a gap: a repeat, a collision,
   * a failure). It runs once every earlier place of the line has been settled and released.
   */
  settle(release?: () => void): Promise<void>;
}

interface Waiting {
  settled: boolean;
  release?: () => void;
  done?: () => void;
}

interface Line {
  /** The number the next place gets. */
  next: number;
  /** Places taken and not yet released, in the order taken (so in increasing seq). */
  waiting: Waiting[];
}

/**
 * Sequence numbers per room, handed out at once (nobody waits for earlier writes to end), and the
 * messages released in their order: whoever hears of message N+1 (the room, the window of newest
 * messages) has heard of N first, or N will never come (a gap). A line is known once `start` has
 * told it where to begin (the newest stored seq plus one).
 */
export class SeqOrder {
  private readonly lines = new Map<string, Line>();

  constructor(private readonly onError: (err: unknown) => void = () => undefined) {}

  knows(key: string): boolean {
    return this.lines.has(key);
  }

  /** The line of `key` begins at `next` (a line already known keeps its own, if higher). */
  start(key: string, next: number): void {
    const line = this.lines.get(key);
    if (line) line.next = Math.max(line.next, next);
    else this.lines.set(key, { next, waiting: [] });
  }

  /**
   * The next place in the line of `key`, at `atLeast` or later (numbers skipped that way were
   * taken elsewhere: nothing waits for them). The line must be known (`start`).
   */
  take(key: string, atLeast = 0): Place {
    const line = this.lines.get(key);
    if (!line) throw new Error(`no sequence line for ${key}`);
    const seq = Math.max(line.next, atLeast);
    line.next = seq + 1;
    const place: Waiting = { settled: false };
    line.waiting.push(place);
    return {
      seq,
      settle: (release) => {
        if (place.settled) return Promise.resolve();
        place.settled = true;
        place.release = release;
        const turn = new Promise<void>((resolve) => (place.done = resolve));
        // The line itself, not a lookup by key: a line forgotten meanwhile still drains in order.
        this.drain(line);
        return turn;
      },
    };
  }

  /** Forgets a line (its room is gone): places still out drain on their own. */
  forget(key: string): void {
    this.lines.delete(key);
  }

  private drain(line: Line): void {
    while (line.waiting[0]?.settled) {
      const head = line.waiting.shift()!;
      try {
        head.release?.();
      } catch (err) {
        // One listener failing must not hold up the messages behind it.
        this.onError(err);
      }
      head.done?.();
    }
  }
}
