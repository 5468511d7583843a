// The settings boot steps against the real API server on the sandbox's socket.
import { describe, expect, test } from 'bun:test';
import { parse as parseToml } from 'smol-toml';
import { makeSandbox, type Sandbox } from '../../../test/helpers/sandbox';
import { apiserverStep, storewolfStep } from '../api/boot-steps';
import { makeApplier } from '../applier';
import { httpSettingsSource } from '../applier/source';
import { runBoot, type BootContext } from '../boot/sequence';
import { USER_DATA_FILE } from './early-boot-config';
import { SETTINGS_BOOT_STEPS } from './steps';

async function boot(sandbox: Sandbox): Promise<{ context: BootContext; lines: string[] }> {
  const lines: string[] = [];
  const context: BootContext = {
    platform: sandbox.platform,
    applier: makeApplier(sandbox.platform, httpSettingsSource(sandbox.platform)),
    log: line => lines.push(line),
  };
  await runBoot(context, [storewolfStep, apiserverStep, ...SETTINGS_BOOT_STEPS]);
  return { context, lines };
}

async function get(context: BootContext, uri: string): Promise<any> {
  const response = await context.api!.handle(new Request(`http://localhost${uri}`));
  expect(response.status).toBe(200);
  return response.json();
}

describe('boot: user data, generators, render all', () => {
  test('a user-data file with motd and node labels is live after boot, and etc/motd shows it', async () => {
    await using sandbox = await makeSandbox({ variant: 'aws-k8s-1.17' });
    await sandbox.platform.files.writeAtomic(sandbox.path(USER_DATA_FILE), '[settings]\nmotd = "hello from user data"\n[settings.kubernetes.node-labels]\n"example.com/role" = "web"\n');
    const { context, lines } = await boot(sandbox);
    try {
      expect(lines.filter(line => /^boot: (early-boot-config|sundog|settings-applier)/.test(line))).toEqual([
        `boot: early-boot-config: staged user data from ${sandbox.path(USER_DATA_FILE)}, no identity document (region us-east-1)`,
        expect.stringMatching(/^boot: sundog: committed \d+ keys; generated settings\.host-containers\.admin\.source, settings\.host-containers\.control\.source, settings\.updates\.metadata-base-url, settings\.updates\.seed$/),
        expect.stringMatching(/^boot: settings-applier: committed 4 keys \(2 weak\); wrote \d+ files, skipped \d+ \(see above\), ran 5 restart commands$/),
      ]);
      const settings = await get(context, '/settings');
      expect(settings.motd).toBe('hello from user data');
      expect(settings.kubernetes['node-labels']).toEqual({ 'example.com/role': 'web' });
      expect(settings.aws).toEqual({ region: 'us-east-1' });
      expect(settings['host-containers'].admin.source).toBe('328549459982.dkr.ecr.us-east-1.amazonaws.com/bottlerocket-admin:v0.5.2');
      expect(settings.updates.seed).toBeGreaterThanOrEqual(0);
      expect(settings.updates.seed).toBeLessThan(2048);

      expect(await Bun.file(sandbox.path('etc/motd')).text()).toBe('hello from user data\n');
      const updog = parseToml(await Bun.file(sandbox.path('etc/updog.toml')).text());
      expect(updog).toEqual({
        metadata_base_url: 'https://updates.bottlerocket.aws/2020-07-07/aws-k8s-1.17/' + (await get(context, '/os')).arch + '/',
        targets_base_url: 'https://updates.bottlerocket.aws/targets/',
        seed: settings.updates.seed,
        version_lock: 'latest',
        ignore_waves: false,
      });
      // Kubernetes files wait for cluster settings and IMDS values; boot renders leniently.
      expect(lines.some(line => line.startsWith('applier: skipped kubelet-env'))).toBe(true);
      expect(await sandbox.platform.files.exists(sandbox.path('var/lib/bottlerocket/early-boot-config.ran'))).toBe(true);
    } finally {
      await context.api?.stop();
    }
  });

  test('a second boot keeps the seed and does not apply user data again', async () => {
    await using sandbox = await makeSandbox();
    const first = await boot(sandbox);
    const seed = (await get(first.context, '/settings')).updates.seed;
    await first.context.api!.stop();
    await sandbox.platform.files.writeAtomic(sandbox.path(USER_DATA_FILE), '[settings]\nmotd = "too late"\n');
    const second = await boot(sandbox);
    try {
      const settings = await get(second.context, '/settings');
      expect(settings.updates.seed).toBe(seed);
      expect(settings.motd).toBe('Welcome to Bottlerocket!');
      expect(second.lines).toContain('boot: early-boot-config: already ran on this host');
    } finally {
      await second.context.api?.stop();
    }
  });

  test('changes after boot go through the applier: motd and updates.*', async () => {
    await using sandbox = await makeSandbox();
    const { context } = await boot(sandbox);
    try {
      const patch = (body: unknown) => context.api!.handle(new Request('http://localhost/settings?tx=t', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
      expect((await patch({ motd: 'hello', updates: { 'version-lock': 'v1.0.5', 'ignore-waves': true } })).status).toBe(204);
      const committed = await context.api!.handle(new Request('http://localhost/tx/commit_and_apply?tx=t', { method: 'POST' }));
      expect(committed.status).toBe(200);
      expect(await Bun.file(sandbox.path('etc/motd')).text()).toBe('hello\n');
      const updog = parseToml(await Bun.file(sandbox.path('etc/updog.toml')).text());
      expect(updog.version_lock).toBe('v1.0.5');
      expect(updog.ignore_waves).toBe(true);
    } finally {
      await context.api?.stop();
    }
  });

  test('invalid user data stops the boot at early-boot-config, naming the key', async () => {
    await using sandbox = await makeSandbox();
    await sandbox.platform.files.writeAtomic(sandbox.path(USER_DATA_FILE), '[settings]\nmotdd = "typo"\n');
    const context: BootContext = { platform: sandbox.platform, log: () => {} };
    try {
      await expect(runBoot(context, [storewolfStep, apiserverStep, ...SETTINGS_BOOT_STEPS])).rejects.toThrow(/^Boot failed at early-boot-config: Failed to apply user data from .*: PATCH \/settings\?tx=bottlerocket-launch answered 400: .*motdd/);
      const pending = await context.api!.handle(new Request('http://localhost/tx?tx=bottlerocket-launch'));
      expect(await pending.json()).not.toHaveProperty('aws');
    } finally {
      await context.api?.stop();
    }
  });
});
