// First-boot datastore creation and defaults loading at every boot. Mirrors upstream storewolf
// (settings.md section 6, datastore.md 9.1).
import { Datastore } from './store';
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
export async function runStorewolf(files: HostFiles, base: string, version: string, defaults: Defaults): Promise<StorewolfResult> {
  const store = new Datastore(files, `${base}/current`);
  // Recovery first: a commit interrupted by a crash lives in pending/, which is deleted next.
  const recovered = (await store.exists()) ? await store.recover() : [];
  await files.remove(store.pendingPath, { recursive: true });
  const { created } = await ensureVersionedDatastore(files, base, version);

  const live = await store.loadLive();
  let staged = 0;
  for (const pair of defaults.settings) {
    if (live.data.has(pair.key.name)) continue;
    await store.setKey(pair.key, pair.text, LAUNCH_TRANSACTION);
    staged++;
  }
  let written = 0;
  for (const meta of defaults.metadata) {
    if (live.metadata.get(meta.key.name)?.has(meta.name)) continue;
    await store.setMetadata(meta.key, meta.name, meta.text);
    written++;
  }
  for (const pair of defaults.other) {
    if (live.data.has(pair.key.name)) continue;
    await store.setKey(pair.key, pair.text);
    written++;
  }
  return { created, staged, written, recovered };
}
