// The partition state signpost works on: the OS disk's GPT, its sets and which one is active.
// Loads and writes it through the platform. Mirrors signpost's state.rs (State::load/write).
import { readGpt } from '../gpt/read';
import { assertWritable } from '../gpt/write';
import type { GptTable } from '../gpt/table';
import type { Platform } from '../../platform/types';
import { partitionLocation, type DiskSets, type PartitionRef, type PartitionSet, type SetName } from './sets';
import { resolveActiveSet } from './active-set';
import { openOsDisk, openOsDiskWriter, runningSetChangeOf, setsOf } from './disk-guard';

export interface PartitionState {
  /** The OS disk: a block device, or an image file in a sandbox (or `BRKT_DISK`). */
  disk: string;
  table: GptTable;
  sets: DiskSets;
  /** The set the running OS was booted from (signpost.md 8.2; cli.md for sandboxes). */
  active: SetName;
}

export const setOf = (state: PartitionState, name: SetName): PartitionSet | undefined => state.sets[name];
export const attributesOf = (state: PartitionState, ref: PartitionRef) => state.table.entries[ref.index]!.attributes;
export function setAttributes(state: PartitionState, ref: PartitionRef, attributes: bigint) {
  state.table.entries[ref.index]!.attributes = attributes;
}

/** Byte range of a partition on the disk (image files: where to read or write it). */
export function partitionRange(state: Pick<PartitionState, 'table'>, ref: PartitionRef): { offset: number; length: number } {
  const { offset, length } = partitionLocation(state.table, ref);
  return { offset, length };
}

/** The partition state of the OS disk (read only). */
export async function loadPartitionState(platform: Platform): Promise<PartitionState> {
  const disk = await platform.osDisk();
  const handle = await openOsDisk(platform, disk, 'r');
  try {
    const table = await readGpt(handle, disk);
    const sets = await setsOf(platform, disk, table);
    return { disk, table, sets, active: await resolveActiveSet(platform, disk, table, sets) };
  } finally {
    await handle.close();
  }
}

/**
 * Loads the state, lets `change` modify it (it throws to refuse, before anything is written),
 * then writes the whole table back, both copies, even when nothing changed (signpost.md 4),
 * through the disk guard: what `change` may do to the running set is what it declared
 * (`declareRunningSetChange`), nothing when it declared nothing.
 */
export async function updatePartitionState<T>(platform: Platform, change: (state: PartitionState) => T): Promise<{ state: PartitionState; result: T }> {
  const writer = await openOsDiskWriter(platform);
  try {
    const state: PartitionState = { disk: writer.disk, ...(await writer.read()) };
    assertWritable(state.table); // a damaged disk is reported before any command's own checks
    const result = change(state);
    await writer.writeTable(state.table, runningSetChangeOf(change));
    return { state, result };
  } finally {
    await writer.close();
  }
}
