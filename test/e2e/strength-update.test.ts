// settings-now.md 1.1 and 1.8 through the binary: on a served sandbox, a weak generated value (a
// host container's source) survives a reboot of the same version, and after an update and reboot
// it is dropped and generated again by the new version, from the settings it then finds; strong
// values (set by the user, or generated strong like the seed) are kept.
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { brkt } from '../helpers/brkt';
import { spawnBoot } from '../helpers/boot-process';
import { makeTempDir } from '../helpers/sandbox';

const BASE = 'var/lib/bottlerocket/datastore/current/live/settings';
const ADMIN = (region: string) => `328549459982.dkr.ecr.${region}.amazonaws.com/bottlerocket-admin:v0.5.2`;

test.concurrent('update and reboot regenerate a weak generated value; strong values are kept', async () => {
  await using dir = makeTempDir('brkt-strength-update-');
  const root = dir.path('sandbox');
  expect((await brkt('brkt', ['dev', 'init', root])).code).toBe(0);
  const run = (args: string[]) => brkt('brkt', args, { root });
  const get = async () => {
    const result = await run(['settings', 'get', '--json']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as { motd: string; aws: { region: string }; updates: { seed: number }; 'host-containers': Record<string, { source: string }> };
  };
  const strengthOf = (rel: string) => readFileSync(`${root}/${BASE}/${rel}.strength`, 'utf8');

  await using served = spawnBoot(root, ['--serve']);
  await served.waitForLine('boot: serving the API on');
  const first = await get();
  expect(first.aws.region).toBe('us-west-2'); // the sandbox's instance identity document
  expect(first['host-containers'].admin!.source).toBe(ADMIN('us-west-2'));
  expect(strengthOf('host-containers/admin/source')).toBe('"weak"');
  expect(strengthOf('host-containers/control/source')).toBe('"weak"');
  // Setting a weak value makes it strong (strong over weak is allowed).
  expect(await run(['settings', 'set', 'aws.region=eu-central-1', 'motd=mine', 'host-containers.control.source=example.com/my-control:1'])).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(strengthOf('host-containers/control/source')).toBe('"strong"');

  // The same version again: weak values stay (only a version change drops them).
  expect((await run(['reboot'])).code).toBe(0);
  await served.waitForLine('boot: serving the API on', 2);
  const again = await get();
  expect(again['host-containers'].admin!.source).toBe(ADMIN('us-west-2'));

  expect((await run(['update', '--now'])).stdout).toBe("Update applied: aws-dev 1.2.0; it boots next (run 'brkt reboot')\n");
  expect((await run(['reboot'])).code).toBe(0);
  await served.waitForLine('boot: serving the API on', 3);
  expect(served.output()).toContain('boot: os-release: running Bottlerocket OS 1.2.0 (aws-dev)');
  const updated = await get();
  // Dropped with the old version and generated again: the new value follows today's region.
  expect(updated['host-containers'].admin!.source).toBe(ADMIN('eu-central-1'));
  expect(strengthOf('host-containers/admin/source')).toBe('"weak"');
  // Strong: what the user set, and the seed (generated once, strong).
  expect(updated['host-containers'].control!.source).toBe('example.com/my-control:1');
  expect(updated.motd).toBe('mine');
  expect(updated.aws.region).toBe('eu-central-1');
  expect(updated.updates.seed).toBe(first.updates.seed);
  expect(served.output()).toContain('boot: sundog: nothing to commit; generated settings.host-containers.admin.source\nboot: settings-applier: committed 1 key (1 weak);');

  served.child.kill('SIGTERM');
  await served.finished;
});
