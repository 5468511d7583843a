// Reads and validates a GPT from a disk or image (signpost.md 9): sector size detection, header
// and entry-array CRCs, bounds and overlaps. Mirrors what gptman does for signpost, stricter on
// bounds. A damaged primary header falls back to the backup; a damaged entry array is an error.
import { BrktError } from '../errors';
import type { DeviceHandle } from '../../platform/types';
import {
  ENTRY_SIZE, SECTOR_SIZES, entriesCrcOf, entrySectors, isUsed, parseEntry, parseHeader,
  type GptEntry, type GptHeader, type GptTable,
} from './table';

const MAX_ENTRIES = 16384;

export const gptError = (device: string, reason: string) => new BrktError('gpt', `Invalid GPT on ${device}: ${reason}`);

/** Either a whole valid copy (header + entries) or why it is not valid. */
export type CopyResult = { table: GptTable; problem?: undefined } | { table?: undefined; problem: string; headerValid: boolean };

interface Geometry {
  device: string;
  sectorSize: number;
  sectors: bigint;
}

/** Finds the sector size: 512 unless neither header has a signature there and 4096 does. */
async function findGeometry(disk: DeviceHandle, device: string): Promise<{ geometry: Geometry; primary: Uint8Array; backup: Uint8Array }> {
  const size = await disk.size();
  if (size % 512 !== 0) throw gptError(device, `its size ${size} is not a whole number of 512-byte sectors (truncated image?)`);
  for (const sectorSize of SECTOR_SIZES) {
    if (size % sectorSize !== 0 || size < sectorSize * 3) continue;
    const primary = await disk.read(sectorSize, sectorSize);
    const backup = await disk.read(size - sectorSize, sectorSize);
    if (!parseHeader(primary).signature && !parseHeader(backup).signature) continue;
    return { geometry: { device, sectorSize, sectors: BigInt(size / sectorSize) }, primary, backup };
  }
  throw new BrktError('gpt', `No GPT found on ${device}: no 'EFI PART' header at LBA 1 or at the last sector, with 512- or 4096-byte sectors`);
}

/** Why a CRC-valid header cannot be used on this disk, or undefined when it can. */
function boundsProblem(header: GptHeader, which: 'primary' | 'backup', { sectors, sectorSize }: Geometry): string | undefined {
  const last = sectors - 1n;
  const expected = which === 'primary' ? 1n : last;
  if (header.myLba !== expected) return `it says it is at LBA ${header.myLba}, not ${expected}`;
  if (which === 'primary' && header.alternateLba > last) {
    return `its backup header LBA ${header.alternateLba} is beyond the last sector ${last} (truncated image?)`;
  }
  if (header.entrySize !== ENTRY_SIZE) return `partition entry size ${header.entrySize} is not ${ENTRY_SIZE}`;
  if (header.entryCount < 1 || header.entryCount > MAX_ENTRIES) return `partition entry count ${header.entryCount} is out of range`;
  if (header.firstUsableLba > header.lastUsableLba) return `first usable LBA ${header.firstUsableLba} is after last usable LBA ${header.lastUsableLba}`;
  if (header.lastUsableLba >= last) return `last usable LBA ${header.lastUsableLba} is beyond the disk's last sector ${last} (truncated image?)`;
  const entriesEnd = header.entriesLba + entrySectors({ entryCount: header.entryCount, sectorSize }) - 1n;
  if (header.entriesLba < 2n || entriesEnd >= last) return `partition entries at LBA ${header.entriesLba}..${entriesEnd} lie outside the disk`;
  if (header.entriesLba <= header.lastUsableLba && entriesEnd >= header.firstUsableLba) {
    return `partition entries at LBA ${header.entriesLba}..${entriesEnd} overlap the usable space`;
  }
  return undefined;
}

/** Problems with the used entries: bad ranges, outside the usable space, overlaps. */
export function entriesProblem(table: Pick<GptTable, 'entries' | 'firstUsableLba' | 'lastUsableLba'>): string | undefined {
  const used = table.entries.filter(isUsed);
  for (const entry of used) {
    const number = entry.index + 1;
    if (entry.lastLba < entry.firstLba) return `partition ${number} ends (LBA ${entry.lastLba}) before it starts (LBA ${entry.firstLba})`;
    if (entry.firstLba < table.firstUsableLba || entry.lastLba > table.lastUsableLba) {
      return `partition ${number} (LBA ${entry.firstLba}..${entry.lastLba}) lies outside the usable space ${table.firstUsableLba}..${table.lastUsableLba}`;
    }
  }
  const sorted = [...used].sort((a, b) => (a.firstLba < b.firstLba ? -1 : a.firstLba > b.firstLba ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    const [before, after] = [sorted[i - 1]!, sorted[i]!];
    if (after.firstLba <= before.lastLba) return `partitions ${before.index + 1} and ${after.index + 1} overlap`;
  }
  return undefined;
}

/** One copy of the table (primary or backup), validated on its own. */
async function readCopy(disk: DeviceHandle, geometry: Geometry, which: 'primary' | 'backup', headerBytes: Uint8Array): Promise<CopyResult> {
  const parsed = parseHeader(headerBytes);
  if (!parsed.header) return { problem: `${which} header: ${parsed.problem}`, headerValid: false };
  const header = parsed.header;
  const bounds = boundsProblem(header, which, geometry);
  if (bounds) return { problem: `${which} header: ${bounds}`, headerValid: false };
  const { sectorSize, sectors, device } = geometry;
  const bytes = await disk.read(Number(header.entriesLba) * sectorSize, header.entryCount * ENTRY_SIZE);
  const entries: GptEntry[] = [];
  for (let i = 0; i < header.entryCount; i++) entries.push(parseEntry(bytes.subarray(i * ENTRY_SIZE, (i + 1) * ENTRY_SIZE), i));
  const otherEntriesLba = sectors - 1n - entrySectors({ entryCount: header.entryCount, sectorSize });
  const table: GptTable = {
    device,
    sectorSize,
    sectors,
    diskGuid: header.diskGuid,
    firstUsableLba: header.firstUsableLba,
    lastUsableLba: header.lastUsableLba,
    primaryEntriesLba: which === 'primary' ? header.entriesLba : 2n,
    backupEntriesLba: which === 'backup' ? header.entriesLba : otherEntriesLba,
    entryCount: header.entryCount,
    entries,
    source: which,
  };
  if (entriesCrcOf(table, bytes) !== header.entriesCrc) return { problem: `${which} partition entry array does not match its CRC`, headerValid: true };
  const problem = entriesProblem(table);
  if (problem) return { problem: `${which} table: ${problem}`, headerValid: true };
  return { table };
}

/**
 * The GPT of `disk` (named `device` in messages). The primary copy is used when its header is
 * valid; a bad primary entry array is an error. With a damaged primary header the backup copy
 * is returned with `source: 'backup'`; writing it back needs the explicit repair.
 */
export async function readGpt(disk: DeviceHandle, device: string): Promise<GptTable> {
  const { geometry, primary: primaryBytes, backup: backupBytes } = await findGeometry(disk, device);
  const primary = await readCopy(disk, geometry, 'primary', primaryBytes);
  if (primary.table) {
    const backupHeader = parseHeader(backupBytes).header;
    // Keep an existing backup entry array where it is (sgdisk and gptman may differ on it).
    if (backupHeader && !boundsProblem(backupHeader, 'backup', geometry)) primary.table.backupEntriesLba = backupHeader.entriesLba;
    return primary.table;
  }
  if (primary.headerValid) throw gptError(device, `the ${primary.problem} (brkt signpost repair-table restores it from the backup copy)`);
  const backup = await readCopy(disk, geometry, 'backup', backupBytes);
  if (backup.table) return { ...backup.table, primaryDamage: primary.problem };
  throw gptError(device, `${primary.problem}; ${backup.problem}`);
}

/** Both copies, each validated on its own, for repair and checks. */
export async function readBothCopies(disk: DeviceHandle, device: string): Promise<{ primary: CopyResult; backup: CopyResult }> {
  const { geometry, primary, backup } = await findGeometry(disk, device);
  return { primary: await readCopy(disk, geometry, 'primary', primary), backup: await readCopy(disk, geometry, 'backup', backup) };
}
