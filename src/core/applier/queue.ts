// Serializes and coalesces applies, fixing upstream's race (bottlerocket#1711): two quick
// commits started two appliers that could finish out of order, leaving a stale file or a
// service restarted before its last change was written.

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

interface Batch {
  /** `undefined` = everything (all mode). */
  keys: Set<string> | undefined;
  waiters: Waiter[];
}

/**
 * At most one apply runs at a time. Requests that arrive meanwhile are merged into one batch
 * (union of keys; all mode absorbs the rest) that starts when the running apply ends, and so
 * reads the settings as they are after the last commit. Each caller's promise settles with the
 * first apply that started after its request, so "committed, then applied" always holds.
 */
export class ApplyQueue {
  private next: Batch | undefined;
  private draining = false;

  constructor(private readonly run: (keys: string[] | undefined) => Promise<void>) {}

  /** Requests waiting for the running apply to end. */
  get waiting(): number {
    return this.next?.waiters.length ?? 0;
  }

  submit(keys: string[] | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const batch = (this.next ??= { keys: new Set(), waiters: [] });
      if (keys === undefined) batch.keys = undefined;
      else if (batch.keys) for (const key of keys) batch.keys.add(key);
      batch.waiters.push({ resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain() {
    this.draining = true;
    try {
      while (this.next) {
        const batch = this.next;
        this.next = undefined;
        try {
          await this.run(batch.keys ? [...batch.keys] : undefined);
          for (const waiter of batch.waiters) waiter.resolve();
        } catch (error) {
          for (const waiter of batch.waiters) waiter.reject(error);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
