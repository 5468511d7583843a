// brkt on a real (virtual) machine: one `brkt dev vm` boots, updates, reboots, rolls back, falls
// back from a release that cannot boot, and loses power mid-update, in that order. The steps share
// the VM, so each starts where the last one left it. A VM step runs a guest under emulation
// (TCG) on a shared machine: each is bounded by VM_STEP_MS rather than the suite's default.
import { afterAll, describe, expect } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestVm, vmTest } from '../helpers/vm';
import { readDisk } from '../helpers/disk';
import { flagsOf } from '../../src/core/gpt/attributes';

const test = vmTest();
const VM_STEP_MS = 1_800_000;
const BRKT_UNITS = ['migrator', 'storewolf', 'apiserver', 'early-boot-config', 'sundog', 'settings-applier', 'mark-successful-boot'].map(unit => `${unit}.service`);

let vm: TestVm;
afterAll(async () => {
  await vm?.[Symbol.asyncDispose]();
});

/** Monotonic microseconds of a unit's property (systemctl show). */
async function unitTime(unit: string, property: string): Promise<number> {
  return Number((await vm.out('systemctl', 'show', '-P', property, unit)).trim());
}

async function signpost(): Promise<string> {
  return vm.out('signpost', 'status');
}

/** A reboot started from inside the VM either returns first (0) or is cut off by it (255). */
function expectRebootStarted(result: { code: number; stderr: string }) {
  if (result.code !== 0) expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 255, stderr: expect.stringContaining('the VM rebooted') });
}

describe('brkt dev vm', () => {
  test('first boot of set A: systemd is PID 1, the units are active, user data applied, settings reach /etc', async () => {
    vm = await TestVm.create();
    const userData = join(vm.dir, 'user-data.toml');
    writeFileSync(userData, readFileSync(userData, 'utf8').replace(/^motd = .*$/m, 'motd = "hello from user data"'));
    const started = await vm.vm('start');
    expect(started.stdout).toContain('its API answers');
    expect((await vm.out('systemctl', 'is-system-running', '--wait')).trim()).toBe('running');
    expect((await vm.out('cat', '/proc/1/comm')).trim()).toBe('systemd');
    expect((await vm.out('systemctl', 'is-active', ...BRKT_UNITS)).trim().split('\n')).toEqual(BRKT_UNITS.map(() => 'active'));
    expect(await vm.out('cat', '/etc/motd')).toBe('hello from user data\n');
    expect((await vm.exec('apiclient', 'set', 'motd=set through apiclient')).code).toBe(0);
    expect(await vm.out('cat', '/etc/motd')).toBe('set through apiclient\n');
    expect(await vm.out('brkt', '--version')).toContain('os 1.0.0, variant aws-dev');
    expect(await signpost()).toMatch(/Set A:.*priority=1 tries_left=0 successful=true[\s\S]*Active:\s+Set A/);
    // exec returns the command's exit code and both streams.
    const failing = await vm.exec('sh', '-c', 'echo out; echo err >&2; exit 7');
    expect(failing).toMatchObject({ code: 7, stdout: 'out\n', stderr: 'err\n' });
  }, VM_STEP_MS);

  test('brkt update --now --reboot boots set B at 1.2.0, migrated, settings kept, marked successful after the boot', async () => {
    expect((await vm.exec('apiclient', 'set', 'motd=kept across versions')).code).toBe(0);
    expectRebootStarted(await vm.exec('brkt', 'update', '--now', '--reboot'));
    expect((await vm.vm('wait')).code).toBe(0);
    expect((await vm.out('systemctl', 'is-system-running', '--wait')).trim()).toBe('running');
    expect(await vm.out('brkt', '--version')).toContain('os 1.2.0, variant aws-dev');
    expect(await signpost()).toMatch(/Set B:.*priority=2 tries_left=0 successful=true[\s\S]*Active:\s+Set B/);
    expect(await vm.out('readlink', '-f', '/var/lib/bottlerocket/datastore/current')).toMatch(/\/v1\.2\.0_\w+\n$/);
    expect((await vm.out('apiclient', 'get', 'settings.motd'))).toContain('kept across versions');
    expect(await vm.out('cat', '/etc/motd')).toBe('kept across versions\n');
    // Success is marked once the boot has completed: after the settings were applied.
    expect(await unitTime('mark-successful-boot.service', 'ExecMainStartTimestampMonotonic')).toBeGreaterThan(await unitTime('settings-applier.service', 'ActiveEnterTimestampMonotonic'));
  }, VM_STEP_MS);

  test('brkt rollback and a reboot: set A again, the datastore migrated back, settings kept', async () => {
    expect(await vm.out('brkt', 'rollback')).toBe('Next boot: set A, version 1.0.0 (running: set B, version 1.2.0)\n');
    expectRebootStarted(await vm.exec('brkt', 'reboot'));
    expect((await vm.vm('wait')).code).toBe(0);
    // The API answers before the settings are rendered: wait for the boot to complete.
    expect((await vm.out('systemctl', 'is-system-running', '--wait')).trim()).toBe('running');
    expect(await vm.out('brkt', '--version')).toContain('os 1.0.0, variant aws-dev');
    expect(await signpost()).toMatch(/Active:\s+Set A/);
    expect(await vm.out('readlink', '-f', '/var/lib/bottlerocket/datastore/current')).toMatch(/\/v1\.0\.0_\w+\n$/);
    expect(await vm.out('cat', '/etc/motd')).toBe('kept across versions\n');
  }, VM_STEP_MS);

  test('a release whose root cannot mount: after the update and reboot the VM comes back on set A by itself', async () => {
    // Release 1.3.0: a kernel image, and a root image that holds no file system.
    const bad = vm.temp.path('bad');
    Bun.spawnSync(['mkdir', '-p', bad]);
    writeFileSync(join(bad, 'root.ext4'), new Uint8Array(32 << 20));
    writeFileSync(join(bad, 'boot.ext4'), new Uint8Array(1 << 20));
    writeFileSync(join(bad, 'root.verity'), new Uint8Array(4096));
    writeFileSync(join(bad, 'migrate_v1.3.0_noop'), '#!/bin/sh\nexit 0\n');
    const repo = join(vm.dir, 'repo');
    const added = await vm.brkt(['repo', 'add-release', repo, '--variant', 'aws-dev', '--arch', 'x86_64', '--version', '1.3.0',
      '--boot-image', join(bad, 'boot.ext4'), '--root-image', join(bad, 'root.ext4'), '--hash-image', join(bad, 'root.verity')]);
    expect(added.code).toBe(0);
    expect((await vm.brkt(['repo', 'add-migration', repo, '--from', '1.2.0', '--to', '1.3.0', join(bad, 'migrate_v1.3.0_noop')])).code).toBe(0);
    // The repository reaches the VM as a drive built at start.
    expect((await vm.vm('stop')).stdout).toBe('VM shut down\n');
    expect((await vm.vm('start')).code).toBe(0);
    // The update settings reach /etc/updog.toml once the boot has completed.
    expect((await vm.out('systemctl', 'is-system-running', '--wait')).trim()).toBe('running');
    expect(await vm.out('brkt', 'update', 'check')).toBe('Update available: aws-dev 1.3.0 (running 1.0.0)\n');
    expectRebootStarted(await vm.exec('brkt', 'update', '--now', '--reboot'));
    expect((await vm.vm('wait')).code).toBe(0);
    expect(await vm.out('brkt', '--version')).toContain('os 1.0.0, variant aws-dev');
    expect(await signpost()).toMatch(/Set B:.*priority=2 tries_left=0 successful=false[\s\S]*Active:\s+Set A/);
    expect(vm.consoleLog()).toMatch(/brkt boot stage: set B: root \/dev\/vda9 does not mount; rebooting[\s\S]*brkt boot stage: booting set A/);
    expect((await vm.out('systemctl', 'is-system-running', '--wait')).trim()).toBe('running');
    expect(await vm.out('cat', '/etc/motd')).toBe('kept across versions\n');
  }, VM_STEP_MS);

  test('a power cut during the image write and right after an acknowledged commit: the old set boots with the setting', async () => {
    expect((await vm.out('systemctl', 'is-system-running', '--wait')).trim()).toBe('running');
    expect((await vm.exec('systemd-run', '--unit=brkt-update-under-test', 'brkt', 'update', '--now')).code).toBe(0);
    // Bytes the update has written so far (its write(2) calls): wait for 4 MiB of the images.
    const written = async () => Number(/wchar: (\d+)/.exec(await vm.out('sh', '-c', 'cat /proc/$(systemctl show -P MainPID brkt-update-under-test.service)/io'))?.[1] ?? 0);
    while ((await written()) < 4 << 20) {
      expect((await vm.out('systemctl', 'is-active', 'brkt-update-under-test.service').catch(() => 'inactive')).trim()).toBe('active');
    }
    expect((await vm.exec('apiclient', 'set', 'motd=acknowledged before the power cut')).code).toBe(0);
    expect((await vm.out('systemctl', 'is-active', 'brkt-update-under-test.service')).trim()).toBe('active');
    expect((await vm.vm('stop', '--kill')).stdout).toBe('VM powered off (power cut)\n');
    // The cut set is not bootable: cleared to priority 0 before any image byte, which GRUB's rule
    // never boots. On a fast machine the cut may land after mark-inactive-valid (tries 1) but
    // before upgrade-to-inactive gives it a priority; either way set A is next.
    const { flags } = await readDisk(join(vm.dir, 'disk.img'));
    expect(flagsOf(flags.B!)).toMatchObject({ priority: 0, successful: false });
    expect((await vm.vm('start')).code).toBe(0);
    expect(await vm.out('brkt', '--version')).toContain('os 1.0.0, variant aws-dev');
    expect(await signpost()).toMatch(/Active:\s+Set A/);
    expect((await vm.out('apiclient', 'get', 'settings.motd'))).toContain('acknowledged before the power cut');
    expect((await vm.out('systemctl', 'is-system-running', '--wait')).trim()).toBe('running');
    expect(await vm.out('cat', '/etc/motd')).toBe('acknowledged before the power cut\n');
  }, VM_STEP_MS);
});
