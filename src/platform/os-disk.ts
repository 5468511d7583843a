// The OS disk as the platform sees it: a block device (partitions are device nodes found through
// sysfs) or an image file (partitions are byte ranges, named `<image>p<N>`); partition windows
// for reads and writes; and the release a ROOT partition holds.
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { BrktError } from '../core/errors';
import { decodeSandboxRoot, SANDBOX_ROOT_HEADER_BYTES } from '../core/sandbox/root-image';
import { imagePartitionPath } from '../core/signpost/sets';

export { imagePartitionPath };
import { RootedFiles } from './files';
import type { DeviceHandle, PartitionLocation } from './types';

/** `block-device` or `image-file`; `missing` when nothing is there yet (a sandbox before init). */
export async function diskKind(path: string): Promise<'block-device' | 'image-file' | 'missing'> {
  const stat = await fs.stat(path).catch(() => undefined);
  if (!stat) return 'missing';
  return stat.isBlockDevice() ? 'block-device' : 'image-file';
}

export const openAnywhere = (path: string, mode: 'r' | 'r+') => new RootedFiles('/').open(resolve(path), mode);

/** A handle on `length` bytes of `disk` from `offset`; anything outside is refused. */
function window(disk: DeviceHandle, path: string, offset: number, length: number): DeviceHandle {
  const inside = (position: number, size: number) => {
    if (position < 0 || position + size > length) throw new BrktError('io', `Refusing to access ${path} at ${position}+${size}: the partition has ${length} bytes`);
  };
  return {
    path,
    size: async () => length,
    async read(position, size) {
      const clipped = Math.max(0, Math.min(size, length - position));
      return disk.read(offset + position, clipped);
    },
    async write(position, data) {
      inside(position, data.length);
      await disk.write(offset + position, data);
    },
    sync: () => disk.sync(),
    close: () => disk.close(),
  };
}

export async function openPartition(disk: string, partition: PartitionLocation, mode: 'r' | 'r+'): Promise<DeviceHandle> {
  if ((await diskKind(disk)) === 'block-device') {
    const handle = await openAnywhere(partition.path, mode);
    // A node that is not this partition (renumbered disk, stale udev) must not be written.
    const size = await handle.size();
    if (size !== partition.length) {
      await handle.close();
      throw new BrktError('io', `Refusing to open ${partition.path}: it has ${size} bytes, the partition table says ${partition.length}`);
    }
    return handle;
  }
  return window(await openAnywhere(disk, mode), imagePartitionPath(disk, partition.number), partition.offset, partition.length);
}

/**
 * The os-release of the image in a ROOT partition: the sandbox root image format (its header).
 * A real ext4 root is not read here yet; such a set reports no release.
 */
export async function rootRelease(disk: string, partition: PartitionLocation): Promise<string | undefined> {
  const handle = await openPartition(disk, partition, 'r');
  try {
    return decodeSandboxRoot(await handle.read(0, Math.min(partition.length, SANDBOX_ROOT_HEADER_BYTES)))?.text;
  } finally {
    await handle.close();
  }
}
