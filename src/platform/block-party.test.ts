// block-party against a fake sysfs tree (signpost.md 8, host.md 2.4): the running partition
// through dm-verity or as the root device itself, the kernel command line's root=PARTUUID=, its
// disk, and partition device nodes by number.
import { expect, test } from 'bun:test';
import { mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { makeTempDir } from '../../test/helpers/sandbox';
import { devNumbers, diskOf, fromMajorMinor, osDiskOfRunningRoot, partitionOf, rootPartUuid, runningRootEvidence, type BlockRoots } from './block-party';

/** A sysfs with nvme0n1 (259:0), partitions p1..p12 (259:1..12), and dm-0 over p4 holding `rootDir`. */
function fakeSysfs(sys: string, rootDir: string) {
  const { major, minor } = devNumbers(statSync(rootDir, { bigint: true }).dev);
  const disk = `${sys}/devices/pci0000:00/nvme/nvme0/nvme0n1`;
  mkdirSync(`${sys}/dev/block`, { recursive: true });
  mkdirSync(`${sys}/block`, { recursive: true });
  mkdirSync(disk, { recursive: true });
  writeFileSync(`${disk}/dev`, '259:0\n');
  symlinkSync(disk, `${sys}/dev/block/259:0`);
  symlinkSync(disk, `${sys}/block/nvme0n1`);
  for (let n = 1; n <= 12; n++) {
    mkdirSync(`${disk}/nvme0n1p${n}`);
    writeFileSync(`${disk}/nvme0n1p${n}/partition`, `${n}\n`);
    writeFileSync(`${disk}/nvme0n1p${n}/dev`, `259:${n}\n`);
    symlinkSync(`${disk}/nvme0n1p${n}`, `${sys}/dev/block/259:${n}`);
  }
  const dm = `${sys}/devices/virtual/block/dm-0`;
  mkdirSync(`${dm}/slaves/nvme0n1p4`, { recursive: true });
  writeFileSync(`${dm}/slaves/nvme0n1p4/dev`, '259:4\n');
  symlinkSync(dm, `${sys}/dev/block/${major}:${minor}`);
  symlinkSync(dm, `${sys}/block/dm-0`);
}

function roots(dir: { path(rel: string): string }, cmdline = ''): BlockRoots {
  mkdirSync(dir.path('root'));
  writeFileSync(dir.path('cmdline'), cmdline);
  return { sys: dir.path('sys'), dev: '/dev', cmdline: dir.path('cmdline'), rootPath: dir.path('root') };
}

/** Makes the fake partition nvme0n1p<n> the device of `rootDir` itself (no device-mapper). */
function rootOnPartition(sys: string, rootDir: string, n: number) {
  const { major, minor } = devNumbers(statSync(rootDir, { bigint: true }).dev);
  rmSync(`${sys}/dev/block/${major}:${minor}`);
  rmSync(`${sys}/block/dm-0`);
  symlinkSync(`${sys}/devices/pci0000:00/nvme/nvme0/nvme0n1/nvme0n1p${n}`, `${sys}/dev/block/${major}:${minor}`);
}

test('a dm-verity root resolves to its first lower device, its disk and the disk partitions', async () => {
  await using dir = makeTempDir();
  const r = roots(dir);
  fakeSysfs(r.sys, r.rootPath);
  expect(await runningRootEvidence(r)).toEqual({ partition: '/dev/nvme0n1p4', partUuid: undefined, tried: `root device dm-0 is over nvme0n1p4; ${r.cmdline} has no root=PARTUUID=` });
  expect(await osDiskOfRunningRoot(r)).toBe('/dev/nvme0n1');
  const disk = await fromMajorMinor(r, 259, 0);
  expect(disk).toEqual({ major: 259, minor: 0, name: 'nvme0n1' });
  expect(await partitionOf(r, disk, 10)).toEqual({ major: 259, minor: 10, name: 'nvme0n1p10' });
  expect(await partitionOf(r, disk, 13)).toBeUndefined();
  expect(await diskOf(r, disk)).toBeUndefined();
});

test('without device-mapper the root device is the running partition (host.md 2.4)', async () => {
  await using dir = makeTempDir();
  const r = roots(dir);
  fakeSysfs(r.sys, r.rootPath);
  rootOnPartition(r.sys, r.rootPath, 9);
  expect((await runningRootEvidence(r)).partition).toBe('/dev/nvme0n1p9');
  expect(await osDiskOfRunningRoot(r)).toBe('/dev/nvme0n1');
});

test('a root on no partition leaves the kernel command line, whose PARTUUID names the disk', async () => {
  await using dir = makeTempDir();
  const guid = '6b0ef7a8-7a39-4d4f-a5b2-55e7f0b1f0c3';
  const r = roots(dir, `BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro root=PARTUUID=${guid.toUpperCase()}/PARTNROFF=1 quiet -- root=PARTUUID=nope\n`);
  fakeSysfs(r.sys, r.rootPath);
  rmSync(`${r.sys}/devices/virtual/block/dm-0/slaves/nvme0n1p4`, { recursive: true });
  expect(await runningRootEvidence(r)).toEqual({
    partition: undefined,
    partUuid: { guid, offset: 1 },
    tried: `root device dm-0 has no lower devices and is not a partition; ${r.cmdline} has root=PARTUUID=${guid}/PARTNROFF=1`,
  });
  // udev's by-partuuid link to the BOOT partition: a device node of partition 8 (259:8).
  await expect(osDiskOfRunningRoot({ ...r, dev: dir.path('dev') })).rejects.toThrow(`Failed to find the OS disk: root device dm-0 has no lower devices and is not a partition; no disk holds root=PARTUUID=${guid}`);
});

test('with neither, the error says what was looked at', async () => {
  await using dir = makeTempDir();
  const r = roots(dir);
  mkdirSync(`${r.sys}/dev/block`, { recursive: true });
  await expect(osDiskOfRunningRoot(r)).rejects.toThrow(`Failed to find the OS disk: the file system at ${r.rootPath} is on no block device sysfs knows`);
});

test.each([
  ['root=PARTUUID=0123abcd-0000-4000-8000-00000000000A', { guid: '0123abcd-0000-4000-8000-00000000000a', offset: 0 }],
  ['root=PARTUUID=0123abcd-0000-4000-8000-00000000000a/PARTNROFF=1 ro', { guid: '0123abcd-0000-4000-8000-00000000000a', offset: 1 }],
  ['root=PARTUUID=0123abcd-0000-4000-8000-00000000000a root=/dev/dm-0', undefined],
  ['root=/dev/vda4', undefined],
  ['quiet -- root=PARTUUID=0123abcd-0000-4000-8000-00000000000a', undefined],
  ['', undefined],
])('rootPartUuid(%p)', (cmdline, expected) => {
  expect(rootPartUuid(cmdline)).toEqual(expected);
});

test.each([
  [0x10300n, { major: 259, minor: 0 }],
  [0xfd00n, { major: 253, minor: 0 }],
  [(0x1000n << 32n) | (0x234n << 8n) | (0x10000n << 12n) | 0x45n, { major: 0x1234, minor: 0x10045 }],
])('devNumbers(%p)', (dev, numbers) => {
  expect(devNumbers(dev)).toEqual(numbers);
});
