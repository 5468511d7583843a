// brkt dev vm's bad input, without booting anything: each is one line on stderr and its exit code.
import { describe, expect, test } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { brkt, testEnv } from '../helpers/brkt';
import { makeTempDir } from '../helpers/sandbox';

describe('brkt dev vm: bad input', () => {
  test('create into a non-empty directory that is not a VM: exit 2', async () => {
    await using dir = makeTempDir();
    writeFileSync(dir.path('notes.txt'), 'mine');
    const result = await brkt('brkt', ['dev', 'vm', 'create', dir.root]);
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: `brkt: ${dir.root} is not empty and not a brkt dev vm: choose a new directory\n` });
  });

  test('without qemu: one line naming the Debian package, exit 1', async () => {
    await using dir = makeTempDir();
    const result = await brkt('brkt', ['dev', 'vm', 'create', dir.path('vm')], { env: { ...testEnv, PATH: dir.path('empty-bin') } });
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'brkt: qemu-system-x86_64 is not installed: apt-get install qemu-system-x86\n' });
  });

  test('exec, wait and console on a VM that is not running: one line, exit 1; stop says so and succeeds', async () => {
    await using dir = makeTempDir();
    mkdirSync(dir.path('run'));
    writeFileSync(dir.path('vm.json'), JSON.stringify({ kind: 'brkt-dev-vm', variant: 'aws-dev', kernel: 'k', created: '2026-01-01T00:00:00Z' }));
    for (const args of [['exec', dir.root, '--', 'true'], ['wait', dir.root], ['console', dir.root]]) {
      const result = await brkt('brkt', ['dev', 'vm', ...args]);
      expect(result).toMatchObject({ code: 1, stdout: '', stderr: `brkt: The VM in ${dir.root} is not running: start it with brkt dev vm start ${dir.root}\n` });
    }
    expect(await brkt('brkt', ['dev', 'vm', 'stop', dir.root])).toMatchObject({ code: 0, stdout: 'VM is not running\n' });
    const notVm = await brkt('brkt', ['dev', 'vm', 'exec', dir.path('run'), '--', 'true']);
    expect(notVm).toMatchObject({ code: 2, stderr: `brkt: ${dir.path('run')} is not a brkt dev vm (no vm.json): create one with brkt dev vm create DIR\n` });
  });
});
