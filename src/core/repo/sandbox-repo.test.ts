import { describe, expect, test } from 'bun:test';
import { makeSandbox } from '../../../test/helpers/sandbox';
import { DEFAULT_SANDBOX_VARIANT, initSandbox } from '../sandbox/init';
import { decodeSandboxRoot } from '../sandbox/root-image';
import { decodeLz4Frames } from '../lz4/frame-decoder';
import { instantFromDate } from '../updates/datetime';
import { UpdateRepository } from '../updates/repository';
import { chooseUpdate } from '../updates/select';
import { parseVersion } from '../updates/version';

describe('the sandbox update repository', () => {
  test('dev init publishes 1.1.0 and 1.2.0, trusts the repository and records its file:// URLs', async () => {
    await using sandbox = await makeSandbox();
    const { platform } = sandbox;
    const urls = JSON.parse(await platform.files.readText(platform.paths.sandboxRepo));
    expect(urls).toEqual({ 'metadata-base-url': `file://${sandbox.root}/repo/metadata/`, 'targets-base-url': `file://${sandbox.root}/repo/targets/` });
    const repository = await UpdateRepository.load(platform, { metadataBaseUrl: urls['metadata-base-url'], targetsBaseUrl: urls['targets-base-url'] });
    const manifest = await repository.manifest();
    expect(manifest.updates.map(u => [u.variant, u.arch, u.version.text, u.maxVersion.text])).toEqual([
      [DEFAULT_SANDBOX_VARIANT, platform.arch, '1.1.0', '1.2.0'],
      [DEFAULT_SANDBOX_VARIANT, platform.arch, '1.2.0', '1.2.0'],
    ]);
    const chosen = chooseUpdate(manifest, { current: parseVersion('1.0.0'), variant: DEFAULT_SANDBOX_VARIANT, arch: platform.arch, seed: 1234, versionLock: 'latest', ignoreWaves: false, now: instantFromDate(new Date()) });
    expect(chosen?.version.text).toBe('1.2.0');
    const parts: Uint8Array[] = [];
    for await (const part of decodeLz4Frames(repository.streamTarget(chosen!.images.root), 'root')) parts.push(part);
    const root = Buffer.concat(parts);
    expect(root.length).toBe(256 << 10);
    expect(decodeSandboxRoot(root)?.release).toMatchObject({ versionId: '1.2.0', variantId: DEFAULT_SANDBOX_VARIANT });
  });

  test('running dev init again keeps the repository as it is', async () => {
    await using sandbox = await makeSandbox();
    const timestamp = await sandbox.platform.files.readText(sandbox.path('repo/metadata/timestamp.json'));
    await initSandbox(sandbox.platform, { variant: DEFAULT_SANDBOX_VARIANT });
    expect(await sandbox.platform.files.readText(sandbox.path('repo/metadata/timestamp.json'))).toBe(timestamp);
    expect(await sandbox.platform.files.read(sandbox.platform.paths.updogRoot)).toEqual(await sandbox.platform.files.read(sandbox.path('repo/metadata/1.root.json')));
  });
});
