// Real block devices for tests: an image attached to a free loop device, its partitions added
// with `partx -a` (device nodes loopNpM, found through sysfs like any disk's). Root only.
import { test } from 'bun:test';
import { run } from './disk';
import { withTool } from './tools';

export interface LoopDevice extends AsyncDisposable {
  /** `/dev/loopN`. */
  device: string;
  partition(number: number): string;
}

/**
 * `test` for loop-device tests: skipped with a printed reason when not root (losetup, partx and
 * mount need it); when root, a missing tool skips them too, except under CI=true, where it fails.
 */
export function loopTest(): typeof test {
  if (process.getuid?.() !== 0) {
    console.warn('skipping loop-device tests: they need root (losetup, partx, mount)');
    return test.skip;
  }
  const missing = ['losetup', 'partx', 'mount', 'mke2fs', 'cgpt'].find(tool => !Bun.which(tool));
  return missing ? withTool(missing) : test;
}

export function attachLoop(image: string): LoopDevice {
  const device = run(['losetup', '--find', '--show', image]).trim();
  // Partitions added by partx outlive a detach (no partscan flag): drop any left on this device.
  const dropPartitions = () => Bun.spawnSync({ cmd: ['partx', '-d', device] });
  try {
    dropPartitions();
    run(['partx', '-a', device]);
  } catch (error) {
    dropPartitions();
    run(['losetup', '-d', device]);
    throw error;
  }
  return {
    device,
    partition: number => `${device}p${number}`,
    async [Symbol.asyncDispose]() {
      dropPartitions();
      run(['losetup', '-d', device]);
    },
  };
}

/** `device` mounted read-only on `dir` until disposed. */
export function mountReadOnly(device: string, dir: string): AsyncDisposable {
  run(['mount', '-o', 'ro', device, dir]);
  return { [Symbol.asyncDispose]: async () => void run(['umount', dir]) };
}
