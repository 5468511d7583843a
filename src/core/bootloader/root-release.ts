// Reads the release a set holds from its root partition: the platform's own image format (the
// sandbox root image), else a real ext4 root file system read in place.
import { parseOsRelease, type OsRelease } from '../os-release';
import type { GptTable } from '../gpt/table';
import type { Platform } from '../../platform/types';
import { partitionLocation, type PartitionRef } from '../signpost/sets';
import { ext4OsRelease } from './ext4';

/** The os-release in `root`'s partition, or undefined when it holds no bootable image. */
export async function readRootRelease(platform: Platform, disk: string, table: GptTable, root: PartitionRef): Promise<{ text: string; release: OsRelease } | undefined> {
  const location = partitionLocation(table, root);
  const text = (await platform.rootRelease(disk, location)) ?? (await ext4Release(platform, disk, location));
  if (text === undefined) return undefined;
  const release = parseOsRelease(text);
  return release.versionId ? { text, release } : undefined;
}

async function ext4Release(platform: Platform, disk: string, location: ReturnType<typeof partitionLocation>): Promise<string | undefined> {
  const handle = await platform.openPartition(disk, location, 'r');
  try {
    return await ext4OsRelease((position, length) => handle.read(position, Math.max(0, Math.min(length, location.length - position))));
  } finally {
    await handle.close();
  }
}
