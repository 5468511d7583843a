// The sandbox bootloader against real images: GRUB's choice and try counting (signpost.md 6,
// vector 25), fallback past unbootable sets, boot records, and `brkt reboot`'s SIGHUP path.
import { describe, expect, test } from 'bun:test';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { makePlatform } from '../../platform';
import { makeSandbox, makeTempDir } from '../../../test/helpers/sandbox';
import { makeDiskImage, readDisk, setFlags, type DiskOptions } from '../../../test/helpers/disk';
import { hex64 } from '../gpt/attributes';
import { markSuccessfulBoot } from '../signpost/operations';
import { loadPartitionState, updatePartitionState } from '../signpost/state';
import { parseOsRelease } from '../os-release';
import { bootSandbox } from './boot';
import { readBootRecord } from './boot-record';
import { requestReboot } from './reboot';
import { bootloaderStep, markSuccessfulBootStep } from './boot-steps';

async function sandboxDisk(options: DiskOptions) {
  const dir = makeTempDir();
  const image = dir.path('disk.img');
  await makeDiskImage(image, options);
  return Object.assign(dir, { image, platform: makePlatform({ root: dir.root, env: { BRKT_DISK: image } }) });
}

const flags = async (image: string) => {
  const { flags } = await readDisk(image);
  return [hex64(flags.A), hex64(flags.B!)];
};
const runningVersion = (root: string) => parseOsRelease(readFileSync(`${root}/etc/os-release`, 'utf8')).versionId;

describe('bootSandbox', () => {
  test('vector 25: an upgraded B gets one try; without mark-successful-boot the next boot is A', async () => {
    await using d = await sandboxDisk({ flags: { A: 0x0101000000000000n, B: 0x0012000000000000n }, versions: { A: '1.0.0', B: '1.1.0' } });
    expect(await bootSandbox(d.platform)).toEqual({ set: 'B', version: '1.1.0', attempts: [{ set: 'B', outcome: 'booted' }] });
    expect(await flags(d.image)).toEqual(['0x0101000000000000', '0x0002000000000000']);
    expect(runningVersion(d.root)).toBe('1.1.0');
    expect((await loadPartitionState(d.platform)).active).toBe('B');
    expect(await readBootRecord(d.platform)).toMatchObject({ set: 'B', version: '1.1.0', disk: d.image });
    expect((await bootSandbox(d.platform)).set).toBe('A');
    expect(await flags(d.image)).toEqual(['0x0101000000000000', '0x0002000000000000']);
    expect(runningVersion(d.root)).toBe('1.0.0');
  });

  test('a successful B keeps booting', async () => {
    await using d = await sandboxDisk({ flags: { A: 0x0101000000000000n, B: 0x0012000000000000n }, versions: { A: '1.0.0', B: '1.1.0' } });
    await bootSandbox(d.platform);
    await updatePartitionState(d.platform, markSuccessfulBoot);
    expect(await flags(d.image)).toEqual(['0x0101000000000000', '0x0102000000000000']);
    expect((await bootSandbox(d.platform)).set).toBe('B');
    expect((await bootSandbox(d.platform)).set).toBe('B');
  });

  test('a set whose root holds no image is a failed attempt; tries are spent one boot at a time', async () => {
    await using d = await sandboxDisk({ flags: { A: 0x0101000000000000n, B: 0x0022000000000000n }, versions: { A: '1.0.0' } });
    expect(await bootSandbox(d.platform)).toEqual({
      set: 'A',
      version: '1.0.0',
      attempts: [
        { set: 'B', outcome: `no bootable image in ${d.image}p9` },
        { set: 'B', outcome: `no bootable image in ${d.image}p9` },
        { set: 'A', outcome: 'booted' },
      ],
    });
    expect(await flags(d.image)).toEqual(['0x0101000000000000', '0x0002000000000000']);
  });

  test('priority 0 never boots, even when successful (GRUB, unlike signpost willBoot)', async () => {
    await using d = await sandboxDisk({ flags: { A: 0x0100000000000000n, B: 0n }, versions: { A: '1.0.0' } });
    const before = readFileSync(d.image);
    const error = await bootSandbox(d.platform).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`No bootable partition set on ${d.image} (set A priority=0 tries_left=0 successful=true, set B priority=0 tries_left=0 successful=false)`);
    expect(readFileSync(d.image).equals(before)).toBe(true);
  });
});

describe('running set without a boot record', () => {
  test('is the set the bootloader would choose now, without spending a try', async () => {
    await using d = await sandboxDisk({ flags: { A: 0x0101000000000000n, B: 0x0012000000000000n }, versions: { A: '1.0.0', B: '1.1.0' } });
    expect((await loadPartitionState(d.platform)).active).toBe('B');
    expect(await flags(d.image)).toEqual(['0x0101000000000000', '0x0012000000000000']);
    await setFlags(d.image, { B: 0x0002000000000000n });
    expect((await loadPartitionState(d.platform)).active).toBe('A');
  });

  test('a record for another disk is ignored', async () => {
    await using d = await sandboxDisk({ versions: { A: '1.0.0' } });
    writeFileSync(d.path('other.img'), '');
    await bootSandbox(d.platform);
    const other = makePlatform({ root: d.root, env: { BRKT_DISK: d.path('other.img') } });
    await makeDiskImage(d.path('other.img'), { flags: { A: 0x0101000000000000n, B: 0x0102000000000000n }, versions: { A: '1.0.0', B: '2.0.0' } });
    expect((await loadPartitionState(other)).active).toBe('B');
    expect((await loadPartitionState(d.platform)).active).toBe('A');
  });
});

describe('requestReboot', () => {
  // The signalled case needs a real serving `brkt boot --serve`: test/e2e/reboot-and-socket.test.ts.
  test('a live process that is not this root\'s serving boot is not signalled: the bootloader step runs', async () => {
    await using sandbox = await makeSandbox();
    const child = Bun.spawn({ cmd: ['cat'], stdin: 'pipe', stdout: 'ignore' });
    try {
      writeFileSync(sandbox.platform.paths.bootPid, `${child.pid}\n`);
      expect(await requestReboot(sandbox.platform)).toEqual({ kind: 'booted', set: 'A', version: '1.0.0', attempts: [{ set: 'A', outcome: 'booted' }] });
      expect(child.exitCode).toBeNull();
      expect(child.signalCode).toBeNull();
    } finally {
      child.kill();
      await child.exited;
    }
  });

  test('with a stale pid file, runs the bootloader step', async () => {
    await using sandbox = await makeSandbox();
    const child = Bun.spawn({ cmd: ['true'] });
    await child.exited;
    writeFileSync(sandbox.platform.paths.bootPid, `${child.pid}\n`);
    expect(await requestReboot(sandbox.platform)).toEqual({ kind: 'booted', set: 'A', version: '1.0.0', attempts: [{ set: 'A', outcome: 'booted' }] });
    expect(await readBootRecord(sandbox.platform)).toMatchObject({ set: 'A', version: '1.0.0' });
  });
});

describe('boot steps', () => {
  test('the first boot records set A and keeps etc/os-release; later boots keep the record', async () => {
    await using sandbox = await makeSandbox();
    const log: string[] = [];
    const context = { platform: sandbox.platform, log: (line: string) => log.push(line) };
    writeFileSync(sandbox.platform.paths.osRelease, readFileSync(sandbox.platform.paths.osRelease, 'utf8') + 'EXTRA=kept\n');
    expect(await bootloaderStep.run(context)).toBe('booted set A, version 1.0.0');
    expect(readFileSync(sandbox.platform.paths.osRelease, 'utf8')).toContain('EXTRA=kept');
    expect(await bootloaderStep.run(context)).toBe('set A, version 1.0.0');
    expect(await markSuccessfulBootStep.run(context)).toBe('set A marked successful');
    expect((await readDisk(sandbox.platform.paths.disk)).flags.private).toBe(0x0200000000000000n);
  });

  test('a sandbox without a disk image skips both', async () => {
    await using sandbox = await makeSandbox();
    rmSync(sandbox.platform.paths.disk);
    const context = { platform: sandbox.platform, log: () => {} };
    expect(await bootloaderStep.run(context)).toBe(`no OS disk ${sandbox.platform.paths.disk}; skipped`);
    expect(await markSuccessfulBootStep.run(context)).toBe(`no OS disk ${sandbox.platform.paths.disk}; skipped`);
  });
});
