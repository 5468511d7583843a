import { describe, expect, test } from 'bun:test';
import { makeSandbox } from '../../../test/helpers/sandbox';
import { makePlatform } from '../../platform';
import { fakeImds } from '../../../test/helpers/fake-imds';
import { runGenerator, runSundog } from './generators';
import { MemoryLaunchApi } from './memory-launch-api';

/** The 2020 generator metadata of defaults.toml (v1.0.0) and its k8s override. */
function defaultsApi() {
  const api = new MemoryLaunchApi();
  api.generators = {
    'settings.updates.seed': 'bork seed',
    'settings.updates.metadata-base-url': 'schnauzer settings.updates.metadata-base-url',
    'settings.host-containers.admin.source': 'schnauzer settings.host-containers.admin.source',
    'settings.host-containers.control.source': 'schnauzer settings.host-containers.control.source',
  };
  api.templateMetadata = {
    'settings.updates.metadata-base-url': 'https://updates.bottlerocket.aws/2020-07-07/{{ os.variant_id }}/{{ os.arch }}/',
    'settings.host-containers.admin.source': '{{ ecr-prefix settings.aws.region }}/bottlerocket-admin:v0.5.2',
    'settings.host-containers.control.source': '{{ ecr-prefix settings.aws.region }}/bottlerocket-control:v0.4.1',
  };
  api.live = { aws: { region: 'eu-central-1' }, 'host-containers': { admin: { enabled: false } } };
  return api;
}

describe('sundog (settings.md 7)', () => {
  test('seed already live, pluto skipped -> no PATCH at all (settings-now.md 1.7; 2020 sent {})', async () => {
    await using sandbox = await makeSandbox();
    const api = new MemoryLaunchApi();
    api.generators = { 'settings.updates.seed': 'bork seed', 'settings.kubernetes.max-pods': 'pluto max-pods' };
    api.live = { updates: { seed: 1234 } };
    const result = await runSundog(sandbox.platform, api);
    expect(api.patches).toEqual([]);
    expect(result).toEqual({ generated: [], skipped: [{ key: 'settings.kubernetes.max-pods', reason: 'no instance metadata on this host' }] });
  });

  test('vector 18: a generator printing "not json" fails sundog and sends nothing', async () => {
    await using sandbox = await makeSandbox();
    const api = new MemoryLaunchApi();
    api.generators = { 'settings.motd': '/bin/echo not json', 'settings.updates.seed': 'bork seed' };
    const error = await runSundog(sandbox.platform, api).catch(e => e);
    expect(error.message).toBe(`Failed to generate settings.motd: Setting generator '/bin/echo not json' printed something that is not JSON: "not json"`);
    expect(api.patches).toEqual([]);
  });

  test('the 2020 defaults: seed, metadata URL and host-container sources', async () => {
    await using sandbox = await makeSandbox();
    const api = defaultsApi();
    const result = await runSundog(sandbox.platform, api, { random: () => 0xdeadbeef });
    expect(result.generated).toEqual([
      'settings.host-containers.admin.source',
      'settings.host-containers.control.source',
      'settings.updates.metadata-base-url',
      'settings.updates.seed',
    ]);
    expect(api.patches).toEqual([{
      tx: 'bottlerocket-launch',
      document: {
        'host-containers': {
          admin: { source: '328549459982.dkr.ecr.eu-central-1.amazonaws.com/bottlerocket-admin:v0.5.2' },
          control: { source: '328549459982.dkr.ecr.eu-central-1.amazonaws.com/bottlerocket-control:v0.4.1' },
        },
        updates: { 'metadata-base-url': 'https://updates.bottlerocket.aws/2020-07-07/aws-dev/x86_64/', seed: 0xdeadbeef % 2048 },
      },
      strength: 'strong',
    }]);
  });

  test('weak outputs go first with strength=weak, strong ones after with strength=strong', async () => {
    await using sandbox = await makeSandbox();
    const api = defaultsApi();
    api.generators['settings.host-containers.admin.source'] = { command: 'schnauzer settings.host-containers.admin.source', strength: 'weak' };
    api.generators['settings.host-containers.control.source'] = { command: 'schnauzer settings.host-containers.control.source', strength: 'weak' };
    api.live.updates = { seed: 7, 'metadata-base-url': 'https://example.com/' };
    await runSundog(sandbox.platform, api);
    expect(api.patches).toEqual([{
      tx: 'bottlerocket-launch',
      strength: 'weak',
      document: { 'host-containers': { admin: { source: '328549459982.dkr.ecr.eu-central-1.amazonaws.com/bottlerocket-admin:v0.5.2' }, control: { source: '328549459982.dkr.ecr.eu-central-1.amazonaws.com/bottlerocket-control:v0.4.1' } } },
    }]);
  });

  test('the seed is generated once, then kept', async () => {
    await using sandbox = await makeSandbox();
    const api = defaultsApi();
    await runSundog(sandbox.platform, api);
    await api.commit();
    const seed = (api.live.updates as { seed: number }).seed;
    expect(Number.isInteger(seed) && seed >= 0 && seed < 2048).toBe(true);
    await runSundog(sandbox.platform, api, { random: () => seed + 1 });
    expect(api.patches).toHaveLength(1); // everything populated: nothing sent
    await api.commit();
    expect((api.live.updates as { seed: number }).seed).toBe(seed);
  });

  test('seeds cover the whole range [0, 2048)', async () => {
    await using sandbox = await makeSandbox();
    const context = { platform: sandbox.platform, api: new MemoryLaunchApi(), imds: undefined };
    const seeds = await Promise.all([0, 2047, 2048, 4095, 0xffffffff].map(async n => (await runGenerator('bork seed', { ...context, random: () => n })) as { value: number }));
    expect(seeds.map(seed => seed.value)).toEqual([0, 2047, 0, 2047, 2047]);
  });

  test('schnauzer without a template fails', async () => {
    await using sandbox = await makeSandbox();
    const api = new MemoryLaunchApi();
    api.generators = { 'settings.motd': 'schnauzer settings.motd' };
    await expect(runSundog(sandbox.platform, api)).rejects.toThrow('Failed to generate settings.motd: schnauzer: no template metadata for settings.motd');
  });

  test('programs: exit 2 skips, exit 1 fails, JSON on stdout is the value', async () => {
    await using sandbox = await makeSandbox();
    const context = { platform: sandbox.platform, api: new MemoryLaunchApi(), imds: undefined, random: () => 0 };
    expect(await runGenerator('/bin/ls /nonexistent-for-sure', context)).toEqual({ kind: 'skip', reason: '/bin/ls exited with 2' });
    await expect(runGenerator('/bin/false', context)).rejects.toThrow("Setting generator '/bin/false' exited with 1");
    expect(await runGenerator('/bin/echo "us-west-2"', context)).toEqual({ kind: 'value', value: 'us-west-2' });
    expect(await runGenerator('/bin/echo 110', context)).toEqual({ kind: 'value', value: 110 });
  });
});

describe('pluto against instance metadata', () => {
  test('node-ip, cluster-dns-ip, max-pods and the pause image', async () => {
    await using sandbox = await makeSandbox();
    await using imds = fakeImds({
      '/latest/meta-data/local-ipv4': '192.168.7.9',
      '/latest/meta-data/mac': '0a:1b:2c:3d:4e:5f',
      '/latest/meta-data/network/interfaces/macs/0a:1b:2c:3d:4e:5f/vpc-ipv4-cidr-blocks': '10.0.0.0/16\n100.64.0.0/16',
      '/latest/meta-data/instance-type': 'm5.large',
      '/latest/meta-data/placement/region': 'us-west-2',
    });
    await sandbox.platform.files.writeAtomic(sandbox.path('usr/share/eks/eni-max-pods'), '# instance max-pods\nm5.large 29\nm5.xlarge 58\n');
    const platform = makePlatform({ root: sandbox.root, env: { BRKT_IMDS_URL: imds.url } });
    const api = new MemoryLaunchApi();
    api.generators = {
      'settings.kubernetes.node-ip': 'pluto node-ip',
      'settings.kubernetes.cluster-dns-ip': 'pluto cluster-dns-ip',
      'settings.kubernetes.max-pods': 'pluto max-pods',
      'settings.kubernetes.pod-infra-container-image': 'pluto pod-infra-container-image',
    };
    await runSundog(platform, api);
    expect(api.patches[0]!.document).toEqual({
      kubernetes: {
        'node-ip': '192.168.7.9',
        'cluster-dns-ip': '172.20.0.10',
        'max-pods': 29,
        'pod-infra-container-image': '602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/pause-amd64:3.1',
      },
    });
  });

  test('an unknown instance type skips max-pods (the template default applies)', async () => {
    await using sandbox = await makeSandbox();
    await using imds = fakeImds({ '/latest/meta-data/instance-type': 'x9.huge' });
    const platform = makePlatform({ root: sandbox.root, env: { BRKT_IMDS_URL: imds.url } });
    const api = new MemoryLaunchApi();
    api.generators = { 'settings.kubernetes.max-pods': 'pluto max-pods' };
    const result = await runSundog(platform, api);
    expect(result.skipped[0]!.reason).toBe('pluto: no usr/share/eks/eni-max-pods');
    expect(api.patches).toEqual([]);
  });

  test('missing node metadata fails (no guessed address)', async () => {
    await using sandbox = await makeSandbox();
    await using imds = fakeImds({});
    const platform = makePlatform({ root: sandbox.root, env: { BRKT_IMDS_URL: imds.url } });
    const api = new MemoryLaunchApi();
    api.generators = { 'settings.kubernetes.node-ip': 'pluto node-ip' };
    await expect(runSundog(platform, api)).rejects.toThrow('Failed to generate settings.kubernetes.node-ip: pluto: instance metadata has no local-ipv4');
    expect(api.patches).toEqual([]);
  });

  test('a metadata service that cannot be reached skips every pluto setting (a host without one boots)', async () => {
    await using sandbox = await makeSandbox();
    const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('') });
    const url = `http://127.0.0.1:${server.port}`;
    await server.stop(true);
    const platform = makePlatform({ root: sandbox.root, env: { BRKT_IMDS_URL: url } });
    const api = new MemoryLaunchApi();
    api.generators = { 'settings.kubernetes.node-ip': 'pluto node-ip', 'settings.kubernetes.max-pods': 'pluto max-pods' };
    const result = await runSundog(platform, api);
    expect(result.skipped.map(entry => entry.key)).toEqual(['settings.kubernetes.max-pods', 'settings.kubernetes.node-ip']);
    expect(result.skipped[0]!.reason).toStartWith(`no instance metadata on this host: Failed to PUT ${url}/latest/api/token (4 attempts): `);
    expect(api.patches).toEqual([]); // every generator skipped: nothing is sent
  });
});
