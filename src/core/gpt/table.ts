// The in-memory GPT: header fields shared by both copies, and the partition entries. Byte layout
// from the UEFI spec (header at LBA 1, 128-byte entries); mirrors what gptman gives signpost.
import { crc32 as crc32Of } from './crc32';
import { bytesToGuid, guidToBytes, ZERO_GUID } from './guid';

export const HEADER_SIGNATURE = 'EFI PART';
export const HEADER_REVISION = 0x00010000;
export const HEADER_SIZE = 92;
export const ENTRY_SIZE = 128;
export const NAME_BYTES = 72;
/** The sector sizes a GPT is looked for with, in this order (signpost.md 9). */
export const SECTOR_SIZES = [512, 4096] as const;

export interface GptEntry {
  /** Position in the entry array; the partition number is `index + 1`. */
  index: number;
  typeGuid: string;
  partGuid: string;
  firstLba: bigint;
  lastLba: bigint;
  /** The whole 64-bit attribute word (offset 48 of the entry). */
  attributes: bigint;
  name: string;
  /** The entry's bytes as read, so that bytes we do not interpret are written back unchanged. */
  raw: Uint8Array;
}

export interface GptHeader {
  myLba: bigint;
  alternateLba: bigint;
  firstUsableLba: bigint;
  lastUsableLba: bigint;
  diskGuid: string;
  entriesLba: bigint;
  entryCount: number;
  entrySize: number;
  entriesCrc: number;
  headerCrc: number;
}

export interface GptTable {
  /** The device or image the table was read from, for messages. */
  device: string;
  sectorSize: number;
  /** Number of sectors on the device. */
  sectors: bigint;
  diskGuid: string;
  firstUsableLba: bigint;
  lastUsableLba: bigint;
  primaryEntriesLba: bigint;
  backupEntriesLba: bigint;
  entryCount: number;
  entries: GptEntry[];
  /** Where the table was read from: `backup` when the primary copy is damaged. */
  source: 'primary' | 'backup';
  /** Why the primary copy was not used, when `source` is `backup`. */
  primaryDamage?: string;
}

export const isUsed = (entry: GptEntry) => entry.typeGuid !== ZERO_GUID;

/** Sectors the entry array takes (32 for 128 entries of 128 bytes on 512-byte sectors). */
export const entrySectors = (table: Pick<GptTable, 'entryCount' | 'sectorSize'>) =>
  BigInt(Math.ceil((table.entryCount * ENTRY_SIZE) / table.sectorSize));

export function parseHeader(bytes: Uint8Array): { header?: GptHeader; problem?: string; signature: boolean } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_SIZE || new TextDecoder().decode(bytes.subarray(0, 8)) !== HEADER_SIGNATURE) {
    return { problem: `no 'EFI PART' signature`, signature: false };
  }
  const revision = view.getUint32(8, true);
  if (revision !== HEADER_REVISION) return { problem: `revision 0x${revision.toString(16)} is not 1.0`, signature: true };
  const size = view.getUint32(12, true);
  if (size !== HEADER_SIZE) return { problem: `header size ${size} is not ${HEADER_SIZE}`, signature: true };
  const headerCrc = view.getUint32(16, true);
  const copy = bytes.slice(0, HEADER_SIZE);
  new DataView(copy.buffer).setUint32(16, 0, true);
  if (crc32Of(copy) !== headerCrc) return { problem: 'header CRC mismatch', signature: true };
  return {
    signature: true,
    header: {
      myLba: view.getBigUint64(24, true),
      alternateLba: view.getBigUint64(32, true),
      firstUsableLba: view.getBigUint64(40, true),
      lastUsableLba: view.getBigUint64(48, true),
      diskGuid: bytesToGuid(bytes.subarray(56, 72)),
      entriesLba: view.getBigUint64(72, true),
      entryCount: view.getUint32(80, true),
      entrySize: view.getUint32(84, true),
      entriesCrc: view.getUint32(88, true),
      headerCrc,
    },
  };
}

/** One header sector (`sectorSize` bytes, zero after the 92 header bytes) with its CRC. */
export function encodeHeader(table: GptTable, which: 'primary' | 'backup', entriesCrc: number): Uint8Array {
  const bytes = new Uint8Array(table.sectorSize);
  const view = new DataView(bytes.buffer);
  const last = table.sectors - 1n;
  bytes.set(new TextEncoder().encode(HEADER_SIGNATURE));
  view.setUint32(8, HEADER_REVISION, true);
  view.setUint32(12, HEADER_SIZE, true);
  view.setBigUint64(24, which === 'primary' ? 1n : last, true);
  view.setBigUint64(32, which === 'primary' ? last : 1n, true);
  view.setBigUint64(40, table.firstUsableLba, true);
  view.setBigUint64(48, table.lastUsableLba, true);
  bytes.set(guidToBytes(table.diskGuid), 56);
  view.setBigUint64(72, which === 'primary' ? table.primaryEntriesLba : table.backupEntriesLba, true);
  view.setUint32(80, table.entryCount, true);
  view.setUint32(84, ENTRY_SIZE, true);
  view.setUint32(88, entriesCrc, true);
  view.setUint32(16, crc32Of(bytes.subarray(0, HEADER_SIZE)), true);
  return bytes;
}

export function parseEntry(raw: Uint8Array, index: number): GptEntry {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const nameUnits: number[] = [];
  for (let i = 56; i + 1 < 56 + NAME_BYTES; i += 2) {
    const unit = view.getUint16(i, true);
    if (unit === 0) break;
    nameUnits.push(unit);
  }
  return {
    index,
    typeGuid: bytesToGuid(raw.subarray(0, 16)),
    partGuid: bytesToGuid(raw.subarray(16, 32)),
    firstLba: view.getBigUint64(32, true),
    lastLba: view.getBigUint64(40, true),
    attributes: view.getBigUint64(48, true),
    name: String.fromCharCode(...nameUnits),
    raw: raw.slice(),
  };
}

/** The entry array, `entryCount` entries of 128 bytes padded to whole sectors. */
export function encodeEntries(table: GptTable): Uint8Array {
  const bytes = new Uint8Array(Number(entrySectors(table)) * table.sectorSize);
  for (const entry of table.entries) {
    const raw = entry.raw.slice(0, ENTRY_SIZE);
    const view = new DataView(raw.buffer);
    raw.set(guidToBytes(entry.typeGuid), 0);
    raw.set(guidToBytes(entry.partGuid), 16);
    view.setBigUint64(32, entry.firstLba, true);
    view.setBigUint64(40, entry.lastLba, true);
    view.setBigUint64(48, entry.attributes, true);
    raw.fill(0, 56, 56 + NAME_BYTES);
    if (entry.name.length > NAME_BYTES / 2) throw new RangeError(`Partition name ${entry.name} is longer than 36 UTF-16 units`);
    for (let i = 0; i < entry.name.length; i++) view.setUint16(56 + i * 2, entry.name.charCodeAt(i), true);
    bytes.set(raw, entry.index * ENTRY_SIZE);
  }
  return bytes;
}

/** CRC32 of the entry array proper (`entryCount * 128` bytes, not the sector padding). */
export const entriesCrcOf = (table: GptTable, entriesBytes: Uint8Array) => crc32Of(entriesBytes.subarray(0, table.entryCount * ENTRY_SIZE));

