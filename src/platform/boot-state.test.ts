// What host and sandbox answer differently for lockdown and net.toml (Platform.clearRunStateAtBoot,
// Platform.privateDir).
import { expect, test } from 'bun:test';
import { existsSync, writeFileSync } from 'node:fs';
import { makePlatform } from './index';
import { makeTempDir } from '../../test/helpers/sandbox';

test('a sandbox boot removes run-time state; a host leaves it to the reboot that empties /run', async () => {
  await using dir = makeTempDir();
  const flag = dir.path('run/brkt/lockdown');
  const sandbox = makePlatform({ root: dir.root, env: {} });
  await sandbox.files.writeAtomic(flag, 'x\n');
  // Same file seen from a host platform (root /): a second `brkt boot` in one boot keeps it.
  await makePlatform({ root: '/', env: {} }).clearRunStateAtBoot(flag);
  expect(existsSync(flag)).toBe(true);
  await sandbox.clearRunStateAtBoot(sandbox.paths.lockdownFlag);
  expect(existsSync(flag)).toBe(false);
  await sandbox.clearRunStateAtBoot(sandbox.paths.lockdownFlag); // absent: nothing to do
});

test('the .bottlerocket directory: a sandbox creates it; a host needs the mounted partition', async () => {
  await using dir = makeTempDir();
  const sandbox = makePlatform({ root: dir.root, env: {} });
  expect(await sandbox.privateDir()).toBe(dir.path('.bottlerocket'));
  expect(existsSync(dir.path('.bottlerocket'))).toBe(true);
  writeFileSync(dir.path('.bottlerocket/keep'), '');
  expect(await sandbox.privateDir()).toBe(dir.path('.bottlerocket'));
  const host = makePlatform({ root: '/', env: {} });
  expect(await host.privateDir()).toBe(existsSync('/.bottlerocket') ? '/.bottlerocket' : undefined);
});
