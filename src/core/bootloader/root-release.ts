// Reads the release a set holds from its root partition (the sandbox root image format).
import { decodeSandboxRoot, SANDBOX_ROOT_HEADER_BYTES } from '../sandbox/root-image';
import type { GptTable } from '../gpt/table';
import type { DeviceHandle } from '../../platform/types';
import type { PartitionRef } from '../signpost/sets';
import type { OsRelease } from '../os-release';

/** The os-release in `root`'s partition, or undefined when it holds no bootable image. */
export async function readRootRelease(disk: DeviceHandle, table: GptTable, root: PartitionRef): Promise<{ text: string; release: OsRelease } | undefined> {
  const entry = table.entries[root.index]!;
  const length = Number(entry.lastLba - entry.firstLba + 1n) * table.sectorSize;
  const bytes = await disk.read(Number(entry.firstLba) * table.sectorSize, Math.min(length, SANDBOX_ROOT_HEADER_BYTES));
  return decodeSandboxRoot(bytes);
}
