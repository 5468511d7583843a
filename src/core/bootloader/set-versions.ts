// The release each partition set holds, for summaries (`brkt rollback`): read from the root
// partitions of an image disk; on a host only the running set's version is known (os-release).
import { readOsRelease } from '../os-release';
import type { Platform } from '../../platform/types';
import type { SetName } from '../signpost/sets';
import type { PartitionState } from '../signpost/state';
import { readRootRelease } from './root-release';

export async function setVersions(platform: Platform, state: PartitionState): Promise<Partial<Record<SetName, string>>> {
  const versions: Partial<Record<SetName, string>> = {};
  if (!state.isImage) {
    const version = (await readOsRelease(platform))?.versionId;
    if (version) versions[state.active] = version;
    return versions;
  }
  const disk = await platform.openDisk(state.disk, 'r');
  try {
    for (const name of ['A', 'B'] as const) {
      const set = state.sets[name];
      const version = set && (await readRootRelease(disk, state.table, set.root))?.release.versionId;
      if (version) versions[name] = version;
    }
  } finally {
    await disk.close();
  }
  return versions;
}
