// Reads the release a set holds from its root partition; the platform knows the image format.
import { parseOsRelease, type OsRelease } from '../os-release';
import type { GptTable } from '../gpt/table';
import type { Platform } from '../../platform/types';
import { partitionLocation, type PartitionRef } from '../signpost/sets';

/** The os-release in `root`'s partition, or undefined when it holds no bootable image. */
export async function readRootRelease(platform: Platform, disk: string, table: GptTable, root: PartitionRef): Promise<{ text: string; release: OsRelease } | undefined> {
  const text = await platform.rootRelease(disk, partitionLocation(table, root));
  if (text === undefined) return undefined;
  const release = parseOsRelease(text);
  return release.versionId ? { text, release } : undefined;
}
