// Changing or deleting any setting a template reads re-renders the file, through the real CLI,
// API server and settings applier: the proxy settings in /etc/updog.toml.
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { hostServices } from '../../src/core/api/host-services';
import type { ApplyRequest } from '../../src/core/api/applier';
import { brkt } from '../helpers/brkt';
import { startApiServer } from '../helpers/api-server';

test('setting, changing and deleting network proxy settings re-renders updog.toml', async () => {
  let applier: ((request: ApplyRequest) => Promise<void>) | undefined;
  await using fixture = await startApiServer({ variant: 'aws-dev', applier: request => applier!(request) });
  applier = hostServices(fixture.sandbox.platform).applier!;
  const settings = async (...args: string[]) => {
    const result = await brkt('brkt', ['settings', ...args, '--socket', fixture.socket], { root: fixture.sandbox.root });
    expect(result).toEqual({ stdout: '', stderr: '', code: 0 });
  };
  const updog = () => parseToml(readFileSync(fixture.sandbox.path('etc/updog.toml'), 'utf8'));

  await settings('set', 'updates.metadata-base-url=https://example.com/metadata/', 'updates.seed=7');
  expect(updog().https_proxy).toBeUndefined();

  await settings('set', 'network.https-proxy=http://proxy.example:3128', 'network.no-proxy=["localhost","10.0.0.0/8"]');
  expect(updog()).toMatchObject({ https_proxy: 'http://proxy.example:3128', no_proxy: ['localhost', '10.0.0.0/8'] });

  await settings('set', 'network.https-proxy=http://other.example:8080');
  expect(updog().https_proxy).toBe('http://other.example:8080');

  await settings('delete', 'network.no-proxy');
  expect(updog().no_proxy).toBeUndefined();
  expect(updog().https_proxy).toBe('http://other.example:8080');

  await settings('delete', 'network');
  expect(updog()).toEqual({ metadata_base_url: 'https://example.com/metadata/', targets_base_url: 'https://updates.bottlerocket.aws/targets/', seed: 7, version_lock: 'latest', ignore_waves: false });
});
