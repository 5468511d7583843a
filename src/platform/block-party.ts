// Finds the OS disk of a real host through sysfs (mirrors upstream's block-party).
import { promises as fs } from 'node:fs';
import { BrktError } from '../core/errors';

const devNumbers = (rdev: number) => ({
  major: Number((BigInt(rdev) >> 8n) & 0xfffn),
  minor: Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & 0xfff00n)),
});

/** The whole-disk device node that holds the partition mounted at `/`. */
export async function osDiskOfRunningRoot(): Promise<string> {
  const { dev } = await fs.stat('/');
  const { major, minor } = devNumbers(dev);
  const sysPath = `/sys/dev/block/${major}:${minor}`;
  let real: string;
  try {
    real = await fs.realpath(sysPath);
  } catch (error) {
    throw new BrktError('not-found', `Failed to find the OS disk: ${sysPath} does not exist`, { cause: error });
  }
  // A partition's sysfs directory sits inside its disk's directory and has a `partition` file.
  const isPartition = await fs.access(`${real}/partition`).then(() => true, () => false);
  const diskDir = isPartition ? real.slice(0, real.lastIndexOf('/')) : real;
  return `/dev/${diskDir.slice(diskDir.lastIndexOf('/') + 1)}`;
}
