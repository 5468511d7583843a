// Applying an update to the inactive partition set (updates.md 4.1 and 4.3): migrations first,
// then the inactive set cleared on disk before any image byte, root/boot/hash streamed and
// verified, mark valid, and for `update` upgrade-to-inactive. Mirrors updog's update_image,
// update_flags and revert_update_flags.
import { BrktError } from '../errors';
import { cancelUpgrade, clearInactive, markInactiveValid, upgradeToInactive } from '../signpost/operations';
import { loadPartitionState, partitionRange, updatePartitionState, type PartitionState } from '../signpost/state';
import type { PartitionSet, SetName } from '../signpost/sets';
import { openOsDiskWriter } from '../signpost/disk-guard';
import type { Platform } from '../../platform/types';
import { DECODED_LENGTH_KEY, writeImage } from './image-stream';
import type { Update } from './manifest';
import { cacheMigrations } from './migrations-cache';
import { pinRunningSet } from './pin-running-set';
import type { UpdogSession } from './updog-session';
import type { UpdogConfig } from './updog-config';

export type ImageKind = 'root' | 'boot' | 'hash';
/** updates.md 4.1 step 6.3: this order. */
export const IMAGE_ORDER: readonly ImageKind[] = ['root', 'boot', 'hash'];

export interface ImageProgress {
  image: ImageKind;
  name: string;
  /** Compressed bytes downloaded so far, of `total`. */
  read: number;
  total: number;
  /** Decoded bytes written to the partition so far. */
  written: number;
}

export interface ApplyOptions {
  /** `update` makes the new set boot next; `update-image` (and prepare) stops at mark-valid. */
  activate: boolean;
  /** Progress lines updog writes to stderr (`Starting update to 1.2.0`). */
  log?(line: string): void;
  onProgress?(progress: ImageProgress): void;
  /** Called once per image before its first byte, and after its last. */
  onImage?(event: { image: ImageKind; name: string; total: number; phase: 'start' | 'done'; written?: number }): void;
  /** TMPDIR of the process (the LZ4 addon is extracted there). */
  tmpdir?: string;
}

export interface ApplyResult {
  update: Update;
  /** Migration targets stored for the migrator, `manifest.json` last. */
  migrations: string[];
  /** The set the images went to. */
  set: SetName;
  /** Decoded bytes written per image. */
  written: Record<ImageKind, number>;
}

const other = (name: SetName): SetName => (name === 'A' ? 'B' : 'A');

/** brkt: the andon cord. Checks still report; nothing is staged or activated while it is pulled. */
export function assertNotPaused(config: Pick<UpdogConfig, 'paused'>, what: string) {
  if (config.paused) {
    throw new BrktError('conflict', `Updates are paused (settings.updates.paused is true): not ${what}; set it to false to continue`);
  }
}

/** The inactive set of `state`, or upstream's error on a single-set disk. */
function inactiveSet(state: PartitionState): { name: SetName; set: PartitionSet } {
  const name = other(state.active);
  const set = state.sets[name];
  if (!set) throw new BrktError('not-found', `Could not find inactive partition set on ${state.disk}: it has a single partition set`);
  return { name, set };
}

/**
 * Every image's signed decoded size must fit its partition: checked before the partition table
 * is touched, so a partition that is too small fails with nothing written.
 */
function checkSizes(session: UpdogSession, update: Update, state: PartitionState, set: PartitionSet) {
  for (const kind of IMAGE_ORDER) {
    const name = update.images[kind];
    if (!session.repository.target(name)) throw new BrktError('not-found', `Image ${name} of ${update.version.text} is not listed in the repository's signed targets metadata`);
    const declared = session.repository.targetCustom(name)?.[DECODED_LENGTH_KEY];
    const { length } = partitionRange(state, set[kind]);
    if (typeof declared === 'number' && declared > length) {
      throw new BrktError('conflict', `Image ${name} (${declared} bytes decoded) does not fit partition ${set[kind].path} (${length} bytes)`);
    }
  }
}

/**
 * updates.md 4.1 steps 3 to 7 for the chosen `update`. Any failure after the partition table was
 * written leaves the inactive set unbootable (priority 0, no tries); the active set is never
 * opened for writing.
 */
export async function applyUpdate(session: UpdogSession, update: Update, options: ApplyOptions): Promise<ApplyResult> {
  const { platform } = session;
  assertNotPaused(session.config, options.activate ? 'applying an update' : 'staging an update');
  options.log?.(`Starting update to ${update.version.text}`);
  session.query.add('target', update.version.text);

  // Step 5: everything the next boot's migrator needs, before any disk change.
  const migrations = await cacheMigrations(session, update.version);
  session.query.add('migrations', migrations.join(','));

  // Step 6.1: a single-set disk or a too-small partition fails here, with nothing written.
  await pinRunningSet(platform);
  const before = await loadPartitionState(platform);
  const target = inactiveSet(before);
  checkSizes(session, update, before, target.set);

  // Step 6.2: the set is unbootable on disk before its first byte changes.
  const { state } = await updatePartitionState(platform, clearInactive);
  const { name: setName, set } = inactiveSet(state);
  if (setName === state.active) throw new BrktError('conflict', `Refusing to write the active partition set ${setName} of ${state.disk}`);

  const written = { root: 0, boot: 0, hash: 0 } as Record<ImageKind, number>;
  // Each partition is opened through the disk guard, which refuses the running set's.
  const disk = await openOsDiskWriter(platform);
  try {
    for (const kind of IMAGE_ORDER) {
      const name = update.images[kind];
      const total = session.repository.target(name)!.length;
      const device = await disk.openPartition(state.table, set[kind]);
      options.onImage?.({ image: kind, name, total, phase: 'start' });
      try {
        const result = await writeImage(session.repository, name, device, {
          offset: 0,
          maxBytes: partitionRange(state, set[kind]).length,
          partition: set[kind].path,
          tmpdir: options.tmpdir,
          onProgress: p => options.onProgress?.({ image: kind, name, read: p.read, total: p.total, written: p.written }),
        });
        written[kind] = result.written;
      } finally {
        await device.close();
      }
      options.onImage?.({ image: kind, name, total, phase: 'done', written: written[kind] });
    }
  } finally {
    await disk.close();
  }

  // Step 6.4, then 7 for `update`.
  await updatePartitionState(platform, markInactiveValid);
  if (options.activate) await updatePartitionState(platform, upgradeToInactive);
  return { update, migrations, set: setName, written };
}

/** `update-apply` (4.3): make the staged set boot next. */
export async function activateStaged(platform: Platform, config: Pick<UpdogConfig, 'paused'>): Promise<void> {
  assertNotPaused(config, 'activating the staged update');
  await pinRunningSet(platform);
  await updatePartitionState(platform, upgradeToInactive);
}

/** `update-revert` (4.3): the running set boots next again; allowed while paused. */
export async function revertStaged(platform: Platform): Promise<void> {
  await pinRunningSet(platform);
  await updatePartitionState(platform, cancelUpgrade);
}
