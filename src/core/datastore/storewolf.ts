// First-boot datastore creation and defaults loading at every boot. Mirrors upstream storewolf
// (settings.md section 6, datastore.md 9.1).
import { Datastore, type AtomicWriter } from './store';
import { ensureVersionedDatastore } from './versioned';
import type { Defaults } from '../model/defaults';
import type { HostFiles } from '../../platform/types';

export const LAUNCH_TRANSACTION = 'bottlerocket-launch';

export interface StorewolfResult {
  created: boolean;
  /** Default settings staged in `bottlerocket-launch`. */
  staged: number;
  /** Metadata and services/configuration-files values written to live. */
  written: number;
  recovered: string[];
}

/**
 * Runs storewolf against `<base>/current`: finishes an interrupted commit, drops every pending
 * transaction, creates the datastore on first boot, then adds the defaults that are missing.
 * Existing live values are never overwritten.
 */
export async function runStorewolf(files: HostFiles, base: string, version: string, defaults: Defaults, writeFiles?: AtomicWriter): Promise<StorewolfResult> {
  const store = new Datastore(files, `${base}/current`, writeFiles);
  // Recovery first: a commit interrupted by a crash lives in pending/, which is deleted next.
  const recovered = (await store.exists()) ? await store.recover() : [];
  await files.remove(store.pendingPath, { recursive: true });
  const { created } = await ensureVersionedDatastore(files, base, version);

  const live = await store.loadLive();
  const settings = defaults.settings.filter(pair => !live.data.has(pair.key.name));
  const metadata = defaults.metadata.filter(meta => !live.metadata.get(meta.key.name)?.has(meta.name));
  const other = defaults.other.filter(pair => !live.data.has(pair.key.name));
  await store.setKeys(settings, LAUNCH_TRANSACTION);
  await store.setMetadataValues(metadata.map(meta => ({ key: meta.key, meta: meta.name, text: meta.text })));
  await store.setKeys(other);
  const staged = settings.length;
  const written = metadata.length + other.length;
  return { created, staged, written, recovered };
}
