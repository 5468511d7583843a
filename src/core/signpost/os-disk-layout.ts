// The upstream OS disk layout (signpost.md 1, image build's partyplanner order), scaled to any
// partition sizes, and the fresh-install flags of signpost.md 6.
import { PARTITION_TYPES } from '../gpt/guid';
import { newGptTable, writeNewGpt, type NewPartition } from '../gpt/create';
import type { GptTable } from '../gpt/table';
import type { DeviceHandle } from '../../platform/types';

const MiB = 1024 * 1024;

/** Partition sizes in MiB. */
export interface LayoutSizes {
  biosBoot: number;
  efi: number;
  boot: number;
  root: number;
  hash: number;
  reserved: number;
  private: number;
}

/**
 * The sandbox disk (`brkt dev init`): 47 MiB, sparse. BIOS-BOOT 1, EFI-SYSTEM 1, then per set
 * BOOT 2, ROOT 16, HASH 1, RESERVED 1 (EFI-BACKUP 1 between the sets), PRIVATE 2; the first
 * partition starts at 1 MiB and 1 MiB is left at the end for the backup table.
 */
export const SANDBOX_SIZES: LayoutSizes = { biosBoot: 1, efi: 1, boot: 2, root: 16, hash: 1, reserved: 1, private: 2 };

/** BOOT-A `(1, 0, 1)`: what image build sets (attribute 0x0101000000000000). */
export const FRESH_BOOT_A_ATTRIBUTES = 0x0101000000000000n;

export interface LayoutPart {
  name: string;
  typeGuid: string;
  sizeMiB: number;
  attributes: bigint;
}

/** The partitions in on-disk order; `sets: 1` leaves out EFI-BACKUP and set B. */
export function osDiskPartitions(sizes: LayoutSizes = SANDBOX_SIZES, sets: 1 | 2 = 2): LayoutPart[] {
  const T = PARTITION_TYPES;
  const bank = (x: 'A' | 'B'): LayoutPart[] => [
    { name: `BOTTLEROCKET-BOOT-${x}`, typeGuid: T.BOOT, sizeMiB: sizes.boot, attributes: x === 'A' ? FRESH_BOOT_A_ATTRIBUTES : 0n },
    { name: `BOTTLEROCKET-ROOT-${x}`, typeGuid: T.ROOT, sizeMiB: sizes.root, attributes: 0n },
    { name: `BOTTLEROCKET-HASH-${x}`, typeGuid: T.HASH, sizeMiB: sizes.hash, attributes: 0n },
    { name: `BOTTLEROCKET-RESERVED-${x}`, typeGuid: T.RESERVED, sizeMiB: sizes.reserved, attributes: 0n },
  ];
  return [
    { name: 'BIOS-BOOT', typeGuid: T.BIOS_BOOT, sizeMiB: sizes.biosBoot, attributes: 0n },
    { name: 'EFI-SYSTEM', typeGuid: T.EFI_SYSTEM, sizeMiB: sizes.efi, attributes: 0n },
    ...bank('A'),
    ...(sets === 2 ? [{ name: 'EFI-BACKUP', typeGuid: T.EFI_BACKUP, sizeMiB: sizes.efi, attributes: 0n }, ...bank('B')] : []),
    { name: 'BOTTLEROCKET-PRIVATE', typeGuid: T.PRIVATE, sizeMiB: sizes.private, attributes: 0n },
  ];
}

/** Disk size for a layout: 1 MiB before the first partition, 1 MiB after the last. */
export const osDiskBytes = (parts: LayoutPart[]) => (parts.reduce((sum, part) => sum + part.sizeMiB, 0) + 2) * MiB;

/** A GPT for `parts` on a disk of `sizeBytes` (at least `osDiskBytes(parts)`), 1 MiB aligned. */
export function osDiskTable(device: string, parts: LayoutPart[], options: { sizeBytes?: number; sectorSize?: number } = {}): GptTable {
  const sectorSize = options.sectorSize ?? 512;
  const perMiB = BigInt(MiB / sectorSize);
  let next = perMiB;
  const partitions: NewPartition[] = parts.map(part => {
    const firstLba = next;
    next += BigInt(part.sizeMiB) * perMiB;
    return { typeGuid: part.typeGuid, name: part.name, firstLba, lastLba: next - 1n, attributes: part.attributes };
  });
  return newGptTable({ device, sectorSize, sizeBytes: options.sizeBytes ?? osDiskBytes(parts), partitions });
}

/** Writes a fresh OS disk table (and protective MBR) onto `disk`, returning the table. */
export async function writeOsDisk(disk: DeviceHandle, device: string, parts = osDiskPartitions(), options: { sizeBytes?: number; sectorSize?: number } = {}): Promise<GptTable> {
  const table = osDiskTable(device, parts, options);
  await writeNewGpt(disk, table);
  return table;
}
