// The history of committed transactions (brkt; upstream keeps none): who committed what, when,
// with old and new values, secrets redacted. One JSON line per commit, appended after the
// commit is durable (a crash in between loses the line, never the commit).
import { isSecretKey, REDACTED } from '../model/secrets';
import { isTombstone, type StoredValue } from '../datastore/store';
import type { HostFiles } from '../../platform/types';

export interface HistoryChange {
  key: string;
  /** Parsed JSON values; `null` when the key was not set (old) or was removed (new). */
  old: unknown;
  new: unknown;
}

export interface HistoryEntry {
  id: number;
  time: string;
  tx: string;
  /** The peer's uid from the socket; `null` because Bun does not expose SO_PEERCRED. */
  uid: number | null;
  changes: HistoryChange[];
}

const valueOf = (text: string | undefined, secret: boolean): unknown => {
  if (text === undefined || isTombstone(text)) return null;
  return secret ? REDACTED : JSON.parse(text);
};

export class CommitHistory {
  private constructor(private readonly files: HostFiles, readonly path: string, private readonly entries: HistoryEntry[]) {}

  static async load(files: HostFiles, path: string): Promise<CommitHistory> {
    const text = (await files.readTextIfExists(path)) ?? '';
    const entries: HistoryEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        entries.push(JSON.parse(line) as HistoryEntry);
      } catch {
        // A torn last line from a crash mid-append: skip it, the commit itself is intact.
      }
    }
    return new CommitHistory(files, path, entries);
  }

  private buffered: string[] = [];
  private writing?: Promise<void>;

  /** Waits for appends still in flight. */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Appends everything buffered in one write, again until the buffer stays empty. */
  private flush(): Promise<void> {
    this.writing ??= (async () => {
      try {
        while (this.buffered.length) {
          const lines = this.buffered.splice(0).join('');
          await this.files.append(this.path, lines);
        }
      } finally {
        this.writing = undefined;
      }
    })();
    return this.writing;
  }

  list(): HistoryEntry[] {
    return this.entries;
  }

  async record(tx: string, committed: StoredValue[], before: (name: string) => string | undefined, time: Date): Promise<HistoryEntry> {
    const entry: HistoryEntry = {
      id: (this.entries.at(-1)?.id ?? 0) + 1,
      time: time.toISOString(),
      tx,
      uid: null,
      changes: committed.map(value => {
        const secret = isSecretKey(value.key.segments);
        return { key: value.key.name, old: valueOf(before(value.key.name), secret), new: valueOf(value.text, secret) };
      }),
    };
    this.entries.push(entry);
    // Lines queue in commit order and go out together: one append for a burst of commits.
    this.buffered.push(JSON.stringify(entry) + '\n');
    await this.flush();
    return entry;
  }
}
