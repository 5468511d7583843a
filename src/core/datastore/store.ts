// The filesystem datastore: one file per key under live/ and pending/<tx>/, metadata beside its
// data key, and commits that survive a crash at any instant. Mirrors upstream datastore's
// filesystem.rs (datastore.md sections 2, 4, 6, 7, 8).
import { BrktError, messageOf } from '../errors';
import { decodeSegment, encodeSegment } from './encoding';
import { keyFromSegments, parseKey, type Key } from './key';
import type { HostFiles } from '../../platform/types';

/** `undefined` means live; a string names a pending transaction. */
export type Committed = string | undefined;

export interface StoredValue {
  key: Key;
  text: string;
}

/** Metadata of live: data key name -> metadata name -> JSON text. */
export type MetadataMap = Map<string, Map<string, string>>;

/** Written before a multi-key commit touches live/; its presence at start-up means "roll forward". */
export const COMMIT_MARKER = 'commit-in-progress';

/** The pending value that stages a removal. */
export const TOMBSTONE = 'null';
export const isTombstone = (text: string) => text.trim() === TOMBSTONE;

const isTempName = (name: string) => name.startsWith('.') && name.endsWith('.tmp');

export class Datastore {
  constructor(private readonly files: HostFiles, readonly path: string) {}

  get livePath() {
    return `${this.path}/live`;
  }

  get pendingPath() {
    return `${this.path}/pending`;
  }

  baseOf(tx: Committed): string {
    return tx === undefined ? this.livePath : `${this.pendingPath}/${encodeSegment(tx)}`;
  }

  dataPath(key: Key, tx?: Committed): string {
    return `${this.baseOf(tx)}/${key.segments.map(encodeSegment).join('/')}`;
  }

  /** Metadata sits next to the data file: `live/settings/motd.affected-services`. */
  metadataPath(key: Key, meta: string): string {
    return `${this.dataPath(key)}.${encodeSegment(parseKey(meta, 'meta').segments[0]!)}`;
  }

  async exists(): Promise<boolean> {
    return (await this.files.info(this.livePath))?.isDirectory === true;
  }

  async getKey(key: Key, tx?: Committed): Promise<string | undefined> {
    try {
      return await this.files.readTextIfExists(this.dataPath(key, tx));
    } catch (error) {
      throw new BrktError('io', `Data store error during read of '${key.name}': ${messageOf(error)}`);
    }
  }

  /** One atomic write: temp file, fsync, rename, fsync of the directory (HostFiles.writeAtomic). */
  async setKey(key: Key, text: string, tx?: Committed): Promise<void> {
    await this.files.writeAtomic(this.dataPath(key, tx), text);
  }

  /** Removes the value, then now-empty parent directories up to (not including) the base. */
  async unsetKey(key: Key, tx?: Committed): Promise<void> {
    await this.removeAndPrune(this.dataPath(key, tx), this.baseOf(tx));
  }

  async getMetadataRaw(key: Key, meta: string): Promise<string | undefined> {
    return this.files.readTextIfExists(this.metadataPath(key, meta));
  }

  /** The value at the longest segment prefix of `key` that carries `meta` (datastore.md 6). */
  async getMetadata(key: Key, meta: string): Promise<string | undefined> {
    let found: string | undefined;
    for (let n = 1; n <= key.segments.length; n++) {
      const value = await this.getMetadataRaw(keyFromSegments(key.segments.slice(0, n)), meta);
      if (value !== undefined) found = value;
    }
    return found;
  }

  async setMetadata(key: Key, meta: string, text: string): Promise<void> {
    await this.files.writeAtomic(this.metadataPath(key, meta), text);
  }

  async unsetMetadata(key: Key, meta: string): Promise<void> {
    await this.removeAndPrune(this.metadataPath(key, meta), this.livePath);
  }

  /** Populated data keys whose name starts with `prefix` (string prefix), with their values. */
  async getPrefix(prefix: string, tx?: Committed): Promise<StoredValue[]> {
    const base = this.baseOf(tx);
    if (!(await this.files.exists(base))) {
      if (tx === undefined) throw new BrktError('io', `Data store error during listing: Live datastore missing at ${base}`);
      return [];
    }
    const out: StoredValue[] = [];
    for (const entry of await this.walk(base)) {
      if (entry.meta !== undefined || !entry.key.name.startsWith(prefix)) continue;
      out.push({ key: entry.key, text: await this.files.readText(entry.path) });
    }
    return out;
  }

  /** Everything in live/: data values and metadata, read once (the server's in-memory view). */
  async loadLive(): Promise<{ data: Map<string, StoredValue>; metadata: MetadataMap }> {
    if (!(await this.exists())) throw new BrktError('io', `Data store error during load: Live datastore missing at ${this.livePath}`);
    const data = new Map<string, StoredValue>();
    const metadata: MetadataMap = new Map();
    for (const entry of await this.walk(this.livePath)) {
      const text = await this.files.readText(entry.path);
      if (entry.meta === undefined) {
        data.set(entry.key.name, { key: entry.key, text });
      } else {
        let metas = metadata.get(entry.key.name);
        if (!metas) metadata.set(entry.key.name, (metas = new Map()));
        metas.set(entry.meta, text);
      }
    }
    return { data, metadata };
  }

  /** Decoded names of the directories under pending/ (an empty one counts). */
  async listTransactions(): Promise<string[]> {
    const names: string[] = [];
    for (const name of await this.files.list(this.pendingPath)) {
      if ((await this.files.info(`${this.pendingPath}/${name}`))?.isDirectory) {
        try {
          names.push(decodeSegment(name));
        } catch (error) {
          throw new BrktError('io', `Data store error during transaction listing: ${messageOf(error)}`);
        }
      }
    }
    return names;
  }

  /** Removes a transaction; returns the `settings.*` keys that were pending in it. */
  async deleteTransaction(tx: string): Promise<Key[]> {
    const pending = await this.getPrefix('settings.', tx);
    await this.files.remove(this.baseOf(tx), { recursive: true });
    return pending.map(value => value.key);
  }

  /**
   * Moves the pending `settings.*` values of `tx` into live and removes the transaction.
   * Returns what was committed (empty: nothing pending, nothing touched).
   *
   * Crash safety, step by step:
   * - Pending values were written atomically and fsynced by `setKey`, so the transaction is a
   *   complete redo log until step 3.
   * - 1. More than one key: the marker naming `tx` is written and fsynced. From here a restart
   *   rolls the commit forward (`recover`), so the outcome is "all new". Before it, "all old".
   *   A single key needs no marker: its one rename is the commit point.
   * - 2. Each live value: temp file + fsync + rename + directory fsync. A reader (or a crash)
   *   sees the old or the new file, never a torn one.
   * - 3. The transaction directory is removed; 4. the marker is removed. A crash between them
   *   leaves a marker without a transaction, which `recover` just deletes.
   */
  async commitTransaction(tx: string): Promise<StoredValue[]> {
    const pending = await this.getPrefix('settings.', tx);
    if (pending.length === 0) return [];
    const marker = `${this.path}/${COMMIT_MARKER}`;
    if (pending.length > 1) await this.files.writeAtomic(marker, JSON.stringify({ tx }));
    for (const value of pending) await this.commitValue(value);
    await this.files.remove(this.baseOf(tx), { recursive: true });
    if (pending.length > 1) await this.files.remove(marker);
    return pending;
  }

  /**
   * Brings the store back to a committed state after a crash: finishes an interrupted commit
   * and removes temp files left by interrupted atomic writes. Returns what it did.
   */
  async recover(): Promise<string[]> {
    const done: string[] = [];
    const marker = `${this.path}/${COMMIT_MARKER}`;
    const text = await this.files.readTextIfExists(marker);
    if (text !== undefined) {
      let tx: string | undefined;
      try {
        tx = (JSON.parse(text) as { tx?: string }).tx;
      } catch {
        // A marker is written atomically, so an unreadable one was never completed: the commit
        // had not started touching live/, and the old state stands.
      }
      if (typeof tx === 'string') {
        const pending = await this.getPrefix('settings.', tx);
        for (const value of pending) await this.commitValue(value);
        await this.files.remove(this.baseOf(tx), { recursive: true });
        done.push(`finished the interrupted commit of transaction '${tx}' (${pending.length} keys)`);
      }
      await this.files.remove(marker);
    }
    const temps = await this.removeTemps(this.path);
    if (temps) done.push(`removed ${temps} temp files of interrupted writes`);
    return done;
  }

  /**
   * One pending value into live. A pending `null` is a removal staged by `DELETE /settings`
   * (brkt; PATCH never stores null because null means "not given"): unlink is atomic too.
   */
  private async commitValue(value: StoredValue) {
    if (isTombstone(value.text)) await this.unsetKey(value.key);
    else await this.setKey(value.key, value.text);
  }

  private async removeTemps(dir: string): Promise<number> {
    let count = 0;
    for (const name of await this.files.list(dir)) {
      const path = `${dir}/${name}`;
      const info = await this.files.info(path);
      if (info?.isDirectory) count += await this.removeTemps(path);
      else if (info?.isFile && isTempName(name)) {
        await this.files.remove(path);
        count++;
      }
    }
    return count;
  }

  private async removeAndPrune(path: string, base: string) {
    await this.files.remove(path);
    let dir = path.slice(0, path.lastIndexOf('/'));
    while (dir.length > base.length && dir.startsWith(base + '/')) {
      if ((await this.files.list(dir)).length > 0) return;
      // Checked empty just above, under the server's write lock; recursive only because
      // HostFiles has no rmdir.
      await this.files.remove(dir, { recursive: true });
      dir = dir.slice(0, dir.lastIndexOf('/'));
    }
  }

  /** Regular files under `base` that form valid keys (datastore.md 4, reverse mapping). */
  private async walk(base: string): Promise<Array<{ path: string; key: Key; meta?: string }>> {
    const out: Array<{ path: string; key: Key; meta?: string }> = [];
    const visit = async (dir: string, rel: string) => {
      for (const name of await this.files.list(dir)) {
        const path = `${dir}/${name}`;
        const info = await this.files.info(path);
        if (!info || info.isSymlink) continue;
        const relPath = rel ? `${rel}/${name}` : name;
        if (info.isDirectory) await visit(path, relPath);
        else if (info.isFile) {
          const parsed = parseRelative(relPath);
          if (parsed) out.push({ path, ...parsed });
        }
      }
    };
    await visit(base, '');
    return out;
  }
}

/** `settings/motd.affected-services` -> data key `settings.motd`, metadata `affected-services`. */
function parseRelative(rel: string): { key: Key; meta?: string } | undefined {
  const dot = rel.indexOf('.');
  const dataPart = dot === -1 ? rel : rel.slice(0, dot);
  const metaPart = dot === -1 ? undefined : rel.slice(dot + 1);
  try {
    const key = keyFromSegments(dataPart.split('/').map(decodeSegment));
    if (metaPart !== undefined) parseKey(metaPart, 'meta');
    return { key, meta: metaPart };
  } catch {
    return undefined; // not a key: ignored, as upstream does
  }
}
