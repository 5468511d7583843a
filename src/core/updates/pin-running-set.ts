// Sandbox disks only: the running set of a disk that has never been booted by the sandbox
// bootloader is "the set it would choose now" (cli.md), which an update's flag changes would move
// to the new set before any reboot. Recording the running set first keeps the active set fixed.
import { bootRecordFor, writeBootRecord } from '../bootloader/boot-record';
import { loadPartitionState } from '../signpost/state';
import type { Platform } from '../../platform/types';
import { runningImage } from './updog-session';

/**
 * Writes a boot record for the set running now when the disk has none, dated when the running
 * image was installed (its os-release), so it reads as the boot that started this image.
 */
export async function pinRunningSet(platform: Platform): Promise<void> {
  if ((await platform.runningRoot(await platform.osDisk())).source !== 'boot-record') return;
  const state = await loadPartitionState(platform);
  if (await bootRecordFor(platform, state.disk, state.table.diskGuid)) return;
  const { current } = await runningImage(platform);
  const installed = (await platform.files.info(platform.paths.osRelease))?.mtimeMs ?? 0;
  await writeBootRecord(platform, { set: state.active, version: current.text, disk: state.disk, diskGuid: state.table.diskGuid, bootedAt: new Date(installed).toISOString() });
}
