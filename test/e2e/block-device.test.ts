// brkt on a real block device: a sandbox's OS disk attached to a loop device (partitions from
// `partx -a`) and named by BRKT_DISK keeps device semantics. The running set comes from the
// kernel (the root file system's device, or root=PARTUUID= on the command line), never from the
// sandbox's boot record; boot, mark-successful-boot, update, rollback and signpost work on it.
import { describe, expect } from 'bun:test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brkt } from '../helpers/brkt';
import { makeTempDir } from '../helpers/sandbox';
import { makeDiskImage, NUMBERS, readDisk, run } from '../helpers/disk';
import { attachLoop, loopTest as loopDeviceTest, mountReadOnly } from '../helpers/loop-device';
import { sandboxRepoUrls, sha256, writeUpdogToml } from './update-fixtures';

const loopTest = loopDeviceTest();

const partGuid = async (image: string, number: number) => (await readDisk(image)).table.entries[number - 1]!.partGuid;

describe('a sandbox whose OS disk is a loop device', () => {
  loopTest('boot skips the sandbox bootloader, update writes only the other set, rollback and signpost follow the kernel', async () => {
    await using dir = makeTempDir('brkt-loop-');
    const root = dir.path('sandbox');
    expect((await brkt('brkt', ['dev', 'init', root])).code).toBe(0);
    const sandbox = { path: (rel: string) => join(root, rel) };
    writeUpdogToml(sandbox, sandboxRepoUrls(sandbox));
    const image = sandbox.path('dev/disk.img');
    await using loop = attachLoop(image);
    // The machine booted set A: its boot stage passed ROOT-A's GUID to the kernel.
    const cmdline = dir.path('cmdline');
    writeFileSync(cmdline, `console=ttyS0 root=PARTUUID=${await partGuid(image, NUMBERS.rootA)} ro\n`);
    // A stale boot record naming set B must not matter on a block device.
    mkdirSync(sandbox.path('var/lib/brkt'), { recursive: true });
    writeFileSync(sandbox.path('var/lib/brkt/boot.json'), JSON.stringify({ set: 'B', version: '1.2.0', disk: loop.device, diskGuid: (await readDisk(image)).table.diskGuid, bootedAt: new Date(0).toISOString() }));
    const env = { BRKT_DISK: loop.device, BRKT_CMDLINE: cmdline, BRKT_RUNNING_ROOT: dir.root };
    const run_ = (role: string, args: string[]) => brkt(role, args, { root, env });

    const boot = await run_('brkt', ['boot']);
    expect(boot.code).toBe(0);
    expect(boot.stdout).toStartWith("boot: bootloader: chosen by the machine's bootloader\n");
    expect(boot.stdout).toEndWith('boot: mark-successful-boot: set A marked successful\n');

    const status = JSON.parse((await run_('brkt', ['signpost', 'status', '--json'])).stdout);
    expect(status).toMatchObject({
      disk: loop.device,
      active: 'A',
      sets: { A: { boot: loop.partition(3), root: loop.partition(4), hash: loop.partition(5), successful: true }, B: { boot: loop.partition(8), root: loop.partition(9) } },
      bootEverSucceeded: true,
    });

    const setA = () => sha256(readFileSync(image).subarray(2 * 1024 * 1024, 22 * 1024 * 1024)); // BOOT, ROOT, HASH, RESERVED of A
    const before = setA();
    expect(await run_('brkt', ['update', '--now'])).toEqual({ code: 0, stdout: "Update applied: aws-dev 1.2.0; it boots next (run 'brkt reboot')\n", stderr: '' });
    expect(setA()).toBe(before);
    expect(JSON.parse((await run_('brkt', ['signpost', 'status', '--json'])).stdout)).toMatchObject({ active: 'A', next: 'B', sets: { B: { priority: 2, triesLeft: 1, successful: false } } });
    // A machine's disk is booted by the machine: the sandbox bootloader refuses to choose on it.
    expect(await run_('brkt', ['reboot'])).toEqual({ code: 1, stdout: '', stderr: `brkt: The sandbox bootloader does not run on ${loop.device}: the machine's bootloader chooses its partition set\n` });

    // The boot stage spends B's try and boots ROOT-B by its GUID: B runs, and is marked.
    run(['cgpt', 'add', '-i', String(NUMBERS.bootB), '-T', '0', loop.device]);
    writeFileSync(cmdline, `root=PARTUUID=${await partGuid(image, NUMBERS.bootB)}/PARTNROFF=1\n`);
    expect(await run_('signpost', ['mark-successful-boot'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(JSON.parse((await run_('brkt', ['signpost', 'status', '--json'])).stdout)).toMatchObject({ active: 'B', next: 'B', sets: { B: { priority: 2, triesLeft: 0, successful: true } } });
    expect(await run_('brkt', ['rollback'])).toEqual({ code: 0, stdout: 'Next boot: set A, version 1.0.0 (running: set B, version 1.2.0)\n', stderr: '' });
  });

  loopTest('without device-mapper or a command line, the mounted root partition names the running set', async () => {
    await using dir = makeTempDir('brkt-loop-');
    const image = dir.path('disk.img');
    await makeDiskImage(image, { flags: { A: 0x0101000000000000n, B: 0x0102000000000000n } });
    await using loop = attachLoop(image);
    run(['mke2fs', '-q', '-t', 'ext4', loop.partition(NUMBERS.rootB)]);
    mkdirSync(dir.path('mnt'));
    writeFileSync(dir.path('cmdline'), 'console=ttyS0 quiet\n');
    await using _mounted = mountReadOnly(loop.partition(NUMBERS.rootB), dir.path('mnt'));
    const env = { BRKT_DISK: loop.device, BRKT_CMDLINE: dir.path('cmdline'), BRKT_RUNNING_ROOT: dir.path('mnt') };
    const status = await brkt('signpost', ['status'], { root: dir.root, env });
    expect(status.stdout.split('\n').slice(3)).toEqual(['Active:  Set B', 'Next:    Set B', '']);
    // clear-inactive clears A, never the mounted B.
    expect((await brkt('signpost', ['clear-inactive'], { root: dir.root, env })).code).toBe(0);
    const { flags } = await readDisk(image);
    expect([flags.A, flags.B]).toEqual([0n, 0x0102000000000000n]);
  });

  loopTest('a root on another disk and no root= on the command line is one clear error', async () => {
    await using dir = makeTempDir('brkt-loop-');
    const image = dir.path('disk.img');
    await makeDiskImage(image);
    await using loop = attachLoop(image);
    writeFileSync(dir.path('cmdline'), 'quiet\n');
    const env = { BRKT_DISK: loop.device, BRKT_CMDLINE: dir.path('cmdline'), BRKT_RUNNING_ROOT: dir.root };
    const result = await brkt('signpost', ['mark-successful-boot'], { root: dir.root, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith(`Failed to find the running partition set on ${loop.device}: `);
    expect(result.stderr).toEndWith(`${dir.path('cmdline')} has no root=PARTUUID=; neither is in set A or B\n`);
    expect((await readDisk(image)).flags.private).toBe(0n);
  });
});
