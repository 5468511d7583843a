// Real block devices for tests: an image attached to a free loop device, its partitions added
// with `partx -a` (device nodes loopNpM, found through sysfs like any disk's). Root only.
import { run } from './disk';

export interface LoopDevice extends AsyncDisposable {
  /** `/dev/loopN`. */
  device: string;
  partition(number: number): string;
}

/** Why loop-device tests cannot run here, or undefined when they can. */
export function loopUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'they need root (losetup, partx, mount)';
  for (const tool of ['losetup', 'partx', 'mount', 'mke2fs']) if (!Bun.which(tool)) return `${tool} is not installed`;
  return undefined;
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
