// The release each partition set holds, for summaries (`brkt rollback`): read from the root
// partitions by the platform; the running set's also from os-release when its image is unreadable.
import { readOsRelease } from '../os-release';
import type { Platform } from '../../platform/types';
import type { SetName } from '../signpost/sets';
import type { PartitionState } from '../signpost/state';
import { readRootRelease } from './root-release';

export async function setVersions(platform: Platform, state: PartitionState): Promise<Partial<Record<SetName, string>>> {
  const versions: Partial<Record<SetName, string>> = {};
  for (const name of ['A', 'B'] as const) {
    const set = state.sets[name];
    const version = set && (await readRootRelease(platform, state.disk, state.table, set.root))?.release.versionId;
    if (version) versions[name] = version;
  }
  if (!versions[state.active]) {
    const running = (await readOsRelease(platform))?.versionId;
    if (running) versions[state.active] = running;
  }
  return versions;
}
