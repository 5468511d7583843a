// signpost, brkt signpost, brkt rollback and brkt reboot through the compiled binary, on real
// sparse images, cross-checked with Debian's sgdisk and cgpt.
import { describe, expect, test } from 'bun:test';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { brkt } from '../helpers/brkt';
import { makeSandbox, makeTempDir } from '../helpers/sandbox';
import { withTool } from '../helpers/tools';
import { makeDiskImage, readDisk, run, sgdiskOsDisk, writeRootImage } from '../helpers/disk';
import { hex64 } from '../../src/core/gpt/attributes';

/** A temp root with an image disk given by BRKT_DISK. */
async function imageRoot(make: (path: string) => Promise<unknown> | void) {
  const dir = makeTempDir();
  const image = dir.path('disk.img');
  await make(image);
  const env = { BRKT_DISK: image };
  return Object.assign(dir, {
    image,
    signpost: (...args: string[]) => brkt('signpost', args, { root: dir.root, env }),
    brkt: (...args: string[]) => brkt('brkt', args, { root: dir.root, env }),
  });
}

const statusText = (image: string, a: string, b: string, active = 'A', next = 'A') => [
  `OS disk: ${image}`,
  `Set A:   boot=${image}p3 root=${image}p4 hash=${image}p5 ${a}`,
  `Set B:   boot=${image}p8 root=${image}p9 hash=${image}p10 ${b}`,
  `Active:  Set ${active}`,
  `Next:    Set ${next}`,
  '',
].join('\n');

const cgptFlags = (image: string, number: number) => ['-P', '-T', '-S'].map(flag => Number(run(['cgpt', 'show', '-i', String(number), flag, image]).trim()));

describe('a sandbox disk from brkt dev init', () => {
  test.concurrent('is a fresh install: status, JSON status, and has-boot-ever-succeeded', async () => {
    await using sandbox = await makeSandbox();
    const image = sandbox.path('dev/disk.img');
    expect(await brkt('signpost', ['status'], { root: sandbox.root })).toEqual({
      stdout: statusText(image, 'priority=1 tries_left=0 successful=true', 'priority=0 tries_left=0 successful=false'),
      stderr: '',
      code: 0,
    });
    const json = await brkt('brkt', ['signpost', 'status', '--json'], { root: sandbox.root });
    expect(JSON.parse(json.stdout)).toEqual({
      disk: image,
      active: 'A',
      next: 'A',
      sets: {
        A: { boot: `${image}p3`, root: `${image}p4`, hash: `${image}p5`, priority: 1, triesLeft: 0, successful: true },
        B: { boot: `${image}p8`, root: `${image}p9`, hash: `${image}p10`, priority: 0, triesLeft: 0, successful: false },
      },
      bootEverSucceeded: false,
    });
    // Upstream ignores arguments after the command: --json means nothing to `signpost`.
    expect((await brkt('signpost', ['status', '--json'], { root: sandbox.root })).stdout).toStartWith('OS disk: ');
    expect(await brkt('signpost', ['has-boot-ever-succeeded'], { root: sandbox.root })).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(await brkt('signpost', ['mark-successful-boot'], { root: sandbox.root })).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(await brkt('signpost', ['has-boot-ever-succeeded'], { root: sandbox.root })).toEqual({ stdout: 'true\n', stderr: '', code: 0 });
  });

  withTool('sgdisk')('is sparse, 47 MiB, and passes sgdisk -v', async () => {
    await using sandbox = await makeSandbox();
    const image = sandbox.path('dev/disk.img');
    const stat = Bun.spawnSync({ cmd: ['stat', '-c', '%s %b %B', image] }).stdout.toString().trim().split(' ').map(Number);
    expect(stat[0]).toBe(47 * 1024 * 1024);
    expect(stat[1]! * stat[2]!).toBeLessThan(1024 * 1024);
    expect(run(['sgdisk', '-v', image])).toContain('No problems found.');
  });
});

describe('usage and errors', () => {
  test.concurrent.each([[[]], [['--help']], [['bogus']]])('signpost %p prints the usage on stderr and exits 1', async args => {
    await using sandbox = await makeSandbox();
    const result = await brkt('signpost', args, { root: sandbox.root });
    expect(result.stdout).toBe('');
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith('USAGE:\n    signpost <SUBCOMMAND>\n\nSUBCOMMANDS:\n    status                  Show partition sets and priority status\n');
  });

  test.concurrent('a missing disk is one line, exit 1, for status too', async () => {
    await using dir = makeTempDir();
    expect(await brkt('signpost', ['status'], { root: dir.root })).toEqual({
      stdout: '',
      stderr: `Failed to open the OS disk ${dir.path('dev/disk.img')} for reading: it does not exist (brkt dev init creates it)\n`,
      code: 1,
    });
    expect(await brkt('brkt', ['signpost', 'clear-inactive'], { root: dir.root })).toEqual({
      stdout: '',
      stderr: `brkt signpost: Failed to open the OS disk ${dir.path('dev/disk.img')} for writing: it does not exist (brkt dev init creates it)\n`,
      code: 1,
    });
  });
});

withTool('sgdisk')('every command keeps the table valid for sgdisk -v', async () => {
  await using d = await imageRoot(path => makeDiskImage(path));
  for (const command of ['mark-successful-boot', 'clear-inactive', 'mark-inactive-valid', 'upgrade-to-inactive', 'cancel-upgrade', 'upgrade-to-inactive', 'rewrite-table']) {
    expect(await d.signpost(command)).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(run(['sgdisk', '-v', d.image])).toContain('No problems found.');
  }
});

describe('cgpt interop', () => {
  withTool('cgpt')('cgpt show -P/-T/-S reads back exactly our bits after every command', async () => {
    await using d = await imageRoot(path => makeDiskImage(path));
    const steps: Array<[string, number[], number[]]> = [
      ['mark-successful-boot', [1, 0, 1], [0, 0, 0]],
      ['clear-inactive', [1, 0, 1], [0, 0, 0]],
      ['mark-inactive-valid', [1, 0, 1], [0, 1, 0]],
      ['upgrade-to-inactive', [1, 0, 1], [2, 1, 0]],
      ['cancel-upgrade', [2, 0, 1], [0, 1, 0]],
      ['upgrade-to-inactive', [1, 0, 1], [2, 1, 0]],
    ];
    for (const [command, a, b] of steps) {
      expect((await d.signpost(command)).code).toBe(0);
      expect([command, cgptFlags(d.image, 3), cgptFlags(d.image, 8)]).toEqual([command, a, b]);
    }
    // Bit 57 on PRIVATE is outside cgpt's flags; -A shows bits 48-63 raw.
    expect(run(['cgpt', 'show', '-i', '12', '-A', d.image]).trim()).toBe('0x200');
  });

  withTool('cgpt')('bits set by cgpt add -P/-T/-S are what brkt signpost status shows', async () => {
    await using d = await imageRoot(path => makeDiskImage(path));
    run(['cgpt', 'add', '-i', '3', '-P', '1', '-T', '0', '-S', '1', d.image]);
    run(['cgpt', 'add', '-i', '8', '-P', '15', '-T', '7', '-S', '0', d.image]);
    expect(await d.brkt('signpost', 'status')).toEqual({
      stdout: statusText(d.image, 'priority=1 tries_left=0 successful=true', 'priority=15 tries_left=7 successful=false', 'A', 'B'),
      stderr: '',
      code: 0,
    });
    run(['cgpt', 'add', '-i', '8', '-P', '0', '-T', '0', '-S', '1', d.image]);
    expect((await readDisk(d.image)).flags.B).toBe(0x0100000000000000n);
    expect((await d.brkt('signpost', 'status')).stdout).toContain('priority=0 tries_left=0 successful=true\n');
  });
});

withTool('sgdisk')('a disk made by sgdisk with the upstream layout works with every command', async () => {
  await using d = await imageRoot(path => sgdiskOsDisk(path));
  run(['sgdisk', '-A', '3:set:48', '-A', '3:set:56', d.image]); // fresh image flags (1, 0, 1)
  expect((await d.signpost('status')).stdout).toBe(statusText(d.image, 'priority=1 tries_left=0 successful=true', 'priority=0 tries_left=0 successful=false'));
  for (const command of ['mark-successful-boot', 'clear-inactive', 'mark-inactive-valid', 'upgrade-to-inactive', 'cancel-upgrade', 'upgrade-to-inactive', 'rewrite-table']) {
    expect([command, await d.signpost(command)]).toEqual([command, { stdout: '', stderr: '', code: 0 }]);
  }
  expect(await d.signpost('has-boot-ever-succeeded')).toEqual({ stdout: 'true\n', stderr: '', code: 0 });
  expect((await d.signpost('rollback-to-inactive')).code).toBe(0);
  expect(await d.signpost('status')).toEqual({
    stdout: statusText(d.image, 'priority=1 tries_left=0 successful=true', 'priority=2 tries_left=1 successful=false', 'A', 'B'),
    stderr: '',
    code: 0,
  });
  expect(run(['sgdisk', '-i', '8', d.image])).toContain('Attribute flags: 0012000000000000');
  expect(run(['sgdisk', '-i', '12', d.image])).toContain('Attribute flags: 0200000000000000');
  expect(run(['sgdisk', '-v', d.image])).toContain('No problems found.');
});

describe('faults: clear error, exit 1, image bytes unchanged', () => {
  const corrupt = (path: string, offset: number) => {
    const bytes = readFileSync(path);
    bytes[offset] = bytes[offset]! ^ 0xff;
    writeFileSync(path, bytes);
  };
  const mutating = ['mark-successful-boot', 'clear-inactive', 'mark-inactive-valid', 'upgrade-to-inactive', 'cancel-upgrade', 'rollback-to-inactive', 'rewrite-table'];

  test.concurrent.each<[string, (path: string) => void, string | RegExp, string[]]>([
    ['corrupted entry array', p => corrupt(p, 1024 + 300), /^Invalid GPT on .*: the primary partition entry array does not match its CRC \(brkt signpost repair-table restores it from the backup copy\)\n$/, ['status', 'has-boot-ever-succeeded', ...mutating]],
    ['truncated image', p => truncateSync(p, 6 * 1024 * 1024), /^Invalid GPT on .*: primary header: its backup header LBA \d+ is beyond the last sector 12287 \(truncated image\?\); backup header: no 'EFI PART' signature\n$/, ['status', ...mutating]],
    ['torn last sector', p => truncateSync(p, 6 * 1024 * 1024 + 100), /^Invalid GPT on .*: its size 6291556 is not a whole number of 512-byte sectors \(truncated image\?\)\n$/, ['status', ...mutating]],
    ['wrong sector size', p => {
      const bytes = readFileSync(p);
      const moved = Buffer.alloc(bytes.length);
      moved.set(bytes.subarray(0, 512));
      moved.set(bytes.subarray(512, 1024), 2048); // a header where 2048-byte sectors would have it
      writeFileSync(p, moved);
    }, /^No GPT found on .*: no 'EFI PART' header at LBA 1 or at the last sector, with 512- or 4096-byte sectors\n$/, ['status', ...mutating]],
    ['corrupted primary header', p => corrupt(p, 512 + 60), /^Refusing to write the GPT on .*: primary header: header CRC mismatch; run 'brkt signpost repair-table' to restore it from the backup copy first\n$/, mutating],
  ])('%s', async (_name, damage, message, commands) => {
    await using d = await imageRoot(path => makeDiskImage(path));
    damage(d.image);
    const before = readFileSync(d.image);
    for (const command of commands) {
      const result = await d.signpost(command);
      expect([command, result.stdout, result.code]).toEqual([command, '', 1]);
      expect(result.stderr).toMatch(message);
      expect(readFileSync(d.image).equals(before)).toBe(true);
    }
  });

  test.concurrent('a damaged primary header: status reads the backup, repair-table restores the primary', async () => {
    await using d = await imageRoot(path => makeDiskImage(path));
    corrupt(d.image, 512 + 60);
    const status = await d.brkt('signpost', 'status');
    expect(status.stdout).toBe(statusText(d.image, 'priority=1 tries_left=0 successful=true', 'priority=0 tries_left=0 successful=false'));
    expect(status.stderr).toBe(`brkt signpost: warning: read ${d.image} from its backup GPT (primary header: header CRC mismatch); 'brkt signpost repair-table' repairs it\n`);
    expect(await d.brkt('signpost', 'repair-table')).toEqual({
      stdout: `Repaired the primary GPT copy on ${d.image} from the other copy (it had: primary header: header CRC mismatch)\n`,
      stderr: '',
      code: 0,
    });
    expect(await d.signpost('clear-inactive')).toEqual({ stdout: '', stderr: '', code: 0 });
    expect((await d.brkt('signpost', 'status')).stderr).toBe('');
  });
});

describe('brkt rollback and brkt reboot', () => {
  test.concurrent('update, reboot into B, mark successful, roll back, reboot into A', async () => {
    await using sandbox = await makeSandbox();
    const root = { root: sandbox.root };
    const image = sandbox.path('dev/disk.img');
    expect((await brkt('brkt', ['rollback'], root))).toEqual({
      stdout: '',
      stderr: `brkt: Inactive partition ${image}p8 is not valid to roll back to (priority=0 tries_left=0 successful=false)\n`,
      code: 1,
    });
    for (const command of ['clear-inactive', 'mark-inactive-valid']) expect((await brkt('signpost', [command], root)).code).toBe(0);
    await writeRootImage(image, 'B', '1.1.0');
    expect((await brkt('signpost', ['upgrade-to-inactive'], root)).code).toBe(0);
    expect(await brkt('brkt', ['reboot'], root)).toEqual({ stdout: `Booted set B, version 1.1.0; 'brkt boot' starts it\n`, stderr: '', code: 0 });
    expect(readFileSync(sandbox.path('etc/os-release'), 'utf8')).toContain('VERSION_ID=1.1.0\n');
    expect((await brkt('signpost', ['status'], root)).stdout).toEndWith('Active:  Set B\nNext:    Set A\n');
    expect((await brkt('signpost', ['mark-successful-boot'], root)).code).toBe(0);
    expect(hex64((await readDisk(image)).flags.B!)).toBe('0x0102000000000000');
    expect(await brkt('brkt', ['rollback'], root)).toEqual({ stdout: 'Next boot: set A, version 1.0.0 (running: set B, version 1.1.0)\n', stderr: '', code: 0 });
    const json = JSON.parse((await brkt('brkt', ['reboot', '--json'], root)).stdout);
    expect(json).toEqual({ kind: 'booted', set: 'A', version: '1.0.0', attempts: [{ set: 'A', outcome: 'booted' }] });
    expect(readFileSync(sandbox.path('etc/os-release'), 'utf8')).toContain('VERSION_ID=1.0.0\n');
    expect((await brkt('signpost', ['status'], root)).stdout).toEndWith('Active:  Set A\nNext:    Set A\n');
  });

  test.concurrent('an upgrade whose image does not boot falls back to A', async () => {
    await using sandbox = await makeSandbox();
    const root = { root: sandbox.root };
    for (const command of ['clear-inactive', 'mark-inactive-valid', 'upgrade-to-inactive']) expect((await brkt('signpost', [command], root)).code).toBe(0);
    const image = sandbox.path('dev/disk.img');
    expect(await brkt('brkt', ['reboot'], root)).toEqual({
      stdout: `Booted set A, version 1.0.0 after set B failed (no bootable image in ${image}p9); 'brkt boot' starts it\n`,
      stderr: '',
      code: 0,
    });
    expect(hex64((await readDisk(image)).flags.B!)).toBe('0x0002000000000000');
  });
});
