// The early boot stage of a host without GRUB's gptprio (host.md 6): GRUB's `gptprio.next` on a
// real disk. Chooses the set, spends one try and writes the table (backup copy first) before
// anything of that set runs; the caller mounts the root partition it names.
import { BrktError } from '../errors';
import { flagsOf, setTries, tries } from '../gpt/attributes';
import { readGpt } from '../gpt/read';
import { repairGpt } from '../gpt/repair';
import { writeGpt } from '../gpt/write';
import type { Platform } from '../../platform/types';
import { findSets, type SetName } from '../signpost/sets';
import { grubChoice } from './choose';

export interface StageChoice {
  set: SetName;
  /** Tries left on the chosen BOOT partition after this boot's try was spent. */
  triesLeft: number;
  boot: string;
  root: string;
  hash: string;
  private: string;
}

/** Chooses and spends a try as GRUB does; throws `conflict` when no set is eligible (nothing written). */
export async function chooseBootSet(platform: Platform, diskPath: string): Promise<StageChoice> {
  const disk = await platform.openDisk(diskPath, 'r+');
  try {
    let table = await readGpt(disk, diskPath);
    if (table.source === 'backup') {
      // GRUB repairs a damaged copy from the good one before choosing.
      await repairGpt(disk, diskPath);
      table = await readGpt(disk, diskPath);
    }
    const sets = findSets(table, number => `${diskPath}#${number}`);
    const set = grubChoice(table, sets);
    if (!set) {
      const flags = (['A', 'B'] as const).filter(name => sets[name]).map(name => {
        const f = flagsOf(table.entries[sets[name]!.boot.index]!.attributes);
        return `set ${name} priority=${f.priority} tries_left=${f.triesLeft} successful=${f.successful}`;
      });
      throw new BrktError('conflict', `No bootable partition set on ${diskPath} (${flags.join(', ')})`);
    }
    const boot = table.entries[sets[set]!.boot.index]!;
    if (tries(boot.attributes) > 0) {
      boot.attributes = setTries(boot.attributes, tries(boot.attributes) - 1);
      await writeGpt(disk, table);
      await disk.sync();
    }
    const node = async (number: number) => {
      const path = await platform.partitionPath(diskPath, number);
      if (!path) throw new BrktError('not-found', `Failed to find partition ${number} of ${diskPath}`);
      return path;
    };
    const chosen = sets[set]!;
    return {
      set,
      triesLeft: tries(boot.attributes),
      boot: await node(chosen.boot.number),
      root: await node(chosen.root.number),
      hash: await node(chosen.hash.number),
      private: await node(sets.private.number),
    };
  } finally {
    await disk.close();
  }
}

/** Shell assignments for the boot stage's /init (`eval`). */
export function formatStageChoice(choice: StageChoice): string {
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  return [
    `BRKT_SET=${choice.set}`,
    `BRKT_TRIES_LEFT=${choice.triesLeft}`,
    `BRKT_BOOT=${quote(choice.boot)}`,
    `BRKT_ROOT=${quote(choice.root)}`,
    `BRKT_HASH=${quote(choice.hash)}`,
    `BRKT_PRIVATE=${quote(choice.private)}`,
  ].join('\n') + '\n';
}
