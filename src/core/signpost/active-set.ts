// Which partition set is running (signpost.md 8.2, host.md 2.3-2.4, cli.md): the platform says
// what identifies it; this matches that against the disk's sets. One answer for every reader
// and for the disk guard.
import { BrktError } from '../errors';
import type { GptTable } from '../gpt/table';
import type { Platform, RunningRoot } from '../../platform/types';
import { runningSetOfImage } from '../bootloader/running-set';
import type { DiskSets, PartitionSet, SetName } from './sets';

const members = (set: PartitionSet) => [set.boot, set.root, set.hash];

/**
 * The set holding the root's partition (dm-verity's lower device is ROOT or HASH of the booted
 * set; a plain root is ROOT), else the set of `root=PARTUUID=<guid>[/PARTNROFF=<n>]`. Set A is
 * tested first, as upstream does. A single-set disk runs set A.
 */
export function activeSetOfDevices(table: GptTable, sets: DiskSets, root: Extract<RunningRoot, { source: 'devices' }>, disk: string): SetName {
  if (!sets.B) return 'A';
  const names = ['A', 'B'] as const;
  if (root.partition) {
    const found = names.find(name => members(sets[name]!).some(ref => ref.path === root.partition));
    if (found) return found;
  }
  if (root.partUuid) {
    const entry = table.entries.find(candidate => candidate.partGuid.toLowerCase() === root.partUuid!.guid);
    const number = entry && entry.index + 1 + root.partUuid.offset;
    const found = names.find(name => members(sets[name]!).some(ref => ref.number === number));
    if (found) return found;
  }
  throw new BrktError('gpt', `Failed to find the running partition set on ${disk}: ${root.tried}; neither is in set A or B`);
}

/** The running set of `disk` as the platform tells it (a sandbox image: its boot record). */
export async function resolveActiveSet(platform: Platform, disk: string, table: GptTable, sets: DiskSets): Promise<SetName> {
  const root = await platform.runningRoot(disk);
  if (root.source === 'boot-record') return runningSetOfImage(platform, disk, table, sets);
  return activeSetOfDevices(table, sets, root, disk);
}
