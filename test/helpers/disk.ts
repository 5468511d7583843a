// Builds real sparse GPT disk images for tests: the upstream OS disk layout written by our own
// GPT code or by Debian's sgdisk, set A/B/PRIVATE attribute words, and sandbox root images.
import { closeSync, openSync, readFileSync, writeFileSync, ftruncateSync } from 'node:fs';
import { RootedFiles } from '../../src/platform/files';
import { readGpt } from '../../src/core/gpt/read';
import { writeGpt } from '../../src/core/gpt/write';
import { PARTITION_TYPES } from '../../src/core/gpt/guid';
import type { GptTable } from '../../src/core/gpt/table';
import { osDiskBytes, osDiskPartitions, writeOsDisk, type LayoutSizes } from '../../src/core/signpost/os-disk-layout';
import { findSets, imagePartitionPath } from '../../src/core/signpost/sets';
import { encodeSandboxRoot } from '../../src/core/sandbox/root-image';
import { osReleaseFor } from '../../src/core/sandbox/init';
import type { DeviceHandle } from '../../src/platform/types';

/** Small partitions: the images stay a few MiB (sparse) and every command still has real work. */
export const TEST_SIZES: LayoutSizes = { biosBoot: 1, efi: 1, boot: 1, root: 2, hash: 1, reserved: 1, private: 1 };

export const openImage = (path: string, mode: 'r' | 'r+' = 'r+'): Promise<DeviceHandle> => new RootedFiles('/').open(path, mode);

export interface Flags {
  A?: bigint;
  B?: bigint;
  private?: bigint;
}

export interface DiskOptions {
  sets?: 1 | 2;
  sectorSize?: 512 | 4096;
  sizes?: LayoutSizes;
  /** Total size; at least what the layout needs (more leaves free space at the end). */
  sizeBytes?: number;
  /** Attribute words of BOOT-A, BOOT-B and PRIVATE; the fresh-install flags otherwise. */
  flags?: Flags;
  /** Versions whose sandbox root images go into the ROOT partitions. */
  versions?: { A?: string; B?: string };
}

/** Writes a new image at `path` with our GPT writer and returns its table. */
export async function makeDiskImage(path: string, options: DiskOptions = {}): Promise<GptTable> {
  const parts = osDiskPartitions(options.sizes ?? TEST_SIZES, options.sets ?? 2);
  writeFileSync(path, '');
  const disk = await openImage(path);
  try {
    const table = await writeOsDisk(disk, path, parts, { sectorSize: options.sectorSize, sizeBytes: options.sizeBytes ?? osDiskBytes(parts) });
    if (options.flags) await setFlags(path, options.flags);
    for (const name of ['A', 'B'] as const) {
      const version = options.versions?.[name];
      if (version) await writeRootImage(path, name, version);
    }
    return table;
  } finally {
    await disk.close();
  }
}

/** Sets and partition numbers of an image, as signpost finds them. */
export async function readDisk(path: string) {
  const disk = await openImage(path, 'r');
  try {
    const table = await readGpt(disk, path);
    const sets = findSets(table, number => imagePartitionPath(path, number));
    const attributes = (index: number) => table.entries[index]!.attributes;
    return {
      table,
      sets,
      flags: {
        A: attributes(sets.A.boot.index),
        B: sets.B ? attributes(sets.B.boot.index) : undefined,
        private: attributes(sets.private.index),
      },
    };
  } finally {
    await disk.close();
  }
}

/** Rewrites the attribute words given, through our writer. */
export async function setFlags(path: string, flags: Flags): Promise<void> {
  const disk = await openImage(path);
  try {
    const table = await readGpt(disk, path);
    const sets = findSets(table, number => imagePartitionPath(path, number));
    if (flags.A !== undefined) table.entries[sets.A.boot.index]!.attributes = flags.A;
    if (flags.B !== undefined) table.entries[sets.B!.boot.index]!.attributes = flags.B;
    if (flags.private !== undefined) table.entries[sets.private.index]!.attributes = flags.private;
    await writeGpt(disk, table);
  } finally {
    await disk.close();
  }
}

/** Puts a sandbox root image of `version` into the ROOT partition of `set`. */
export async function writeRootImage(path: string, set: 'A' | 'B', version: string, variant = 'aws-dev'): Promise<void> {
  const { table, sets } = await readDisk(path);
  const disk = await openImage(path);
  try {
    await disk.write(Number(table.entries[sets[set]!.root.index]!.firstLba) * table.sectorSize, encodeSandboxRoot(osReleaseFor(version, variant)));
  } finally {
    await disk.close();
  }
}

/** The upstream layout made by sgdisk alone (no flags set), on a fresh sparse file. */
export function sgdiskOsDisk(path: string, sizes: LayoutSizes = TEST_SIZES): void {
  const parts = osDiskPartitions(sizes, 2);
  const fd = openSync(path, 'w');
  ftruncateSync(fd, osDiskBytes(parts));
  closeSync(fd);
  const args = parts.flatMap((part, i) => [`-n`, `${i + 1}:0:+${part.sizeMiB}M`, `-t`, `${i + 1}:${part.typeGuid}`, `-c`, `${i + 1}:${part.name}`]);
  run(['sgdisk', ...args, path]);
}

export function run(cmd: string[]): string {
  const result = Bun.spawnSync({ cmd, stdout: 'pipe', stderr: 'pipe' });
  if (result.exitCode !== 0) throw new Error(`${cmd.join(' ')} failed (${result.exitCode}): ${result.stderr.toString()}${result.stdout.toString()}`);
  return result.stdout.toString();
}

export const bytesOf = (path: string) => readFileSync(path);

/** Partition numbers of the upstream layout. */
export const NUMBERS = { bootA: 3, rootA: 4, hashA: 5, bootB: 8, rootB: 9, hashB: 10, private: 12 } as const;
export { PARTITION_TYPES };
