// The boot stage's gptprio step on a disk image: the choice of signpost.md 6, the try spent and
// written (both GPT copies) before the caller mounts anything, and the fallback once it is spent.
import { describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { makePlatform } from '../../platform';
import { makeDiskImage, readDisk } from '../../../test/helpers/disk';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { flagsOf } from '../gpt/attributes';
import { readBothCopies } from '../gpt/read';
import { RootedFiles } from '../../platform/files';
import { chooseBootSet, formatStageChoice } from './boot-stage';

const platform = makePlatform({ root: '/', env: {} });
// (priority, tries, successful) as GPT attribute words: bits 48-51, 52-55, 56.
const word = (priority: number, tries: number, successful: boolean) => (BigInt(priority) << 48n) | (BigInt(tries) << 52n) | (successful ? 1n << 56n : 0n);

describe('brkt boot-stage', () => {
  test('an upgraded set gets exactly one try, written to both copies before it boots; then the old set boots', async () => {
    await using dir = makeTempDir();
    const disk = join(dir.root, 'disk.img');
    await makeDiskImage(disk, { flags: { A: word(1, 0, true), B: word(2, 1, false) } });
    const first = await chooseBootSet(platform, disk);
    expect(first.set).toBe('B');
    expect(first.triesLeft).toBe(0);
    expect(first.root).toBe(`${disk}p9`);
    expect(first.private).toBe(`${disk}p12`);
    const { primary, backup } = await readBothCopies(await new RootedFiles('/').open(disk, 'r'), disk);
    for (const copy of [primary, backup]) expect(flagsOf(copy.table!.entries[7]!.attributes)).toMatchObject({ priority: 2, triesLeft: 0, successful: false });
    // The boot of B failed before mark-successful-boot: the next power-on falls back to A.
    const second = await chooseBootSet(platform, disk);
    expect(second.set).toBe('A');
    expect((await readDisk(disk)).flags).toMatchObject({ A: word(1, 0, true), B: word(2, 0, false) });
    expect(formatStageChoice(second)).toContain(`BRKT_ROOT='${disk}p4'\n`);
  });

  test('priority 0 never boots, ties go to set A, and a successful set is not written', async () => {
    await using dir = makeTempDir();
    const disk = join(dir.root, 'disk.img');
    await makeDiskImage(disk, { flags: { A: word(1, 3, true), B: word(1, 5, false) } });
    expect((await chooseBootSet(platform, disk)).set).toBe('A');
    expect(flagsOf((await readDisk(disk)).flags.A)).toMatchObject({ priority: 1, triesLeft: 2, successful: true });
    await makeDiskImage(disk, { flags: { A: word(0, 0, true), B: word(0, 15, true) } });
    const error = (await chooseBootSet(platform, disk).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(`No bootable partition set on ${disk} (set A priority=0 tries_left=0 successful=true, set B priority=0 tries_left=15 successful=true)`);
    expect((await readDisk(disk)).flags).toMatchObject({ A: word(0, 0, true), B: word(0, 15, true) });
  });
});
