// Block devices through sysfs (signpost.md 8; mirrors upstream's block-party): the OS disk, the
// partition under the running root, and partition device nodes by number. The /sys and /dev
// prefixes, /proc/cmdline and the running root can be moved (BRKT_SYSFS, BRKT_DEVFS,
// BRKT_CMDLINE, BRKT_RUNNING_ROOT) so tests can feed a fake sysfs tree or a mounted loop device.
import { promises as fs } from 'node:fs';
import { basename } from 'node:path';
import { BrktError } from '../core/errors';

export interface BlockRoots {
  sys: string;
  dev: string;
  /** The kernel command line file (`/proc/cmdline`). */
  cmdline: string;
  /** A path on the running root file system (`/`). */
  rootPath: string;
}

export interface BlockDevice {
  major: number;
  minor: number;
  name: string;
}

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

/** The kernel command line's last `root=PARTUUID=<guid>[/PARTNROFF=<n>]` (Linux init/do_mounts.c). */
export function rootPartUuid(cmdline: string): { guid: string; offset: number } | undefined {
  let found: { guid: string; offset: number } | undefined;
  for (const word of cmdline.trim().split(/\s+/)) {
    if (word === '--') break; // the rest is for init
    if (!word.startsWith('root=')) continue;
    const match = /^root=PARTUUID=([0-9a-fA-F-]{36})(?:\/PARTNROFF=(\d+))?$/.exec(word);
    found = match ? { guid: match[1]!.toLowerCase(), offset: Number(match[2] ?? 0) } : undefined;
  }
  return found;
}

/**
 * signpost.md 8.2 steps 1-2 and host.md 2.4: the partition under the file system at `rootPath`:
 * the first lower device of a device-mapper root, or the root device itself when it has none
 * and is a partition. Undefined (with why) when the root is on no partition (an overlay, 9p, a
 * tmpfs) or its device is unknown to sysfs.
 */
export async function rootPartition(roots: BlockRoots, rootPath: string): Promise<{ partition?: BlockDevice; why: string }> {
  let root: BlockDevice;
  try {
    root = await fromDevicePath(roots, rootPath);
  } catch (error) {
    return { why: `the file system at ${rootPath} is on no block device sysfs knows (${(error as Error).message})` };
  }
  const slaves = await fs.readdir(`${roots.sys}/dev/block/${root.major}:${root.minor}/slaves`).catch(() => []);
  if (slaves.length > 0) {
    const [first] = await lowerDevices(roots, root);
    return { partition: first!, why: `root device ${root.name} is over ${first!.name}` };
  }
  if (await diskOf(roots, root)) return { partition: root, why: `root device ${root.name}` };
  return { why: `root device ${root.name} has no lower devices and is not a partition` };
}

export async function readCmdline(path: string): Promise<string> {
  return fs.readFile(path, 'utf8').catch(() => '');
}

/** What tells the running set on a machine: the root's partition and the command line's root=. */
export async function runningRootEvidence(roots: BlockRoots): Promise<{ partition?: string; partUuid?: { guid: string; offset: number }; tried: string }> {
  const { partition, why } = await rootPartition(roots, roots.rootPath);
  const partUuid = rootPartUuid(await readCmdline(roots.cmdline));
  const cmdline = partUuid ? `${roots.cmdline} has root=PARTUUID=${partUuid.guid}${partUuid.offset ? `/PARTNROFF=${partUuid.offset}` : ''}` : `${roots.cmdline} has no root=PARTUUID=`;
  return { partition: partition && `${roots.dev}/${partition.name}`, partUuid, tried: `${why}; ${cmdline}` };
}

/**
 * The whole-disk device node holding the running root (signpost.md 8.2 step 3): the disk of the
 * root's partition, else the disk of the command line's `root=PARTUUID=` (through udev's
 * by-partuuid link).
 */
export async function osDiskOfRunningRoot(roots: BlockRoots): Promise<string> {
  const { partition, why } = await rootPartition(roots, roots.rootPath);
  let disk = partition && (await diskOf(roots, partition));
  const partUuid = rootPartUuid(await readCmdline(roots.cmdline));
  if (!disk && partUuid) {
    const link = `${roots.dev}/disk/by-partuuid/${partUuid.guid}`;
    const node = await fromDeviceNode(roots, link).catch(() => undefined);
    disk = node && (await diskOf(roots, node));
  }
  if (!disk) throw new BrktError('not-found', `Failed to find the OS disk: ${why}; ${partUuid ? `no disk holds root=PARTUUID=${partUuid.guid}` : `${roots.cmdline} has no root=PARTUUID=`}`);
  return `${roots.dev}/${disk.name}`;
}

export async function partitionPathOf(diskPath: string, number: number, roots: BlockRoots): Promise<string | undefined> {
  const disk = await fromDeviceNode(roots, diskPath);
  const partition = await partitionOf(roots, disk, number);
  return partition && `${roots.dev}/${partition.name}`;
}
