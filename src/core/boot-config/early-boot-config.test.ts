import { describe, expect, test } from 'bun:test';
import { makeSandbox, type Sandbox } from '../../../test/helpers/sandbox';
import { BrktError } from '../errors';
import { makePlatform } from '../../platform';
import { EARLY_BOOT_CONFIG_MARKER, runEarlyBootConfig, USER_DATA_FILE } from './early-boot-config';
import { imdsFor } from './imds';
import { fakeImds } from '../../../test/helpers/fake-imds';
import { MemoryLaunchApi } from './memory-launch-api';

const write = (sandbox: Sandbox, rel: string, text: string) => sandbox.platform.files.writeAtomic(sandbox.path(rel), text);

describe('early-boot-config', () => {
  test('user data file under the root, no instance metadata: region falls back to us-east-1', async () => {
    await using sandbox = await makeSandbox();
    await write(sandbox, USER_DATA_FILE, '[settings]\nmotd = "hello from user data"\n[settings.kubernetes.node-labels]\n"example.com/role" = "web"\n');
    const api = new MemoryLaunchApi();
    const result = await runEarlyBootConfig(sandbox.platform, api);
    expect(result.pieces.map(piece => piece.provider)).toEqual(['20-local-user-data', '30-ec2-identity-doc']);
    expect(api.patches).toEqual([{
      tx: 'bottlerocket-launch',
      document: { motd: 'hello from user data', kubernetes: { 'node-labels': { 'example.com/role': 'web' } }, aws: { region: 'us-east-1' } },
    }]);
    expect(await sandbox.platform.files.exists(sandbox.path(EARLY_BOOT_CONFIG_MARKER))).toBe(true);
    expect(api.live).toEqual({}); // nothing committed here
  });

  test('runs once per host: the marker skips it', async () => {
    await using sandbox = await makeSandbox();
    await write(sandbox, USER_DATA_FILE, '[settings]\nmotd = "first"\n');
    const api = new MemoryLaunchApi();
    await runEarlyBootConfig(sandbox.platform, api);
    await write(sandbox, USER_DATA_FILE, '[settings]\nmotd = "second"\n');
    expect(await runEarlyBootConfig(sandbox.platform, api)).toEqual({ skipped: true, pieces: [] });
    expect(api.patches).toHaveLength(1);
  });

  test('instance metadata: identity document and user data, local overrides win', async () => {
    await using sandbox = await makeSandbox();
    await using imds = fakeImds({
      '/latest/dynamic/instance-identity/document': JSON.stringify({ region: 'us-west-2', instanceId: 'i-1' }),
      '/2021-07-15/user-data': '[settings]\nmotd = "from imds"\n[settings.ntp]\ntime-servers = ["a.example"]\n',
    });
    await write(sandbox, 'local/user-data-defaults.toml', '[settings]\nmotd = "default"\n[settings.aws]\nregion = "eu-west-1"\n');
    await write(sandbox, 'local/user-data-overrides.toml', '[settings.ntp]\ntime-servers = ["b.example"]\n');
    const api = new MemoryLaunchApi();
    const platform = makePlatform({ root: sandbox.root, env: { BRKT_IMDS_URL: imds.url } });
    const result = await runEarlyBootConfig(platform, api);
    expect(result.pieces.map(piece => piece.from)).toEqual([
      sandbox.path('local/user-data-defaults.toml'),
      `${imds.url}/latest/dynamic/instance-identity/document`,
      `${imds.url}/2021-07-15/user-data`,
      sandbox.path('local/user-data-overrides.toml'),
    ]);
    expect(api.patches[0]!.document).toEqual({ motd: 'from imds', aws: { region: 'us-west-2' }, ntp: { 'time-servers': ['b.example'] } });
    expect(imds.requests.filter(line => line.startsWith('PUT'))).toEqual(['PUT /latest/api/token']);
  });

  test('instance metadata without user data or identity document (404s)', async () => {
    await using sandbox = await makeSandbox();
    await using imds = fakeImds({});
    const api = new MemoryLaunchApi();
    await runEarlyBootConfig(makePlatform({ root: sandbox.root, env: { BRKT_IMDS_URL: imds.url } }), api);
    expect(api.patches[0]!.document).toEqual({ aws: { region: 'us-east-1' } });
  });

  test('seed-era override files replace the metadata service', async () => {
    await using sandbox = await makeSandbox();
    await using imds = fakeImds({ '/2021-07-15/user-data': '[settings]\nmotd = "imds"\n' });
    await write(sandbox, 'etc/early-boot-config/identity-document', '{"region":"ap-east-1"}');
    await write(sandbox, 'etc/early-boot-config/user-data', '[settings]\nmotd = "file"\n');
    const api = new MemoryLaunchApi();
    await runEarlyBootConfig(makePlatform({ root: sandbox.root, env: { BRKT_IMDS_URL: imds.url } }), api);
    expect(api.patches[0]!.document).toEqual({ aws: { region: 'ap-east-1' }, motd: 'file' });
    expect(imds.requests).toEqual([]);
  });

  test('a TOML error names the file and line; nothing is sent, no marker', async () => {
    await using sandbox = await makeSandbox();
    await write(sandbox, USER_DATA_FILE, '[settings]\nmotd = "ok"\nenabled = tru\n');
    const api = new MemoryLaunchApi();
    const error = await runEarlyBootConfig(sandbox.platform, api).catch(e => e);
    expect(error).toBeInstanceOf(BrktError);
    expect(error.message).toStartWith(`Error parsing TOML user data from ${sandbox.path(USER_DATA_FILE)}: line 3, column `);
    expect(api.patches).toEqual([]);
    expect(await sandbox.platform.files.exists(sandbox.path(EARLY_BOOT_CONFIG_MARKER))).toBe(false);
  });

  test('an unknown setting fails naming the key; nothing is staged, no marker', async () => {
    await using sandbox = await makeSandbox();
    await write(sandbox, USER_DATA_FILE, '[settings]\nmotd = "ok"\nmotdd = "typo"\n');
    const api = new MemoryLaunchApi(document => {
      for (const key of Object.keys(document)) {
        if (!['motd', 'aws', 'kubernetes'].includes(key)) throw new BrktError('invalid-input', `PATCH /settings?tx=bottlerocket-launch answered 400: Json deserialize error: unknown field \`${key}\``);
      }
    });
    const error = await runEarlyBootConfig(sandbox.platform, api).catch(e => e);
    expect(error.message).toBe(`Failed to apply user data from ${sandbox.path(USER_DATA_FILE)}, no identity document (region us-east-1): PATCH /settings?tx=bottlerocket-launch answered 400: Json deserialize error: unknown field \`motdd\``);
    expect(api.pending.size).toBe(0); // the region did not slip in alone
    expect(await sandbox.platform.files.exists(sandbox.path(EARLY_BOOT_CONFIG_MARKER))).toBe(false);
  });

  test('a metadata service that fails is an error, not silence', async () => {
    await using sandbox = await makeSandbox();
    const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('', { status: 500 }) });
    try {
      const error = await runEarlyBootConfig(sandbox.platform, new MemoryLaunchApi(), sandbox.platform.imds(`http://127.0.0.1:${server.port}`)).catch(e => e);
      expect(error.message).toMatch(/refused a session token: 500$/);
    } finally {
      await server.stop(true);
    }
  });
});

describe('instance metadata is optional', () => {
  test('a metadata service that cannot be reached is absent: local user data still applies', async () => {
    await using sandbox = await makeSandbox();
    await write(sandbox, USER_DATA_FILE, '[settings]\nmotd = "no imds"\n');
    const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('') });
    const url = `http://127.0.0.1:${server.port}`;
    await server.stop(true);
    const api = new MemoryLaunchApi();
    const result = await runEarlyBootConfig(sandbox.platform, api, sandbox.platform.imds(url));
    expect(result.unreachable).toStartWith(`Failed to PUT ${url}/latest/api/token (4 attempts): `);
    expect(result.pieces.map(piece => piece.provider)).toEqual(['20-local-user-data', '30-ec2-identity-doc']);
    expect(api.pending.get('bottlerocket-launch')).toEqual({ motd: 'no imds', aws: { region: 'us-east-1' } });
    expect(await sandbox.platform.files.exists(sandbox.path(EARLY_BOOT_CONFIG_MARKER))).toBe(true);
  });
});

describe('imdsFor', () => {
  test('a sandbox has no instance metadata unless configured', async () => {
    await using sandbox = await makeSandbox();
    expect(imdsFor(sandbox.platform)).toBeUndefined();
    expect(imdsFor(makePlatform({ root: sandbox.root, env: { BRKT_IMDS_URL: 'http://127.0.0.1:9/' } }))!.baseUrl).toBe('http://127.0.0.1:9');
  });

  test('a sandbox made by dev init answers from its own instance-metadata files', async () => {
    await using sandbox = await makeSandbox({ variant: 'aws-k8s-1.17', userData: true });
    const imds = imdsFor(sandbox.platform)!;
    expect(imds.baseUrl).toBe(sandbox.path('var/lib/brkt/imds'));
    expect(JSON.parse((await imds.get('/latest/dynamic/instance-identity/document'))!)).toMatchObject({ region: 'us-west-2', instanceType: 'm5.large' });
    const api = new MemoryLaunchApi();
    await runEarlyBootConfig(sandbox.platform, api);
    expect(api.patches[0]!.document).toMatchObject({ aws: { region: 'us-west-2' }, kubernetes: { 'cluster-name': 'sandbox-cluster' } });
  });
});
