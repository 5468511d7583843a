// Every transition of signpost.md 4 and 7 and the derived test vectors of 11, on real images.
import { describe, expect, test } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { makePlatform } from '../../platform';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { makeDiskImage, readDisk, setFlags, type DiskOptions } from '../../../test/helpers/disk';
import { writeBootRecord } from '../bootloader/boot-record';
import { hex64 } from '../gpt/attributes';
import {
  cancelUpgrade, clearInactive, hasBootEverSucceeded, markInactiveValid, markSuccessfulBoot, nextSet, rollbackToInactive, upgradeToInactive,
} from './operations';
import { loadPartitionState, updatePartitionState, type PartitionState } from './state';
import { formatStatus } from './status';

/** A disk image with the given flags whose running set is `active` (a boot record says so). */
async function disk(options: DiskOptions & { active?: 'A' | 'B' } = {}) {
  const dir = makeTempDir();
  const path = dir.path('disk.img');
  const table = await makeDiskImage(path, options);
  const platform = makePlatform({ root: dir.root, env: { BRKT_DISK: path } });
  if (options.active) {
    await writeBootRecord(platform, { set: options.active, version: '1.0.0', disk: path, diskGuid: table.diskGuid, bootedAt: new Date(0).toISOString() });
  }
  return Object.assign(dir, { platform, image: path });
}

const flags = async (path: string) => {
  const { flags } = await readDisk(path);
  return { A: hex64(flags.A), B: flags.B === undefined ? undefined : hex64(flags.B), private: hex64(flags.private) };
};

type Op = (state: PartitionState) => void;

describe('signpost.md 11 derived vectors', () => {
  test.each<[string, bigint, bigint, 'A' | 'B', Op, string, string, 'A' | 'B' | undefined]>([
    ['8: clear-inactive', 0x0101000000000000n, 0n, 'A', clearInactive, '0x0101000000000000', '0x0000000000000000', 'A'],
    ['9: clear-inactive keeps unrelated bits', 0x0101000000000000n, 0x8012000000000005n, 'A', clearInactive, '0x0101000000000000', '0x8000000000000005', 'A'],
    ['10: clear-inactive of (15,15,1)', 0x0101000000000000n, 0x01ff000000000000n, 'A', clearInactive, '0x0101000000000000', '0x0000000000000000', 'A'],
    ['11: mark-inactive-valid', 0x0101000000000000n, 0n, 'A', markInactiveValid, '0x0101000000000000', '0x0010000000000000', 'A'],
    ['12: upgrade-to-inactive', 0x0101000000000000n, 0x0010000000000000n, 'A', upgradeToInactive, '0x0101000000000000', '0x0012000000000000', 'B'],
    ['16: cancel-upgrade', 0x0101000000000000n, 0x0012000000000000n, 'A', cancelUpgrade, '0x0102000000000000', '0x0010000000000000', 'A'],
    ['17: rollback-to-inactive from B', 0x0101000000000000n, 0x0102000000000000n, 'B', rollbackToInactive, '0x0102000000000000', '0x0101000000000000', 'A'],
    ['19: rollback to (0,0,1) is allowed (signpost willBoot)', 0x0100000000000000n, 0x0102000000000000n, 'B', rollbackToInactive, '0x0102000000000000', '0x0101000000000000', 'A'],
  ])('%s', async (_name, a, b, active, op, wantA, wantB, next) => {
    await using d = await disk({ flags: { A: a, B: b }, active });
    const { state } = await updatePartitionState(d.platform, op);
    expect(state.active).toBe(active);
    expect(await flags(d.image)).toEqual({ A: wantA, B: wantB, private: '0x0000000000000000' });
    expect(nextSet(await loadPartitionState(d.platform))).toBe(next);
  });

  test.each<[string, bigint, Op, string]>([
    ['13: upgrade without mark-inactive-valid', 0n, upgradeToInactive, 'has not been marked valid for upgrade'],
    ['14: upgrade twice', 0x0012000000000000n, upgradeToInactive, 'is already marked for upgrade'],
    ['15: upgrade onto a successful set', 0x0110000000000000n, upgradeToInactive, 'is already marked for upgrade'],
    ['18: rollback to a failed set', 0x0002000000000000n, rollbackToInactive, 'is not valid to roll back to (priority=2 tries_left=0 successful=false)'],
  ])('%s is refused and writes nothing', async (_name, b, op, message) => {
    await using d = await disk({ flags: { A: 0x0101000000000000n, B: b }, active: 'A' });
    const before = readFileSync(d.image);
    const error = await updatePartitionState(d.platform, op).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`Inactive partition ${d.image}p8 ${message}`);
    expect(readFileSync(d.image).equals(before)).toBe(true);
  });

  test('20-21: mark-successful-boot sets successful and the PRIVATE bit', async () => {
    await using d = await disk({ flags: { A: 0x0001000000000000n, B: 0n }, active: 'A' });
    expect(hasBootEverSucceeded(await loadPartitionState(d.platform))).toBe(false);
    await updatePartitionState(d.platform, markSuccessfulBoot);
    expect(await flags(d.image)).toEqual({ A: '0x0101000000000000', B: '0x0000000000000000', private: '0x0200000000000000' });
    expect(hasBootEverSucceeded(await loadPartitionState(d.platform))).toBe(true);
  });

  test.each<[string, bigint, bigint, 'A' | 'B' | undefined]>([
    ['22: a tie goes to A', 0x0101000000000000n, 0x0101000000000000n, 'A'],
    ['23: (0,0,1) is next for signpost', 0x0100000000000000n, 0n, 'A'],
    ['higher priority wins', 0x0101000000000000n, 0x0102000000000000n, 'B'],
    ['nothing bootable', 0n, 0x0002000000000000n, undefined],
  ])('next(): %s', async (_name, a, b, next) => {
    await using d = await disk({ flags: { A: a, B: b }, active: 'A' });
    expect(nextSet(await loadPartitionState(d.platform))).toBe(next);
  });

  test('24: a single-set disk refuses what needs an inactive set and prints no Set B line', async () => {
    await using d = await disk({ sets: 1 });
    const before = readFileSync(d.image);
    for (const op of [clearInactive, markInactiveValid, upgradeToInactive, cancelUpgrade, rollbackToInactive]) {
      const error = await updatePartitionState(d.platform, op).catch((e: unknown) => e);
      expect((error as Error).message).toBe(`Inactive partition not available: ${d.image} has a single partition set`);
    }
    expect(readFileSync(d.image).equals(before)).toBe(true);
    const status = formatStatus(await loadPartitionState(d.platform));
    expect(status).toBe([
      `OS disk: ${d.image}`,
      `Set A:   boot=${d.image}p3 root=${d.image}p4 hash=${d.image}p5 priority=1 tries_left=0 successful=true`,
      'Active:  Set A',
      'Next:    Set A',
      '',
    ].join('\n'));
    await updatePartitionState(d.platform, markSuccessfulBoot);
    expect((await flags(d.image)).private).toBe('0x0200000000000000');
  });
});

describe('signpost.md 7 lifecycle walk-through, row by row', () => {
  test('from a fresh image to a successful B, then rollback; and the next update', async () => {
    await using d = await disk();
    const row = async (active: 'A' | 'B', A: string, B: string, next: 'A' | 'B') => {
      const state = await loadPartitionState(d.platform);
      expect({ active: state.active, next: nextSet(state), ...(await flags(d.image)), private: undefined }).toEqual({ active, next, A, B, private: undefined });
    };
    await row('A', '0x0101000000000000', '0x0000000000000000', 'A');
    await updatePartitionState(d.platform, markSuccessfulBoot);
    expect((await flags(d.image)).private).toBe('0x0200000000000000');
    await row('A', '0x0101000000000000', '0x0000000000000000', 'A');
    await updatePartitionState(d.platform, clearInactive);
    await row('A', '0x0101000000000000', '0x0000000000000000', 'A');
    await updatePartitionState(d.platform, markInactiveValid);
    await row('A', '0x0101000000000000', '0x0010000000000000', 'A');
    await updatePartitionState(d.platform, upgradeToInactive);
    // No boot record and no image in B's root: the bootloader would fall back to A, so A runs.
    await row('A', '0x0101000000000000', '0x0012000000000000', 'B');
    await updatePartitionState(d.platform, cancelUpgrade);
    await row('A', '0x0102000000000000', '0x0010000000000000', 'A');
    await updatePartitionState(d.platform, upgradeToInactive);
    await row('A', '0x0101000000000000', '0x0012000000000000', 'B');
    // GRUB's row is the bootloader's (bootloader tests); here its result: B booted with its try spent.
    const { table } = await readDisk(d.image);
    await writeBootRecord(d.platform, { set: 'B', version: '1.1.0', disk: d.image, diskGuid: table.diskGuid, bootedAt: new Date(0).toISOString() });
    await setFlags(d.image, { B: 0x0002000000000000n });
    await row('B', '0x0101000000000000', '0x0002000000000000', 'A');
    await updatePartitionState(d.platform, markSuccessfulBoot);
    await row('B', '0x0101000000000000', '0x0102000000000000', 'B');
    const booted = readFileSync(d.image);
    await updatePartitionState(d.platform, rollbackToInactive);
    await row('B', '0x0102000000000000', '0x0101000000000000', 'A');
    writeFileSync(d.image, booted);
    await updatePartitionState(d.platform, clearInactive);
    await row('B', '0x0000000000000000', '0x0102000000000000', 'B');
  });
});
