// Locks of the datastore (api.md 1.3): writers queue in arrival order. Reads of live data come
// from the in-memory view, which a commit updates in one synchronous step, so they need no lock.

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

/** One Mutex per name (per transaction), dropped again when idle. */
export class KeyedMutex {
  private readonly locks = new Map<string, { mutex: Mutex; users: number }>();

  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    let entry = this.locks.get(name);
    if (!entry) this.locks.set(name, (entry = { mutex: new Mutex(), users: 0 }));
    entry.users++;
    try {
      return await entry.mutex.run(work);
    } finally {
      if (--entry.users === 0) this.locks.delete(name);
    }
  }
}
