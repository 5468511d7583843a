// Creates a sandbox's OS disk (`brkt dev init`): the upstream layout with small partitions
// (SANDBOX_SIZES), set A holding the first release and flagged as a fresh install.
import type { Platform } from '../../platform/types';
import { encodeSandboxRoot } from '../sandbox/root-image';
import { osDiskPartitions, writeOsDisk } from '../signpost/os-disk-layout';
import { findSets, imagePartitionPath } from '../signpost/sets';
import { partitionRange } from '../signpost/state';

/** Writes `path` (built beside it, then renamed) with `osRelease` in set A's root partition. */
export async function createSandboxDisk(platform: Platform, path: string, osRelease: string): Promise<void> {
  const temp = `${path}.new`;
  await platform.files.writeAtomic(temp, new Uint8Array(0));
  const disk = await platform.files.open(temp, 'r+');
  try {
    const table = await writeOsDisk(disk, path, osDiskPartitions());
    const sets = findSets(table, number => imagePartitionPath(path, number));
    await disk.write(partitionRange({ table }, sets.A.root).offset, encodeSandboxRoot(osRelease));
    await disk.sync();
  } finally {
    await disk.close();
  }
  await platform.files.rename(temp, path);
}
