// Creates a new GPT disk: protective MBR plus both table copies, laid out as sgdisk does
// (128 entries, backup entry array right before the backup header).
import type { DeviceHandle } from '../../platform/types';
import { ZERO_GUID, randomGuid } from './guid';
import { ENTRY_SIZE, entrySectors, type GptEntry, type GptTable } from './table';
import { writeGpt } from './write';

export interface NewPartition {
  typeGuid: string;
  name: string;
  firstLba: bigint;
  lastLba: bigint;
  attributes?: bigint;
  partGuid?: string;
}

export const DEFAULT_ENTRY_COUNT = 128;

/** A table for a disk of `sizeBytes`; partitions are numbered in the order given. */
export function newGptTable(options: { device: string; sizeBytes: number; sectorSize?: number; diskGuid?: string; partitions: NewPartition[] }): GptTable {
  const sectorSize = options.sectorSize ?? 512;
  const sectors = BigInt(Math.floor(options.sizeBytes / sectorSize));
  const entryCount = DEFAULT_ENTRY_COUNT;
  const tableSectors = entrySectors({ entryCount, sectorSize });
  const entries: GptEntry[] = [];
  for (let index = 0; index < entryCount; index++) {
    const part = options.partitions[index];
    entries.push({
      index,
      typeGuid: part?.typeGuid ?? ZERO_GUID,
      partGuid: part ? (part.partGuid ?? randomGuid()) : ZERO_GUID,
      firstLba: part?.firstLba ?? 0n,
      lastLba: part?.lastLba ?? 0n,
      attributes: part?.attributes ?? 0n,
      name: part?.name ?? '',
      raw: new Uint8Array(ENTRY_SIZE),
    });
  }
  return {
    device: options.device,
    sectorSize,
    sectors,
    diskGuid: options.diskGuid ?? randomGuid(),
    firstUsableLba: 2n + tableSectors,
    lastUsableLba: sectors - 2n - tableSectors,
    primaryEntriesLba: 2n,
    backupEntriesLba: sectors - 1n - tableSectors,
    entryCount,
    entries,
    source: 'primary',
  };
}

/** The protective MBR: one 0xEE partition from LBA 1 over the whole disk (capped at 2^32-1). */
export function protectiveMbr(table: GptTable): Uint8Array {
  const sector = new Uint8Array(table.sectorSize);
  const view = new DataView(sector.buffer);
  sector.set([0x00, 0x00, 0x02, 0x00, 0xee, 0xff, 0xff, 0xff], 446);
  view.setUint32(454, 1, true);
  const size = table.sectors - 1n;
  view.setUint32(458, size > 0xffffffffn ? 0xffffffff : Number(size), true);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

/** Writes a protective MBR and `table` to `disk`; an empty image file grows (sparse) to the table's size. */
export async function writeNewGpt(disk: DeviceHandle, table: GptTable): Promise<void> {
  await disk.write(0, protectiveMbr(table));
  await disk.write(Number(table.sectors - 1n) * table.sectorSize, new Uint8Array(table.sectorSize));
  await writeGpt(disk, table);
}
