// The filesystem datastore: one file per key under live/ and pending/<tx>/, metadata beside its
// data key, and commits that survive a crash at any instant. Mirrors upstream datastore's
// filesystem.rs (datastore.md sections 2, 4, 6, 7, 8).
import { BrktError, messageOf } from '../errors';
import { decodeSegment, encodeSegment } from './encoding';
import { keyFromSegments, parseKey, type Key } from './key';
import type { FileLock, FileWrite, HostFiles } from '../../platform/types';

/** `undefined` means live; a string names a pending transaction. */
export type Committed = string | undefined;

export interface StoredValue {
  key: Key;
  text: string;
}

/** Metadata of live or of a transaction: data key name -> metadata name -> JSON text. */
export type MetadataMap = Map<string, Map<string, string>>;

/** One metadata file to write (e.g. `settings/motd.strength`). */
export interface MetadataWrite {
  key: Key;
  meta: string;
  text: string;
}

/**
 * Decides, before anything is written, whether a transaction may commit (settings-now.md 1.4):
 * returns the live metadata the commit writes with its values, or throws to refuse it.
 */
export type CommitCheck = (tx: string, values: StoredValue[], metadata: MetadataMap) => MetadataWrite[];

/** One transaction's outcome in a checked batch: its committed values, or why it was refused. */
export type CommitOutcome = { committed: StoredValue[]; metadata: MetadataWrite[] } | { rejected: unknown };

/** Written before a multi-key commit touches live/; its presence at start-up means "roll forward". */
export const COMMIT_MARKER = 'commit-in-progress';

/** Committed transaction directories waiting for deletion (see `retireTransaction`). */
const RETIRED_PREFIX = '.retired-';

/** The pending value that stages a removal. */
export const TOMBSTONE = 'null';
export const isTombstone = (text: string) => text.trim() === TOMBSTONE;

/** Temp files of interrupted atomic writes: `HostFiles.writeAtomic`'s and `Platform.writeFilesAtomic`'s. */
const isTempName = (name: string) => (name.startsWith('.') && name.endsWith('.tmp')) || name.endsWith('%7Etmp');

/** Atomic writes of a batch of files, durable unless `sync` is false (`Platform.writeFilesAtomic`). */
export type AtomicWriter = (writes: FileWrite[], options?: { sync?: boolean }) => Promise<void>;

/** Makes every write to the filesystem holding a path durable at once (`Platform.syncFilesystem`). */
export type FilesystemSync = (path: string) => Promise<void>;

/**
 * From this many values a commit writes them unsynced and syncs the filesystem once: one
 * journal commit instead of one per file. Below it, an fsync per file costs less than flushing
 * whatever else the filesystem holds dirty.
 */
const SYNC_FILESYSTEM_FROM = 32;

export interface DatastoreOptions {
  /** This instance is the only writer of pending/ (the API server): caches, and a claim on it. */
  soleWriter?: boolean;
  /** With it, large commits are made durable by one filesystem sync (`SYNC_FILESYSTEM_FROM`). */
  syncFilesystem?: FilesystemSync;
}

export class Datastore {
  private readonly writeFiles: AtomicWriter;

  /**
   * Pending transactions as last read or written, when this instance is the only writer of
   * pending/ (the API server): commits then need no directory walk.
   */
  private readonly pendingCache?: Map<string, Map<string, StoredValue>>;
  /** The pending metadata of the same transactions (`strength` staged by PATCH). */
  private readonly pendingMetadataCache?: Map<string, MetadataMap>;
  /** Removals of committed transaction directories still running in the background. */
  private cleanup: Promise<void> = Promise.resolve();
  /** The sole writer's flock on the datastore directory, from `recover` until `settled`. */
  private claim?: FileLock;

  /** Without a batch writer, files are written one by one with `HostFiles.writeAtomic`. */
  private readonly syncFilesystem?: FilesystemSync;

  constructor(private readonly files: HostFiles, readonly path: string, writeFiles?: AtomicWriter, options: DatastoreOptions = {}) {
    this.writeFiles = writeFiles ?? (async writes => {
      for (const write of writes) await files.writeAtomic(write.path, write.data);
    });
    if (options.soleWriter) {
      this.pendingCache = new Map();
      this.pendingMetadataCache = new Map();
    }
    this.syncFilesystem = options.syncFilesystem;
  }

  /**
   * Waits for background removals of committed transactions, then gives up the sole writer's
   * claim: the server calls it when it stops, and may open the datastore again afterwards.
   */
  async settled(): Promise<void> {
    await this.cleanup;
    this.claim?.release();
    this.claim = undefined;
  }

  /**
   * A sole writer (the API server) holds a flock on the datastore directory while it serves: a
   * second one would keep its own view of live/ and pending/ and diverge, and its recovery could
   * roll forward the commit the first one is making. The lock is on the directory `current`
   * leads to, so every path to the same datastore meets it; the process's exit drops it.
   */
  private async claimSoleWriter(): Promise<void> {
    if (!this.pendingCache || this.claim) return;
    const claim = await this.files.lockDirectory(this.path);
    if (!claim) throw new BrktError('locked', `Another API server is already serving the datastore at ${this.path}`);
    this.claim = claim;
  }

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

  /** Metadata sits next to the data file: `live/settings/motd.affected-services`, `pending/<tx>/settings/motd.strength`. */
  metadataPath(key: Key, meta: string, tx?: Committed): string {
    return `${this.dataPath(key, tx)}.${encodeSegment(parseKey(meta, 'meta').segments[0]!)}`;
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

  /** One atomic write (temp file, rename); live values are also durable (fsync file and directory). */
  async setKey(key: Key, text: string, tx?: Committed): Promise<void> {
    await this.setKeys([{ key, text }], tx);
  }

  /**
   * Several values as one batch, each file atomic. Live values are durable when this returns;
   * pending ones are not fsynced: a power loss means a reboot, and at boot storewolf deletes
   * pending/ anyway (a multi-key commit keeps its own durable copy in the commit marker).
   * `metadata` (a PATCH's `strength`) goes in the same batch of writes.
   */
  async setKeys(values: StoredValue[], tx?: Committed, metadata: MetadataWrite[] = []): Promise<void> {
    if (!values.length && !metadata.length) return;
    const cached = tx === undefined ? undefined : this.pendingCache?.get(tx);
    const cachedMetadata = tx === undefined ? undefined : this.pendingMetadataCache?.get(tx);
    try {
      await this.writeFiles([
        ...values.map(value => ({ path: this.dataPath(value.key, tx), data: value.text })),
        ...metadata.map(value => ({ path: this.metadataPath(value.key, value.meta, tx), data: value.text })),
      ], { sync: tx === undefined });
    } catch (error) {
      if (tx !== undefined) this.forgetPending(tx); // some files may be written: re-read next time
      throw error;
    }
    for (const value of values) cached?.set(value.key.name, value);
    if (cachedMetadata) addMetadata(cachedMetadata, metadata);
  }

  /** Metadata values, as one batch: live, or staged in a transaction. */
  async setMetadataValues(values: MetadataWrite[], tx?: Committed): Promise<void> {
    await this.setKeys([], tx, values);
  }

  /** The metadata staged in a pending transaction (none: empty). */
  async getPendingMetadata(tx: string): Promise<MetadataMap> {
    if (this.pendingMetadataCache) {
      await this.getPrefix('', tx); // fills both caches
      return this.pendingMetadataCache.get(tx) ?? new Map();
    }
    return (await this.loadTransaction(tx)).metadata;
  }

  private forgetPending(tx: string) {
    this.pendingCache?.delete(tx);
    this.pendingMetadataCache?.delete(tx);
  }

  private knownEmpty(tx: string) {
    this.pendingCache?.set(tx, new Map());
    this.pendingMetadataCache?.set(tx, new Map());
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
    await this.setMetadataValues([{ key, meta, text }]);
  }

  async unsetMetadata(key: Key, meta: string): Promise<void> {
    await this.removeAndPrune(this.metadataPath(key, meta), this.livePath);
  }

  /** Populated data keys whose name starts with `prefix` (string prefix), with their values. */
  async getPrefix(prefix: string, tx?: Committed): Promise<StoredValue[]> {
    if (tx !== undefined && this.pendingCache) {
      let cached = this.pendingCache.get(tx);
      if (!cached || !this.pendingMetadataCache?.has(tx)) {
        const loaded = await this.loadTransaction(tx);
        cached = loaded.data;
        this.pendingCache.set(tx, cached);
        this.pendingMetadataCache?.set(tx, loaded.metadata);
      }
      return [...cached.values()].filter(value => value.key.name.startsWith(prefix));
    }
    return this.readPrefix(prefix, tx);
  }

  private async readPrefix(prefix: string, tx?: Committed): Promise<StoredValue[]> {
    const base = this.baseOf(tx);
    if (!(await this.files.exists(base))) {
      if (tx === undefined) throw new BrktError('io', `Data store error during listing: Live datastore missing at ${base}`);
      return [];
    }
    const out: StoredValue[] = [];
    for (const entry of await this.walk(base)) {
      if (entry.meta === undefined && entry.key.name.startsWith(prefix)) out.push({ key: entry.key, text: entry.text });
    }
    return out;
  }

  /** Everything in live/: data values and metadata, read once (the server's in-memory view). */
  async loadLive(): Promise<{ data: Map<string, StoredValue>; metadata: MetadataMap }> {
    if (!(await this.exists())) throw new BrktError('io', `Data store error during load: Live datastore missing at ${this.livePath}`);
    return this.loadTree(this.livePath);
  }

  /** A pending transaction's data and metadata (metadata may be staged with data, e.g. `strength`). */
  async loadTransaction(tx: string): Promise<{ data: Map<string, StoredValue>; metadata: MetadataMap }> {
    const base = this.baseOf(tx);
    return (await this.files.exists(base)) ? this.loadTree(base) : { data: new Map(), metadata: new Map() };
  }

  private async loadTree(base: string): Promise<{ data: Map<string, StoredValue>; metadata: MetadataMap }> {
    const data = new Map<string, StoredValue>();
    const metadata: MetadataMap = new Map();
    for (const { key, meta, text } of await this.walk(base)) {
      const entry = { key, meta };
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
    this.knownEmpty(tx);
    return pending.map(value => value.key);
  }

  /**
   * Moves the pending `settings.*` values of `tx` into live and removes the transaction.
   * Returns what was committed (empty: nothing pending, nothing touched).
   *
   * Crash safety, step by step:
   * - 1. More than one key: the marker, holding the transactions and every value, is written and
   *   fsynced. It is the redo log: from here a restart rolls the commit forward (`recover`), so
   *   the outcome is "all new"; before it, "all old". A single key needs no marker: its one
   *   rename is the commit point.
   * - 2. The live values: each to a temp file, fsync, rename (a reader or a crash sees the old
   *   or the new file, never a torn one); then each directory is fsynced once, so the renames
   *   are durable before the redo log goes. Removals are unlinks, made durable the same way.
   * - 3. The transaction directory is removed; 4. the marker is removed. A crash between them
   *   leaves a marker without a transaction, which `recover` just deletes.
   */
  async commitTransaction(tx: string): Promise<StoredValue[]> {
    return (await this.commitTransactions([tx]))[0]!;
  }

  /**
   * Commits several transactions as one batch, in order (a later one wins a key both set), with
   * one marker and one round of fsyncs: the server groups commits that queue up behind each
   * other. The batch is all-or-nothing, so each commit in it is too.
   */
  async commitTransactions(txs: string[]): Promise<StoredValue[][]> {
    const outcomes = await this.commitChecked(txs);
    return outcomes.map(outcome => ('committed' in outcome ? outcome.committed : []));
  }

  /**
   * As `commitTransactions`, with `check` run on each transaction that has pending values before
   * anything is written: a refused transaction is left pending and untouched, the others commit
   * together, with the live metadata their checks returned in the same batch (and marker).
   */
  async commitChecked(txs: string[], check?: CommitCheck): Promise<CommitOutcome[]> {
    const pendings = await Promise.all(txs.map(tx => this.getPrefix('settings.', tx)));
    const outcomes: CommitOutcome[] = [];
    const merged = new Map<string, StoredValue>();
    const metadata = new Map<string, MetadataWrite>();
    const committing: string[] = [];
    for (const [i, tx] of txs.entries()) {
      const pending = pendings[i]!;
      if (pending.length === 0) {
        outcomes.push({ committed: [], metadata: [] });
        continue;
      }
      let writes: MetadataWrite[];
      try {
        writes = check?.(tx, pending, await this.getPendingMetadata(tx)) ?? [];
      } catch (error) {
        outcomes.push({ rejected: error });
        continue;
      }
      for (const write of writes) metadata.set(`${write.key.name}\n${write.meta}`, write);
      for (const value of pending) merged.set(value.key.name, value);
      committing.push(tx);
      outcomes.push({ committed: pending, metadata: writes });
    }
    if (merged.size === 0) return outcomes;
    const marker = `${this.path}/${COMMIT_MARKER}`;
    const files = merged.size + metadata.size;
    if (files > 1) {
      const intent = {
        txs: committing,
        values: [...merged.values()].map(value => [value.key.name, value.text]),
        metadata: [...metadata.values()].map(value => [value.key.name, value.meta, value.text]),
      };
      await this.writeFiles([{ path: marker, data: JSON.stringify(intent) }]);
    }
    await this.commitValues([...merged.values()], [...metadata.values()]);
    for (const tx of committing) await this.retireTransaction(tx);
    if (files > 1) await this.removeMarker();
    return outcomes;
  }

  /**
   * Brings the store back to a committed state after a crash: finishes an interrupted commit
   * and removes temp files left by interrupted atomic writes. Returns what it did. A sole writer
   * first claims the datastore (`claimSoleWriter`): a second server is refused here.
   */
  async recover(): Promise<string[]> {
    await this.claimSoleWriter();
    const done: string[] = [];
    const marker = `${this.path}/${COMMIT_MARKER}`;
    const text = await this.files.readTextIfExists(marker);
    if (text !== undefined) {
      let intent: { txs?: string[]; values?: Array<[string, string]>; metadata?: Array<[string, string, string]> } | undefined;
      try {
        intent = JSON.parse(text) as typeof intent;
      } catch {
        // The marker is written atomically, so an unreadable one was never completed: the commit
        // had not started touching live/, and the old state stands.
      }
      if (Array.isArray(intent?.txs) && Array.isArray(intent.values)) {
        const values = intent.values.map(([name, text]) => ({ key: parseKey(name), text }));
        const metadata = (intent.metadata ?? []).map(([name, meta, text]) => ({ key: parseKey(name), meta, text }));
        await this.commitValues(values, metadata);
        for (const tx of intent.txs) await this.files.remove(this.baseOf(tx), { recursive: true });
        done.push(`finished the interrupted commit of transaction${intent.txs.length > 1 ? 's' : ''} ${intent.txs.map(tx => `'${tx}'`).join(', ')} (${values.length} keys)`);
      }
      await this.removeMarker();
    }
    for (const name of await this.files.list(this.path)) {
      if (name.startsWith(RETIRED_PREFIX)) await this.files.remove(`${this.path}/${name}`, { recursive: true });
    }
    const temps = await this.removeTemps(this.path);
    if (temps) done.push(`removed ${temps} temp files of interrupted writes`);
    return done;
  }

  /**
   * The marker's unlink is made durable before anything else happens: if it were lost in a
   * power cut, the next start would roll the finished commit forward again, over any commit
   * made after it.
   */
  private async removeMarker() {
    await this.files.remove(`${this.path}/${COMMIT_MARKER}`);
    await this.files.fsyncDir(this.path);
  }

  /**
   * Takes a committed transaction out of pending/ with one rename (to a `.retired-` name beside
   * live/ and pending/, where no reader looks) and deletes it in the background.
   */
  private async retireTransaction(tx: string) {
    this.knownEmpty(tx); // known empty now: the next PATCH needs no walk either
    const retired = `${this.path}/${RETIRED_PREFIX}${Math.random().toString(36).slice(2, 12)}`;
    try {
      await this.files.rename(this.baseOf(tx), retired);
    } catch {
      await this.files.remove(this.baseOf(tx), { recursive: true }); // e.g. already gone
      return;
    }
    this.cleanup = this.cleanup.then(() => this.files.remove(retired, { recursive: true })).catch(() => undefined);
  }

  /**
   * One pending value into live. A pending `null` is a removal staged by `DELETE /settings`
   * (brkt; PATCH never stores null because null means "not given"): unlink is atomic too.
   */
  private async commitValues(values: StoredValue[], metadata: MetadataWrite[] = []) {
    const written = values.filter(value => !isTombstone(value.text));
    const removed = values.filter(value => isTombstone(value.text));
    // Large batches only ever run under the commit marker, the redo log that holds every value
    // until the one filesystem sync below has made the writes and unlinks durable.
    const batched = this.syncFilesystem !== undefined && values.length + metadata.length >= SYNC_FILESYSTEM_FROM;
    if (batched) {
      await this.writeFiles([
        ...written.map(value => ({ path: this.dataPath(value.key), data: value.text })),
        ...metadata.map(value => ({ path: this.metadataPath(value.key, value.meta), data: value.text })),
      ], { sync: false });
    } else await this.setKeys(written, undefined, metadata);
    for (const value of removed) await this.unsetKey(value.key);
    if (batched) return this.syncFilesystem!(this.path);
    const dirs = new Set<string>();
    for (const value of removed) dirs.add(await this.deepestExisting(value.key));
    for (const dir of dirs) await this.files.fsyncDir(dir); // the unlinks (and prunes) are durable
  }

  /** The deepest directory of `key`'s live path that still exists after pruning. */
  private async deepestExisting(key: Key): Promise<string> {
    let dir = this.dataPath(key).slice(0, this.dataPath(key).lastIndexOf('/'));
    while (dir.length > this.livePath.length && !(await this.files.exists(dir))) dir = dir.slice(0, dir.lastIndexOf('/'));
    return dir;
  }

  private async removeTemps(dir: string): Promise<number> {
    let count = 0;
    for (const { rel, kind } of await this.files.listTree(dir)) {
      if (kind !== 'file' || !isTempName(rel.slice(rel.lastIndexOf('/') + 1))) continue;
      await this.files.remove(`${dir}/${rel}`);
      count++;
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

  /**
   * Regular files under `base` that form valid keys, with their values (datastore.md 4, reverse
   * mapping), read in one pass of the tree; links below `base` are never followed.
   */
  private async walk(base: string): Promise<Array<{ key: Key; meta?: string; text: string }>> {
    const out: Array<{ key: Key; meta?: string; text: string }> = [];
    for (const { rel, text } of await this.files.readTree(base)) {
      const parsed = parseRelative(rel);
      if (parsed) out.push({ ...parsed, text });
    }
    return out;
  }
}

function addMetadata(map: MetadataMap, writes: MetadataWrite[]) {
  for (const { key, meta, text } of writes) {
    let metas = map.get(key.name);
    if (!metas) map.set(key.name, (metas = new Map()));
    metas.set(meta, text);
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
