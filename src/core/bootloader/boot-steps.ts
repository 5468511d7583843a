// The two boot-sequence steps of partition sets: `bootloader` first (a fresh sandbox records the
// set it boots) and `mark-successful-boot` last (signpost's mark-successful-boot.service).
import type { BootStep } from '../boot/sequence';
import type { Platform } from '../../platform/types';
import { readGpt } from '../gpt/read';
import { markSuccessfulBoot } from '../signpost/operations';
import { loadPartitionState, updatePartitionState } from '../signpost/state';
import { judgeBoot, needsJudgement, readHealthConfig } from '../boot-health/gate';
import { describeFailure, seconds } from '../boot-health/describe';
import { bootRecordFor } from './boot-record';
import { bootSandbox } from './boot';

/** A sandbox may predate its disk image; boot steps then skip the partition work. */
async function imageMissing(platform: Platform): Promise<string | undefined> {
  const disk = await platform.osDisk();
  if ((await platform.runningRoot(disk)).source !== 'boot-record') return undefined;
  try {
    await (await platform.openDisk(disk, 'r')).close();
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return disk;
    throw error;
  }
}

export const bootloaderStep: BootStep = {
  name: 'bootloader',
  async run({ platform }) {
    // On a machine the boot stage already chose the set and spent its try; choosing again
    // would spend another.
    const disk = await platform.osDisk();
    if ((await platform.runningRoot(disk)).source !== 'boot-record') return "chosen by the machine's bootloader";
    const missing = await imageMissing(platform);
    if (missing) return `no OS disk ${missing}; skipped`;
    const handle = await platform.openDisk(disk, 'r');
    let record;
    try {
      record = await bootRecordFor(platform, disk, (await readGpt(handle, disk)).diskGuid);
    } finally {
      await handle.close();
    }
    if (record) return `set ${record.set}, version ${record.version}`;
    const booted = await bootSandbox(platform, { keepOsRelease: true });
    return `booted set ${booted.set}, version ${booted.version}`;
  },
};

/**
 * A set's first boot (not yet successful) must first pass the boot-health checks; when one
 * fails the set stays unmarked and the boot asks for a reboot, so the bootloader falls back.
 */
export const markSuccessfulBootStep: BootStep = {
  name: 'mark-successful-boot',
  async run(context) {
    const { platform } = context;
    const missing = await imageMissing(platform);
    if (missing) return `no OS disk ${missing}; skipped`;
    const before = await loadPartitionState(platform);
    const record = needsJudgement(before) ? await judgeBoot(platform, before, await readHealthConfig(platform)) : undefined;
    const failure = record && describeFailure(record);
    if (failure) {
      context.rebootRequested = failure;
      return `set ${before.active} not marked successful: ${failure}; rebooting`;
    }
    const { state } = await updatePartitionState(platform, markSuccessfulBoot);
    const checked = record ? ` after ${record.checks.length} boot health check${record.checks.length === 1 ? '' : 's'} passed in ${seconds(record.durationMs)}` : '';
    return `set ${state.active} marked successful${checked}`;
  },
};
