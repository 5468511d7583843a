// Finds partition sets A and B and the PRIVATE partition by type GUID and position
// (signpost.md 2). Mirrors signpost's state.rs (PartitionSet detection).
import { BrktError } from '../errors';
import { PARTITION_TYPES } from '../gpt/guid';
import type { GptEntry, GptTable } from '../gpt/table';

export type SetName = 'A' | 'B';

/** One partition, by entry index (number = index + 1), with its device path. */
export interface PartitionRef {
  index: number;
  number: number;
  path: string;
}

export interface PartitionSet {
  boot: PartitionRef;
  root: PartitionRef;
  hash: PartitionRef;
}

export interface DiskSets {
  A: PartitionSet;
  /** Absent on a single-set disk. */
  B?: PartitionSet;
  private: PartitionRef;
}

/** The entries of each kind in table order. */
function byType(table: GptTable, type: string): GptEntry[] {
  return table.entries.filter(entry => entry.typeGuid === type);
}

/**
 * Sets A and B and PRIVATE of `table`. `pathOf(number)` names a partition (a device node, or
 * `<image>p<N>` for an image file). A third BOOT partition and extra ROOT/HASH ones are ignored.
 */
export function findSets(table: GptTable, pathOf: (number: number) => string): DiskSets {
  const boots = byType(table, PARTITION_TYPES.BOOT);
  const roots = byType(table, PARTITION_TYPES.ROOT);
  const hashes = byType(table, PARTITION_TYPES.HASH);
  const privates = byType(table, PARTITION_TYPES.PRIVATE);
  const ref = (entry: GptEntry | undefined, kind: string, set: string): PartitionRef => {
    if (!entry) throw new BrktError('gpt', `Failed to find the ${kind} partition ${set} on ${table.device}`);
    return { index: entry.index, number: entry.index + 1, path: pathOf(entry.index + 1) };
  };
  const setOf = (i: 0 | 1): PartitionSet => {
    const name = i === 0 ? 'of set A' : 'of set B';
    return { boot: ref(boots[i], 'BOOT', name), root: ref(roots[i], 'ROOT', name), hash: ref(hashes[i], 'HASH', name) };
  };
  const A = setOf(0);
  const B = boots.length >= 2 ? setOf(1) : undefined;
  return { A, B, private: ref(privates[0], 'PRIVATE', '(boot-ever-succeeded flag)') };
}

/** `<image>p<N>`: partitions of an image file have no device nodes; named like loop partitions. */
export const imagePartitionPath = (image: string, number: number) => `${image}p${number}`;

/** Where `ref` lies on the disk, as the platform opens partitions. */
export function partitionLocation(table: GptTable, ref: PartitionRef): { number: number; path: string; offset: number; length: number } {
  const entry = table.entries[ref.index]!;
  const size = table.sectorSize;
  return { number: ref.number, path: ref.path, offset: Number(entry.firstLba) * size, length: Number(entry.lastLba - entry.firstLba + 1n) * size };
}
