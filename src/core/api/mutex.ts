// The datastore's write lock (api.md 1.3): writers queue in arrival order. Reads of live data
// come from the in-memory view, which a commit swaps in one synchronous step, so they need no lock.

export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `work` once every earlier holder has finished; errors pass through to the caller. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
