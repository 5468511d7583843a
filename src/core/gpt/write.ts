// Writes a GPT back (signpost.md 9): validate first, so a refused write changes no byte; then the
// backup copy, then the primary copy, each entry array before its header, with an fsync between.
// A crash leaves either the old or the new primary, or a primary entry array that fails its CRC
// while the backup already holds the new table: readers then refuse the disk rather than mix
// tables, and `signpost repair-table` restores it from the backup.
import { BrktError } from '../errors';
import type { DeviceHandle } from '../../platform/types';
import { encodeEntries, encodeHeader, entriesCrcOf, isUsed, type GptTable } from './table';
import { entriesProblem } from './read';

/** Why `table` must not be written, or undefined when it may. */
export function writeProblem(table: GptTable): string | undefined {
  const seen = new Map<string, number>();
  for (const entry of table.entries.filter(isUsed)) {
    const other = seen.get(entry.partGuid);
    if (other !== undefined) return `partitions ${other} and ${entry.index + 1} share the unique GUID ${entry.partGuid}`;
    seen.set(entry.partGuid, entry.index + 1);
  }
  return entriesProblem(table);
}

/** Refuses a table read from the backup copy: only the explicit repair may rewrite the primary. */
export function assertWritable(table: GptTable): void {
  if (table.source === 'backup') {
    throw new BrktError('gpt', `Refusing to write the GPT on ${table.device}: ${table.primaryDamage ?? 'the primary copy is damaged'}; run 'brkt signpost repair-table' to restore it from the backup copy first`);
  }
}

/**
 * Writes both copies of `table` to `disk`. A table read from the backup copy (damaged primary)
 * is refused unless `repair` is set: repairing is an explicit command, never a side effect.
 */
export async function writeGpt(disk: DeviceHandle, table: GptTable, options: { repair?: boolean } = {}): Promise<void> {
  const device = table.device;
  if (!options.repair) assertWritable(table);
  const problem = writeProblem(table);
  if (problem) throw new BrktError('gpt', `Refusing to write the GPT on ${device}: ${problem}`);
  const size = await disk.size();
  if (BigInt(size) !== table.sectors * BigInt(table.sectorSize)) {
    throw new BrktError('gpt', `Refusing to write the GPT on ${device}: its size changed from ${table.sectors * BigInt(table.sectorSize)} to ${size} bytes since it was read`);
  }
  const entries = encodeEntries(table);
  const crc = entriesCrcOf(table, entries);
  const at = (lba: bigint) => Number(lba) * table.sectorSize;
  try {
    await disk.write(at(table.backupEntriesLba), entries);
    await disk.write(at(table.sectors - 1n), encodeHeader(table, 'backup', crc));
    await disk.sync();
    await disk.write(at(table.primaryEntriesLba), entries);
    await disk.write(at(1n), encodeHeader(table, 'primary', crc));
    await disk.sync();
  } catch (error) {
    throw new BrktError('io', `Failed to write the GPT on ${device}: ${(error as Error).message}`, { cause: error });
  }
}
