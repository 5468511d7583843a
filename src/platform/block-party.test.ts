// block-party against a fake sysfs tree (signpost.md 8): the running partition, its disk, and
// partition device nodes by number, for a dm-verity root over nvme0n1p4.
import { expect, test } from 'bun:test';
import { mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { makeTempDir } from '../../test/helpers/sandbox';
import { devNumbers, diskOf, fromMajorMinor, osDiskOfRunningRoot, partitionOf, runningPartitionPath } from './block-party';

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

test('the running root resolves to its partition, its disk and the disk partitions', async () => {
  await using dir = makeTempDir();
  const roots = { sys: dir.path('sys'), dev: '/dev' };
  mkdirSync(dir.path('root'));
  fakeSysfs(roots.sys, dir.path('root'));
  expect(await runningPartitionPath(roots, dir.path('root'))).toBe('/dev/nvme0n1p4');
  expect(await osDiskOfRunningRoot(roots, dir.path('root'))).toBe('/dev/nvme0n1');
  const disk = await fromMajorMinor(roots, 259, 0);
  expect(disk).toEqual({ major: 259, minor: 0, name: 'nvme0n1' });
  expect(await partitionOf(roots, disk, 10)).toEqual({ major: 259, minor: 10, name: 'nvme0n1p10' });
  expect(await partitionOf(roots, disk, 13)).toBeUndefined();
  expect(await diskOf(roots, disk)).toBeUndefined();
});

test('a root without lower devices is an error', async () => {
  await using dir = makeTempDir();
  const roots = { sys: dir.path('sys'), dev: '/dev' };
  mkdirSync(dir.path('root'));
  fakeSysfs(roots.sys, dir.path('root'));
  rmSync(`${roots.sys}/devices/virtual/block/dm-0/slaves/nvme0n1p4`, { recursive: true });
  await expect(runningPartitionPath(roots, dir.path('root'))).rejects.toThrow('Failed to find the running partition: root device dm-0 has no lower devices');
});

test.each([
  [0x10300n, { major: 259, minor: 0 }],
  [0xfd00n, { major: 253, minor: 0 }],
  [(0x1000n << 32n) | (0x234n << 8n) | (0x10000n << 12n) | 0x45n, { major: 0x1234, minor: 0x10045 }],
])('devNumbers(%p)', (dev, numbers) => {
  expect(devNumbers(dev)).toEqual(numbers);
});
