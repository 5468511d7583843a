// The sandbox bootloader: what GRUB does on a real host (signpost.md 6), on the sandbox's disk
// image. Chooses a set, spends one try, "boots" it by reading the release from its root
// partition, falls back when that fails, and records the result as the running image.
import { BrktError } from '../errors';
import { flagsOf, setTries, tries } from '../gpt/attributes';
import { readGpt } from '../gpt/read';
import { writeGpt } from '../gpt/write';
import type { Platform } from '../../platform/types';
import { findSets, imagePartitionPath, type SetName } from '../signpost/sets';
import { grubChoice } from './choose';
import { readRootRelease } from './root-release';
import { writeBootRecord } from './boot-record';

export interface BootAttempt {
  set: SetName;
  /** `booted`, or why the attempt failed. */
  outcome: string;
}

export interface BootResult {
  set: SetName;
  version: string;
  attempts: BootAttempt[];
}

/**
 * Boots the sandbox's OS disk: the GRUB step (choose, decrement tries and write the table
 * before booting), then the release in the chosen set's root partition. A root partition that
 * holds no image is a failed boot and the next GRUB run chooses again; a set that is only
 * eligible because it is successful is not retried. Writes the boot record and `etc/os-release`.
 * This is also the step a serving `brkt boot --serve` runs on SIGHUP (`brkt reboot`).
 * `keepOsRelease` leaves an existing `etc/os-release` alone (the first boot of a sandbox adopts
 * the running image it was created with).
 */
export async function bootSandbox(platform: Platform, options: { keepOsRelease?: boolean } = {}): Promise<BootResult> {
  const diskPath = await platform.osDisk();
  if ((await platform.runningRoot(diskPath)).source !== 'boot-record') {
    throw new BrktError('conflict', `The sandbox bootloader does not run on ${diskPath}: the machine's bootloader chooses its partition set`);
  }
  let disk;
  try {
    disk = await platform.openDisk(diskPath, 'r+');
  } catch (error) {
    throw new BrktError('gpt', `Failed to open the OS disk ${diskPath}: ${(error as Error).message}`, { cause: error });
  }
  try {
    // The boot stage: no set runs yet, so it writes the table itself, not through the disk guard.
    const table = await readGpt(disk, diskPath);
    const sets = findSets(table, number => imagePartitionPath(diskPath, number));
    const attempts: BootAttempt[] = [];
    const excluded = new Set<SetName>();
    for (let choice = grubChoice(table, sets, excluded); choice; choice = grubChoice(table, sets, excluded)) {
      const boot = table.entries[sets[choice]!.boot.index]!;
      if (tries(boot.attributes) > 0) {
        boot.attributes = setTries(boot.attributes, tries(boot.attributes) - 1);
        await writeGpt(disk, table);
      }
      const root = await readRootRelease(platform, diskPath, table, sets[choice]!.root);
      const version = root?.release.versionId;
      if (root && version) {
        attempts.push({ set: choice, outcome: 'booted' });
        if (!options.keepOsRelease || !(await platform.files.exists(platform.paths.osRelease))) {
          await platform.files.writeAtomic(platform.paths.osRelease, root.text);
        }
        await writeBootRecord(platform, { set: choice, version, disk: diskPath, diskGuid: table.diskGuid, bootedAt: platform.now().toISOString() });
        return { set: choice, version, attempts };
      }
      attempts.push({ set: choice, outcome: `no bootable image in ${sets[choice]!.root.path}` });
      if (tries(boot.attributes) === 0) excluded.add(choice);
    }
    const flags = (['A', 'B'] as const).filter(name => sets[name]).map(name => {
      const f = flagsOf(table.entries[sets[name]!.boot.index]!.attributes);
      return `set ${name} priority=${f.priority} tries_left=${f.triesLeft} successful=${f.successful}`;
    });
    const tried = attempts.length ? `; tried ${attempts.map(a => `set ${a.set}: ${a.outcome}`).join(', ')}` : '';
    throw new BrktError('conflict', `No bootable partition set on ${diskPath} (${flags.join(', ')})${tried}`);
  } finally {
    await disk.close();
  }
}
