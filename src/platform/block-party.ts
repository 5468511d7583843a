// Block devices through sysfs (signpost.md 8; mirrors upstream's block-party): the OS disk, the
// partition under the running root, and partition device nodes by number. The /sys and /dev
// prefixes can be moved (BRKT_SYSFS, BRKT_DEVFS) so tests can build a fake sysfs tree.
import { promises as fs } from 'node:fs';
import { basename } from 'node:path';
import { BrktError } from '../core/errors';

export interface BlockRoots {
  sys: string;
  dev: string;
}

export interface BlockDevice {
  major: number;
  minor: number;
  name: string;
}

export const blockRoots = (env: Record<string, string | undefined> = {}): BlockRoots => ({
  sys: env.BRKT_SYSFS ?? '/sys',
  dev: env.BRKT_DEVFS ?? '/dev',
});

const isMissing = (error: unknown) => ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException)?.code ?? '');

/** Linux's full dev_t split (brkt: upstream only takes 8 bits of the minor). */
export function devNumbers(dev: number | bigint): { major: number; minor: number } {
  const d = BigInt(dev);
  return {
    major: Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & 0xfffff000n)),
    minor: Number((d & 0xffn) | ((d >> 12n) & 0xffffff00n)),
  };
}

/** `MAJ:MIN` of a sysfs `dev` file. */
export async function readDevFile(path: string): Promise<{ major: number; minor: number }> {
  const text = (await fs.readFile(path, 'utf8')).trim();
  const match = /^(\d+):(\d+)$/.exec(text);
  if (!match) throw new BrktError('io', `Invalid device numbers '${text}' in ${path}`);
  return { major: Number(match[1]), minor: Number(match[2]) };
}

export async function fromMajorMinor(roots: BlockRoots, major: number, minor: number): Promise<BlockDevice> {
  const link = `${roots.sys}/dev/block/${major}:${minor}`;
  let target: string;
  try {
    target = await fs.readlink(link);
  } catch (error) {
    throw new BrktError('not-found', `Failed to find block device ${major}:${minor}: ${link} is not readable`, { cause: error });
  }
  if (target.endsWith('..')) throw new BrktError('io', `Invalid sysfs link ${link} -> ${target}`);
  return { major, minor, name: basename(target) };
}

/** The block device holding the file system that `path` is on. */
export async function fromDevicePath(roots: BlockRoots, path: string): Promise<BlockDevice> {
  const stat = await fs.stat(path, { bigint: true });
  const { major, minor } = devNumbers(stat.dev);
  return fromMajorMinor(roots, major, minor);
}

/** The block device a device node (`/dev/nvme0n1`) stands for. */
export async function fromDeviceNode(roots: BlockRoots, path: string): Promise<BlockDevice> {
  const stat = await fs.stat(path, { bigint: true });
  const { major, minor } = devNumbers(stat.rdev);
  return fromMajorMinor(roots, major, minor);
}

/** Devices under a device-mapper device (`slaves/`), in directory order. */
export async function lowerDevices(roots: BlockRoots, device: BlockDevice): Promise<BlockDevice[]> {
  const dir = `${roots.sys}/dev/block/${device.major}:${device.minor}/slaves`;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    throw new BrktError('io', `Failed to list the lower devices of ${device.name}: ${dir} is not readable`, { cause: error });
  }
  const devices: BlockDevice[] = [];
  for (const name of names) {
    const { major, minor } = await readDevFile(`${dir}/${name}/dev`);
    devices.push(await fromMajorMinor(roots, major, minor));
  }
  return devices;
}

/** The whole disk a partition belongs to, or undefined when `device` is not a partition. */
export async function diskOf(roots: BlockRoots, device: BlockDevice): Promise<BlockDevice | undefined> {
  for (const entry of await fs.readdir(`${roots.sys}/block`)) {
    const exists = await fs.access(`${roots.sys}/block/${entry}/${device.name}`).then(() => true, () => false);
    if (!exists) continue;
    const { major, minor } = await readDevFile(`${roots.sys}/block/${entry}/dev`);
    return fromMajorMinor(roots, major, minor);
  }
  return undefined;
}

/** Partition `number` of a disk, or undefined. */
export async function partitionOf(roots: BlockRoots, disk: BlockDevice, number: number): Promise<BlockDevice | undefined> {
  const dir = `${roots.sys}/dev/block/${disk.major}:${disk.minor}`;
  for (const entry of await fs.readdir(dir)) {
    let text: string;
    try {
      text = await fs.readFile(`${dir}/${entry}/partition`, 'utf8');
    } catch (error) {
      if (isMissing(error)) continue;
      throw error;
    }
    if (text.trim() !== String(number)) continue;
    const { major, minor } = await readDevFile(`${dir}/${entry}/dev`);
    return fromMajorMinor(roots, major, minor);
  }
  return undefined;
}

/** signpost.md 8.2 steps 1-2: the first lower device of the device mounted at `rootPath`. */
export async function runningPartition(roots: BlockRoots, rootPath = '/'): Promise<BlockDevice> {
  const root = await fromDevicePath(roots, rootPath);
  const [first] = await lowerDevices(roots, root);
  if (!first) throw new BrktError('not-found', `Failed to find the running partition: root device ${root.name} has no lower devices`);
  return first;
}

export async function runningPartitionPath(roots = blockRoots(process.env), rootPath = '/'): Promise<string> {
  return `${roots.dev}/${(await runningPartition(roots, rootPath)).name}`;
}

/** The whole-disk device node that holds the running root partition (signpost.md 8.2 step 3). */
export async function osDiskOfRunningRoot(roots = blockRoots(process.env), rootPath = '/'): Promise<string> {
  const partition = await runningPartition(roots, rootPath);
  const disk = await diskOf(roots, partition);
  if (!disk) throw new BrktError('not-found', `Failed to find the OS disk: root device ${partition.name} is not a partition`);
  return `${roots.dev}/${disk.name}`;
}

export async function partitionPathOf(diskPath: string, number: number, roots = blockRoots(process.env)): Promise<string | undefined> {
  const disk = await fromDeviceNode(roots, diskPath);
  const partition = await partitionOf(roots, disk, number);
  return partition && `${roots.dev}/${partition.name}`;
}
