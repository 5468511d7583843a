// Reading and writing real GPT images: round trips, 4096-byte sectors, validation and repair.
import { describe, expect, test } from 'bun:test';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { makeDiskImage, openImage, readDisk } from '../../../test/helpers/disk';
import { readBothCopies, readGpt } from './read';
import { writeGpt } from './write';
import { repairGpt } from './repair';
import { BrktError } from '../errors';
import { PARTITION_TYPES } from './guid';

async function readImage(path: string) {
  const disk = await openImage(path, 'r');
  try {
    return await readGpt(disk, path);
  } finally {
    await disk.close();
  }
}

async function expectGptError(path: string, message: string | RegExp) {
  const error = await readImage(path).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BrktError);
  expect((error as BrktError).code).toBe('gpt');
  expect((error as BrktError).message).toMatch(message);
}

/** XOR one byte of a file in place. */
function corrupt(path: string, offset: number) {
  const bytes = readFileSync(path);
  bytes[offset] = bytes[offset]! ^ 0xff;
  writeFileSync(path, bytes);
}

describe('round trip', () => {
  test.each([512, 4096] as const)('a table written with %i-byte sectors reads back the same', async sectorSize => {
    await using dir = makeTempDir();
    const path = dir.path('disk.img');
    const written = await makeDiskImage(path, { sectorSize });
    const read = await readImage(path);
    expect(read.sectorSize).toBe(sectorSize);
    expect(read.source).toBe('primary');
    expect(read.diskGuid).toBe(written.diskGuid);
    const used = (t: typeof read) => t.entries.filter(e => e.typeGuid !== '00000000-0000-0000-0000-000000000000').map(({ raw, ...e }) => e);
    expect(used(read)).toEqual(used(written));
    expect(used(read).map(e => e.name)).toEqual([
      'BIOS-BOOT', 'EFI-SYSTEM', 'BOTTLEROCKET-BOOT-A', 'BOTTLEROCKET-ROOT-A', 'BOTTLEROCKET-HASH-A', 'BOTTLEROCKET-RESERVED-A',
      'EFI-BACKUP', 'BOTTLEROCKET-BOOT-B', 'BOTTLEROCKET-ROOT-B', 'BOTTLEROCKET-HASH-B', 'BOTTLEROCKET-RESERVED-B', 'BOTTLEROCKET-PRIVATE',
    ]);
  });

  test('a write changes only the attribute word and the CRCs, and keeps unknown entry bytes', async () => {
    await using dir = makeTempDir();
    const path = dir.path('disk.img');
    await makeDiskImage(path);
    const before = readFileSync(path);
    const disk = await openImage(path);
    const table = await readGpt(disk, path);
    table.entries[2]!.attributes = 0x8012000000000005n;
    await writeGpt(disk, table);
    await disk.close();
    const after = readFileSync(path);
    const changed: number[] = [];
    for (let i = 0; i < after.length; i++) if (before[i] !== after[i]) changed.push(i);
    const entryAttr = (base: number) => [base + 2 * 128 + 48, base + 2 * 128 + 56];
    const inRange = (i: number, [lo, hi]: number[]) => i >= lo! && i < hi!;
    const lastSector = after.length - 512;
    const backupEntries = lastSector - 32 * 512;
    for (const i of changed) {
      const ok = inRange(i, entryAttr(1024)) || inRange(i, entryAttr(backupEntries))
        || inRange(i, [512 + 16, 512 + 20]) || inRange(i, [512 + 88, 512 + 92])
        || inRange(i, [lastSector + 16, lastSector + 20]) || inRange(i, [lastSector + 88, lastSector + 92]);
      expect(ok ? i : `unexpected change at ${i}`).toBe(i);
    }
    expect((await readImage(path)).entries[2]!.attributes).toBe(0x8012000000000005n);
  });
});

describe('validation', () => {
  test('a damaged primary header is read from the backup, and writing it is refused', async () => {
    await using dir = makeTempDir();
    const path = dir.path('disk.img');
    await makeDiskImage(path);
    corrupt(path, 512 + 40);
    const table = await readImage(path);
    expect(table.source).toBe('backup');
    expect(table.primaryDamage).toBe('primary header: header CRC mismatch');
    const before = readFileSync(path);
    const disk = await openImage(path);
    const error = await writeGpt(disk, table).catch((e: unknown) => e);
    await disk.close();
    expect((error as Error).message).toBe(`Refusing to write the GPT on ${path}: primary header: header CRC mismatch; run 'brkt signpost repair-table' to restore it from the backup copy first`);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  test('a damaged primary entry array is an error naming the device and the repair', async () => {
    await using dir = makeTempDir();
    const path = dir.path('disk.img');
    await makeDiskImage(path);
    corrupt(path, 1024 + 2 * 128 + 50);
    await expectGptError(path, `Invalid GPT on ${path}: the primary partition entry array does not match its CRC (brkt signpost repair-table restores it from the backup copy)`);
  });

  test('both headers damaged', async () => {
    await using dir = makeTempDir();
    const path = dir.path('disk.img');
    await makeDiskImage(path);
    const size = readFileSync(path).length;
    corrupt(path, 512 + 40);
    corrupt(path, size - 512 + 40);
    await expectGptError(path, `Invalid GPT on ${path}: primary header: header CRC mismatch; backup header: header CRC mismatch`);
  });

  test('a truncated image: the header points beyond the end', async () => {
    await using dir = makeTempDir();
    const path = dir.path('disk.img');
    await makeDiskImage(path);
    truncateSync(path, 4 * 1024 * 1024);
    await expectGptError(path, /^Invalid GPT on .*: primary header: its backup header LBA \d+ is beyond the last sector 8191 \(truncated image\?\); backup header: no 'EFI PART' signature$/);
  });

  test('a size that is not whole sectors', async () => {
    await using dir = makeTempDir();
    const path = dir.path('disk.img');
    await makeDiskImage(path);
    truncateSync(path, 4 * 1024 * 1024 + 100);
    await expectGptError(path, `Invalid GPT on ${path}: its size 4194404 is not a whole number of 512-byte sectors (truncated image?)`);
  });

  test('a table laid out for 2048-byte sectors is not found at 512 or 4096', async () => {
    await using dir = makeTempDir();
    const path = dir.path('disk.img');
    await makeDiskImage(path, { sectorSize: 4096 });
    // Move the headers to where 2048-byte sectors would put them.
    const bytes = readFileSync(path);
    const shifted = Buffer.alloc(bytes.length);
    shifted.set(bytes.subarray(0, 512));
    shifted.set(bytes.subarray(4096, 4096 + 512), 2048);
    shifted.set(bytes.subarray(bytes.length - 4096, bytes.length - 4096 + 512), bytes.length - 2048);
    writeFileSync(path, shifted);
    await expectGptError(path, `No GPT found on ${path}: no 'EFI PART' header at LBA 1 or at the last sector, with 512- or 4096-byte sectors`);
  });

  test('overlapping partitions are refused on read and on write', async () => {
    await using dir = makeTempDir();
    const path = dir.path('disk.img');
    await makeDiskImage(path);
    const disk = await openImage(path);
    const table = await readGpt(disk, path);
    table.entries[3]!.firstLba = table.entries[2]!.lastLba;
    const before = readFileSync(path);
    const error = await writeGpt(disk, table).catch((e: unknown) => e);
    await disk.close();
    expect((error as Error).message).toBe(`Refusing to write the GPT on ${path}: partitions 3 and 4 overlap`);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  test('duplicate partition GUIDs are refused on write', async () => {
    await using dir = makeTempDir();
    const path = dir.path('disk.img');
    await makeDiskImage(path);
    const disk = await openImage(path);
    const table = await readGpt(disk, path);
    table.entries[8]!.partGuid = table.entries[2]!.partGuid;
    const error = await writeGpt(disk, table).catch((e: unknown) => e);
    await disk.close();
    expect((error as Error).message).toBe(`Refusing to write the GPT on ${path}: partitions 3 and 9 share the unique GUID ${table.entries[2]!.partGuid}`);
  });
});

describe('repair-table', () => {
  test('restores a damaged primary from the backup, then both copies are valid', async () => {
    await using dir = makeTempDir();
    const path = dir.path('disk.img');
    await makeDiskImage(path, { flags: { B: 0x0012000000000000n } });
    corrupt(path, 1024 + 5);
    const disk = await openImage(path);
    expect(await repairGpt(disk, path)).toEqual({ repaired: 'primary', problem: 'primary partition entry array does not match its CRC' });
    const copies = await readBothCopies(disk, path);
    await disk.close();
    expect(copies.primary.problem).toBeUndefined();
    expect(copies.backup.problem).toBeUndefined();
    expect((await readDisk(path)).flags.B).toBe(0x0012000000000000n);
  });

  test('restores a damaged backup from the primary; nothing to do on a good disk', async () => {
    await using dir = makeTempDir();
    const path = dir.path('disk.img');
    await makeDiskImage(path);
    const disk = await openImage(path);
    expect(await repairGpt(disk, path)).toEqual({ repaired: 'nothing' });
    corrupt(path, readFileSync(path).length - 512 + 60);
    expect(await repairGpt(disk, path)).toEqual({ repaired: 'backup', problem: 'backup header: header CRC mismatch' });
    expect(await repairGpt(disk, path)).toEqual({ repaired: 'nothing' });
    await disk.close();
  });
});

test('PRIVATE and BOOT types are where the layout puts them', async () => {
  await using dir = makeTempDir();
  const path = dir.path('disk.img');
  await makeDiskImage(path);
  const { table, sets } = await readDisk(path);
  expect(table.entries[sets.A.boot.index]!.typeGuid).toBe(PARTITION_TYPES.BOOT);
  expect([sets.A.boot.number, sets.A.root.number, sets.A.hash.number, sets.B!.boot.number, sets.B!.root.number, sets.B!.hash.number, sets.private.number]).toEqual([3, 4, 5, 8, 9, 10, 12]);
});
