// The partition state signpost works on: the OS disk's GPT, its sets and which one is active.
// Loads and writes it through the platform. Mirrors signpost's state.rs (State::load/write).
import { BrktError } from '../errors';
import { readGpt } from '../gpt/read';
import { assertWritable, writeGpt } from '../gpt/write';
import type { GptTable } from '../gpt/table';
import type { DeviceHandle, Platform } from '../../platform/types';
import { findSets, imagePartitionPath, type DiskSets, type PartitionRef, type PartitionSet, type SetName } from './sets';
import { runningSetOfImage } from '../bootloader/running-set';

export interface PartitionState {
  /** The OS disk: a block device, or an image file in a sandbox (or `BRKT_DISK`). */
  disk: string;
  /** Partitions are byte ranges of an image file rather than device nodes. */
  isImage: boolean;
  table: GptTable;
  sets: DiskSets;
  /** The set the running OS was booted from (signpost.md 8.2; cli.md for sandboxes). */
  active: SetName;
}

/** An image disk: in a sandbox, or named by `BRKT_DISK`; its running set comes from the boot record. */
export const osDiskIsImage = (platform: Platform) => platform.kind === 'sandbox' || platform.env('BRKT_DISK') !== undefined;

export const setOf = (state: PartitionState, name: SetName): PartitionSet | undefined => state.sets[name];
export const attributesOf = (state: PartitionState, ref: PartitionRef) => state.table.entries[ref.index]!.attributes;
export function setAttributes(state: PartitionState, ref: PartitionRef, attributes: bigint) {
  state.table.entries[ref.index]!.attributes = attributes;
}

/** Byte range of a partition on the disk (image files: where to read or write it). */
export function partitionRange(state: Pick<PartitionState, 'table'>, ref: PartitionRef): { offset: number; length: number } {
  const entry = state.table.entries[ref.index]!;
  const size = state.table.sectorSize;
  return { offset: Number(entry.firstLba) * size, length: Number(entry.lastLba - entry.firstLba + 1n) * size };
}

async function openDisk(platform: Platform, disk: string, mode: 'r' | 'r+'): Promise<DeviceHandle> {
  try {
    return await platform.openDisk(disk, mode);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message;
    const hint = platform.kind === 'sandbox' ? ' (brkt dev init creates it)' : '';
    throw new BrktError('gpt', `Failed to open the OS disk ${disk} for ${mode === 'r' ? 'reading' : 'writing'}: ${reason}${hint}`, { cause: error });
  }
}

async function stateOf(platform: Platform, disk: string, handle: DeviceHandle): Promise<PartitionState> {
  const table = await readGpt(handle, disk);
  const isImage = osDiskIsImage(platform);
  let sets: DiskSets;
  if (isImage) {
    sets = findSets(table, number => imagePartitionPath(disk, number));
  } else {
    const paths = new Map<number, string>();
    for (const entry of table.entries) {
      if (entry.typeGuid === '00000000-0000-0000-0000-000000000000') continue;
      const path = await platform.partitionPath(disk, entry.index + 1);
      if (path) paths.set(entry.index + 1, path);
    }
    sets = findSets(table, number => {
      const path = paths.get(number);
      if (!path) throw new BrktError('gpt', `Failed to find partition ${number} of ${disk} in sysfs`);
      return path;
    });
  }
  const active = isImage ? await runningSetOfImage(platform, handle, table, sets) : await hostActiveSet(platform, disk, sets);
  return { disk, isImage, table, sets, active };
}

/** signpost.md 2: the set holding the running root's lower device; A is tested first. */
async function hostActiveSet(platform: Platform, disk: string, sets: DiskSets): Promise<SetName> {
  if (!sets.B) return 'A';
  const running = await platform.runningPartition();
  for (const name of ['A', 'B'] as const) {
    const set = sets[name]!;
    if ([set.boot, set.root, set.hash].some(ref => ref.path === running)) return name;
  }
  throw new BrktError('gpt', `Active partition ${running} is not in either partition set of ${disk}`);
}

/** The partition state of the OS disk (read only). */
export async function loadPartitionState(platform: Platform): Promise<PartitionState> {
  const disk = await platform.osDisk();
  const handle = await openDisk(platform, disk, 'r');
  try {
    return await stateOf(platform, disk, handle);
  } finally {
    await handle.close();
  }
}

/**
 * Loads the state, lets `change` modify it (it throws to refuse, before anything is written),
 * then writes the whole table back, both copies, even when nothing changed (signpost.md 4).
 */
export async function updatePartitionState<T>(platform: Platform, change: (state: PartitionState) => T): Promise<{ state: PartitionState; result: T }> {
  const disk = await platform.osDisk();
  const handle = await openDisk(platform, disk, 'r+');
  try {
    const state = await stateOf(platform, disk, handle);
    assertWritable(state.table); // a damaged disk is reported before any command's own checks
    const result = change(state);
    await writeGpt(handle, state.table);
    return { state, result };
  } finally {
    await handle.close();
  }
}
