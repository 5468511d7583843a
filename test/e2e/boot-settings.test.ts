// Settings take effect on a booted sandbox, through the compiled binary: user data at boot,
// config files and restart commands after each change, and reboots of a serving boot.
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { brkt } from '../helpers/brkt';
import { spawnBoot } from '../helpers/boot-process';
import { makeSandbox } from '../helpers/sandbox';

test('user data at boot, then settings set rewrites etc/motd and etc/updog.toml', async () => {
  await using sandbox = await makeSandbox({ variant: 'aws-k8s-1.17' });
  await sandbox.platform.files.writeAtomic(
    sandbox.path('var/lib/bottlerocket/user-data.toml'),
    '[settings]\nmotd = "hello from user data"\n[settings.kubernetes.node-labels]\n"example.com/role" = "web"\n',
  );
  await using served = spawnBoot(sandbox.root, ['--serve']);
  await served.waitForLine('boot: serving the API on');
  const get = await brkt('brkt', ['settings', 'get', 'motd', 'kubernetes.node-labels'], { root: sandbox.root });
  expect(get).toEqual({ stdout: 'kubernetes.node-labels."example.com/role"=web\nmotd=hello from user data\n', stderr: '', code: 0 });
  expect(readFileSync(sandbox.path('etc/motd'), 'utf8')).toBe('hello from user data\n');

  expect(await brkt('brkt', ['settings', 'set', 'motd=hello'], { root: sandbox.root })).toEqual({ stdout: '', stderr: '', code: 0 });
  expect(readFileSync(sandbox.path('etc/motd'), 'utf8')).toBe('hello\n');

  const seed = parseToml(readFileSync(sandbox.path('etc/updog.toml'), 'utf8')).seed;
  expect(await brkt('brkt', ['settings', 'set', 'updates.ignore-waves=true', 'updates.version-lock=v1.1.0'], { root: sandbox.root })).toMatchObject({ code: 0 });
  expect(parseToml(readFileSync(sandbox.path('etc/updog.toml'), 'utf8'))).toMatchObject({ ignore_waves: true, version_lock: 'v1.1.0', seed });

  // ntp has a restart command: in a sandbox it is logged with the keys that caused it.
  expect((await brkt('brkt', ['settings', 'set', 'ntp.time-servers=["time.example.com"]'], { root: sandbox.root })).code).toBe(0);
  const restarts = readFileSync(sandbox.path('var/log/brkt/restarts.log'), 'utf8').trim().split('\n').map(line => JSON.parse(line));
  expect(restarts.at(-1)).toMatchObject({ service: 'ntp', changedKeys: ['settings.ntp.time-servers'] });
  expect(readFileSync(sandbox.path('etc/chrony.conf'), 'utf8')).toContain('time.example.com');
});

test('a serving boot updates, reboots in place, and rolls back', async () => {
  await using sandbox = await makeSandbox({ userData: true });
  await using served = spawnBoot(sandbox.root, ['--serve']);
  await served.waitForLine('boot: serving the API on');
  const check = await brkt('brkt', ['update', 'check'], { root: sandbox.root });
  expect(check).toEqual({ stdout: 'Update available: aws-dev 1.2.0 (running 1.0.0)\n', stderr: '', code: 0 });
  expect((await brkt('brkt', ['settings', 'set', 'motd=kept across updates'], { root: sandbox.root })).code).toBe(0);

  const update = await brkt('brkt', ['update', '--now', '--reboot'], { root: sandbox.root });
  expect(update.code).toBe(0);
  await served.waitForLine('boot: serving the API on', 2);
  expect((await brkt('brkt', ['--version'], { root: sandbox.root })).stdout).toContain('(os 1.2.0, variant aws-dev');
  expect(served.output()).toContain('reboot: booted set B, version 1.2.0');
  expect((await brkt('brkt', ['settings', 'get', 'motd'], { root: sandbox.root })).stdout).toBe('motd=kept across updates\n');
  expect(readFileSync(sandbox.path('etc/motd'), 'utf8')).toBe('kept across updates\n');

  const rollback = await brkt('brkt', ['rollback'], { root: sandbox.root });
  expect(rollback).toEqual({ stdout: 'Next boot: set A, version 1.0.0 (running: set B, version 1.2.0)\n', stderr: '', code: 0 });
  expect((await brkt('brkt', ['reboot'], { root: sandbox.root })).code).toBe(0);
  await served.waitForLine('boot: serving the API on', 3);
  expect((await brkt('brkt', ['--version'], { root: sandbox.root })).stdout).toContain('(os 1.0.0, variant aws-dev');
  expect((await brkt('brkt', ['settings', 'get', 'motd'], { root: sandbox.root })).stdout).toBe('motd=kept across updates\n');
  served.child.kill('SIGTERM');
  expect(await served.child.exited).toBe(0);
});
