// What an OS version change drops from the datastore (settings-now.md 1.8; upstream's migrator
// since core-kit 6.0.0 and 7.0.0): weak values, all metadata, `services.*` and
// `configuration-files.*`. The new image's storewolf and sundog write them again, so generated
// defaults (weak) move on with the image while values a user set (strong) stay.
import { Datastore, type MetadataMap, type StoredValue } from '../datastore/store';
import { keyFromSegments } from '../datastore/key';
import type { FileWrite, HostFiles, Platform } from '../../platform/types';

/** The metadata that holds a setting's strength (`"weak"` or `"strong"`, JSON text). */
export const STRENGTH_METADATA = 'strength';

/** Keys the image's defaults own: storewolf writes them again from the new image. */
const IMAGE_OWNED_PREFIXES = ['services.', 'configuration-files.'];

/**
 * The strength `metadata` gives `value`'s key: the `strength` at its longest segment prefix
 * (datastore.md 6 inheritance); absent everywhere means strong.
 */
function strengthIn(value: StoredValue, metadata: MetadataMap): string | undefined {
  const segments = value.key.segments;
  for (let n = segments.length; n > 0; n--) {
    const text = metadata.get(keyFromSegments(segments.slice(0, n)).name)?.get(STRENGTH_METADATA);
    if (text === undefined) continue;
    try {
      return JSON.parse(text) as string;
    } catch {
      return undefined; // unreadable metadata counts as absent: the value is kept
    }
  }
  return undefined;
}

/** A value the new version keeps: strong, and not owned by the image's defaults. */
function kept(value: StoredValue, ...metadata: MetadataMap[]): boolean {
  if (IMAGE_OWNED_PREFIXES.some(prefix => value.key.name.startsWith(prefix))) return false;
  for (const map of metadata) {
    const strength = strengthIn(value, map);
    if (strength !== undefined) return strength !== 'weak';
  }
  return true;
}

export interface ResetCounts {
  kept: number;
  dropped: number;
  transactions: number;
}

/**
 * Copies `source` into the new directory `target` for a new OS version: live data and every
 * pending transaction, without weak values (a transaction's own strength first, then live's),
 * image-owned keys or any metadata. The source is only read. Nothing names `target` until the
 * migrator flips the links, so the files are written unsynced and made durable together at the
 * end (`Platform.syncFilesystem`), which costs one journal commit instead of one per key.
 */
export async function copyForNewVersion(platform: Platform, source: string, target: string): Promise<ResetCounts> {
  const { files } = platform;
  const from = new Datastore(files, source);
  const to = new Datastore(files, target);
  const live = await from.loadLive();
  const counts: ResetCounts = { kept: 0, dropped: 0, transactions: 0 };
  const writes: FileWrite[] = [];
  const keep = (values: Map<string, StoredValue>, tx: string | undefined, ...metadata: MetadataMap[]) => {
    for (const value of values.values()) {
      if (kept(value, ...metadata)) writes.push({ path: to.dataPath(value.key, tx), data: value.text });
      else counts.dropped++;
    }
  };
  keep(live.data, undefined, live.metadata);
  await files.mkdirp(to.livePath);
  for (const tx of await from.listTransactions()) {
    const pending = await from.loadTransaction(tx);
    keep(pending.data, tx, pending.metadata, live.metadata);
    await files.mkdirp(to.baseOf(tx));
    counts.transactions++;
  }
  counts.kept = writes.length;
  await platform.writeFilesAtomic(writes, { sync: false });
  await platform.syncFilesystem(target);
  return counts;
}

/**
 * Removes what no longer belongs to the datastore chain once `current` points at the new one
 * (upstream core-kit 14.0.1 leaves only `current`, the new version links and their directory):
 * older version links and datastore directories. `keep` names the entries of the new chain.
 */
export async function removeOrphanedDatastores(files: HostFiles, base: string, keep: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await files.list(base)) {
    if (keep.has(name) || !/^v\d/.test(name)) continue;
    await files.remove(`${base}/${name}`, { recursive: true });
    removed.push(name);
  }
  if (removed.length) await files.fsyncDir(base);
  return removed;
}
