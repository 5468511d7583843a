// The running set of a sandbox's image disk (cli.md): the set last booted by the sandbox
// bootloader, or, with no boot record for this disk, the set the bootloader would choose now.
import type { GptTable } from '../gpt/table';
import type { Platform } from '../../platform/types';
import type { DiskSets, SetName } from '../signpost/sets';
import { bootRecordFor } from './boot-record';
import { grubChoice } from './choose';
import { readRootRelease } from './root-release';

export async function runningSetOfImage(platform: Platform, disk: string, table: GptTable, sets: DiskSets): Promise<SetName> {
  const record = await bootRecordFor(platform, disk, table.diskGuid);
  if (record && sets[record.set]) return record.set;
  return (await wouldBoot(platform, disk, table, sets)) ?? 'A';
}

/**
 * The set a boot now would end in, without changing the disk: GRUB's choice, falling back past
 * sets whose root partition holds no bootable image. Undefined when nothing boots; callers then
 * treat set A as running (as on a single-set disk), so a disk without flags still works.
 */
export async function wouldBoot(platform: Platform, disk: string, table: GptTable, sets: DiskSets): Promise<SetName | undefined> {
  const failed = new Set<SetName>();
  for (let choice = grubChoice(table, sets); choice; choice = grubChoice(table, sets, failed)) {
    if (await readRootRelease(platform, disk, table, sets[choice]!.root)) return choice;
    failed.add(choice);
  }
  return undefined;
}
