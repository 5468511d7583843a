// The OS disk guard against every writer: each runs with a stale view of the running set (the
// first look says one set, the kernel says the other by the time it writes), the way a wrong
// running set once made `brkt update` clear the set that was running. Each write that would
// reach the running set is refused and the disk stays byte-identical.
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { makePlatform } from '../../platform';
import type { Platform, RunningRoot } from '../../platform/types';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { makeDiskImage, NUMBERS, readDisk } from '../../../test/helpers/disk';
import { hex64 } from '../gpt/attributes';
import { openOsDiskWriter } from './disk-guard';
import { cancelUpgrade, clearInactive, markInactiveValid, markSuccessfulBoot, MUTATIONS, rollbackToInactive, upgradeToInactive } from './operations';
import { updatePartitionState, type PartitionState } from './state';

/**
 * An OS disk whose running set the kernel reports as `truth` (its ROOT partition is the root
 * device), except that the first look reports `stale`: a caller that loaded its state then
 * acts on the wrong set, and only the guard's own look at write time sees the truth.
 */
async function staleDisk(flags: { A: bigint; B: bigint }, truth: 'A' | 'B', stale: 'A' | 'B') {
  const dir = makeTempDir();
  const image = dir.path('disk.img');
  await makeDiskImage(image, { flags, versions: { A: '1.0.0', B: '1.1.0' } });
  const real = makePlatform({ root: dir.root, env: { BRKT_DISK: image } });
  const root = (set: 'A' | 'B'): RunningRoot => ({ source: 'devices', partition: `${image}p${set === 'A' ? NUMBERS.rootA : NUMBERS.rootB}`, tried: `root device is ROOT-${set}` });
  let looks = 0;
  const platform: Platform = { ...real, runningRoot: async () => root(looks++ === 0 ? stale : truth) };
  return Object.assign(dir, { image, platform, bytes: () => readFileSync(image) });
}

const A_SUCCESSFUL = 0x0101000000000000n; // (1, 0, 1)
const B_RUNNING = 0x0102000000000000n; // (2, 0, 1)

describe('the disk guard refuses every writer that would write the running set', () => {
  test.each<[string, (state: PartitionState) => void, { A: bigint; B: bigint }, 'A' | 'B', string]>([
    ['clear-inactive', clearInactive, { A: A_SUCCESSFUL, B: B_RUNNING }, 'B', 'its successful flag would be cleared'],
    ['mark-inactive-valid (the update path)', markInactiveValid, { A: A_SUCCESSFUL, B: B_RUNNING }, 'B', 'its tries would change from 0 to 1'],
    ['cancel-upgrade (update-revert)', cancelUpgrade, { A: A_SUCCESSFUL, B: B_RUNNING }, 'B', 'its priority would become 0 (it could no longer boot)'],
    ['rollback-to-inactive', rollbackToInactive, { A: 0x0102000000000000n, B: A_SUCCESSFUL }, 'B', 'its priority would rise from 1 to 2'],
    ['upgrade-to-inactive (update-apply)', upgradeToInactive, { A: A_SUCCESSFUL, B: 0x0010000000000000n }, 'B', 'its priority would rise from 0 to 2'],
    // The set that failed its one try must not be marked successful (it would boot forever).
    ['mark-successful-boot', markSuccessfulBoot, { A: A_SUCCESSFUL, B: 0x0002000000000000n }, 'A', 'set B would be marked successful, but set A is running'],
  ])('%s', async (_name, operation, flags, truth, problem) => {
    await using d = await staleDisk(flags, truth, truth === 'A' ? 'B' : 'A');
    const before = d.bytes();
    const error = (await updatePartitionState(d.platform, operation).catch((e: unknown) => e)) as Error;
    expect(error.message).toStartWith(`Refusing to write the running partition set ${truth} of ${d.image}: `);
    expect(error.message).toContain(problem);
    expect(d.bytes().equals(before)).toBe(true);
  });

  test('every signpost mutation is covered above or cannot change a table', () => {
    expect(Object.keys(MUTATIONS).sort()).toEqual(
      ['cancel-upgrade', 'clear-inactive', 'mark-inactive-valid', 'mark-successful-boot', 'rewrite-table', 'rollback-to-inactive', 'upgrade-to-inactive'],
    );
  });

  test('update image writes: a partition of the running set is never opened for writing', async () => {
    await using d = await staleDisk({ A: A_SUCCESSFUL, B: B_RUNNING }, 'B', 'A');
    const before = d.bytes();
    const writer = await openOsDiskWriter(d.platform);
    try {
      const { table, sets } = await writer.read(); // the stale look: set A runs, B is "inactive"
      for (const kind of ['root', 'boot', 'hash'] as const) {
        const error = (await writer.openPartition(table, sets.B![kind]).catch((e: unknown) => e)) as Error;
        expect(error.message).toBe(`Refusing to write partition ${sets.B![kind].number} (${sets.B![kind].path}) of ${d.image}: it belongs to the running partition set B`);
      }
      expect(d.bytes().equals(before)).toBe(true);
      // The set that is not running is writable, within its own bounds only.
      const target = await writer.openPartition(table, sets.A.root);
      await target.write(0, new Uint8Array([1, 2, 3]));
      await expect(target.write((await target.size()) - 1, new Uint8Array(2))).rejects.toThrow(`Refusing to access ${d.image}p${NUMBERS.rootA}`);
      await target.close();
    } finally {
      await writer.close();
    }
  });

  test('the operations still do their job when the view is right', async () => {
    await using d = await staleDisk({ A: A_SUCCESSFUL, B: B_RUNNING }, 'B', 'B');
    await updatePartitionState(d.platform, clearInactive);
    const { flags } = await readDisk(d.image);
    expect([hex64(flags.A), hex64(flags.B!)]).toEqual(['0x0000000000000000', '0x0102000000000000']);
  });
});
