// `brkt repo` through the compiled binary: the repositories it writes are read by brkt's own
// reader (HTTP and file://), by tuf-js, and its images by the lz4 CLI.
import { describe, expect, test } from 'bun:test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { brkt } from '../helpers/brkt';
import { makeTempDir, type TempDir } from '../helpers/sandbox';
import { withTool } from '../helpers/tools';
import { fileUrls, serveRepo, trustingHost } from '../helpers/tuf-repo';
import { repoLayout } from '../../src/core/repo/repository';
import { UpdateRepository } from '../../src/core/updates/repository';
import { formatInstant } from '../../src/core/updates/datetime';
import { UPSTREAM_FIXTURES } from '../helpers/fixtures';

const FIXTURES = UPSTREAM_FIXTURES;

const rootImage = new Uint8Array(2_500_000).map((_, i) => (i % 7 === 0 ? i >> 8 : 0x55));

async function released(dir: TempDir) {
  writeFileSync(dir.path('root.ext4'), rootImage);
  writeFileSync(dir.path('boot.ext4'), new Uint8Array(70_000).fill(1));
  writeFileSync(dir.path('root.verity'), new Uint8Array(4096).fill(2));
  const init = await brkt('brkt', ['repo', 'init', 'repo'], { cwd: dir.root });
  expect(init).toEqual({ stdout: `Created repository ${dir.path('repo')}; trusted root: ${dir.path('repo/metadata/1.root.json')}\n`, stderr: '', code: 0 });
  const add = await brkt('brkt', [
    'repo', 'add-release', 'repo', '--variant', 'aws-dev', '--arch', 'x86_64', '--version', '1.2.0', '--build-id', '0123abcd',
    '--boot-image', 'boot.ext4', '--root-image', 'root.ext4', '--hash-image', 'root.verity',
    '--waves', join(FIXTURES, 'waves/default-waves.toml'), '--start-at', '2024-07-01T17:00:00Z', '--json',
  ], { cwd: dir.root });
  expect(add.stderr).toBe('');
  expect(add.code).toBe(0);
  return JSON.parse(add.stdout) as { boot: string; root: string; hash: string };
}

describe('brkt repo', () => {
  test.concurrent('init and add-release write a repository brkt reads over HTTP and file://', async () => {
    await using dir = makeTempDir();
    const names = await released(dir);
    expect(names).toEqual({
      boot: 'bottlerocket-aws-dev-x86_64-1.2.0-0123abcd-boot.ext4.lz4',
      root: 'bottlerocket-aws-dev-x86_64-1.2.0-0123abcd-root.ext4.lz4',
      hash: 'bottlerocket-aws-dev-x86_64-1.2.0-0123abcd-root.verity.lz4',
    });
    const layout = repoLayout(dir.path('repo'));
    const root = readFileSync(join(layout.metadataDir, '1.root.json'));
    using served = serveRepo(layout);
    for (const [i, urls] of [served, fileUrls(layout)].entries()) {
      const platform = await trustingHost(dir.path(`host${i}`), root);
      const repository = await UpdateRepository.load(platform, { metadataBaseUrl: urls.metadataUrl, targetsBaseUrl: urls.targetsUrl });
      const [update] = (await repository.manifest()).updates;
      expect(update!.images).toEqual(names);
      expect(update!.maxVersion.text).toBe('1.2.0');
      expect(update!.waves.map(w => [w.seed, formatInstant(w.start)])).toEqual([
        [0, '2024-07-01T18:00:00Z'], [20, '2024-07-01T21:00:00Z'], [102, '2024-07-02T17:00:00Z'], [307, '2024-07-03T17:00:00Z'],
        [819, '2024-07-05T17:00:00Z'], [1228, '2024-07-06T17:00:00Z'], [1843, '2024-07-07T17:00:00Z'],
      ]);
      expect(repository.targetCustom(names.root)).toEqual({ decoded_length: rootImage.length });
    }
  });

  withTool('lz4')('the lz4 CLI decodes the published images', async () => {
    await using dir = makeTempDir();
    const names = await released(dir);
    const targets = JSON.parse(readFileSync(dir.path('repo/metadata/2.targets.json'), 'utf8')).signed.targets;
    const file = dir.path(`repo/targets/${targets[names.root].hashes.sha256}.${names.root}`);
    const result = Bun.spawnSync({ cmd: ['lz4', '-d', '-c', file], stdout: 'pipe' });
    expect(result.exitCode).toBe(0);
    expect(Buffer.from(result.stdout).equals(Buffer.from(rootImage))).toBe(true);
  });

  test.concurrent('verify decodes every image inside the compiled binary', async () => {
    await using dir = makeTempDir();
    const names = await released(dir);
    const verify = await brkt('brkt', ['repo', 'verify', dir.path('repo'), '--json'], {});
    expect(verify.code).toBe(0);
    const byName = Object.fromEntries((JSON.parse(verify.stdout) as Array<{ name: string; decodedLength?: number }>).map(t => [t.name, t.decodedLength]));
    expect(byName).toEqual({ [names.boot]: 70_000, [names.root]: rootImage.length, [names.hash]: 4096, 'manifest.json': undefined });
  });

  test.concurrent('an unusable TMPDIR is reported when the LZ4 addon cannot load', async () => {
    await using dir = makeTempDir();
    await released(dir);
    const verify = await brkt('brkt', ['repo', 'verify', dir.path('repo')], { env: { TMPDIR: dir.path('missing') } });
    expect(verify.code).toBe(1);
    expect(verify.stderr).toStartWith(`brkt: Failed to load the LZ4 decoder (lz4-napi): the native addon is unpacked into TMPDIR=${dir.path('missing')}, which must exist and be writable`);
  });

  test.concurrent('tuf-js follows a root rotation with new keys for every role', async () => {
    await using dir = makeTempDir();
    await released(dir);
    const rotate = await brkt('brkt', ['repo', 'rotate-root', dir.path('repo'), '--new-keys', 'root,targets,snapshot,timestamp'], {});
    expect(rotate).toEqual({ stdout: 'Signed root 2, targets 3, snapshot 3, timestamp 3\n', stderr: '', code: 0 });
    const layout = repoLayout(dir.path('repo'));
    using served = serveRepo(layout);
    const metadataDir = dir.path('tufjs');
    mkdirSync(metadataDir);
    writeFileSync(join(metadataDir, 'root.json'), readFileSync(join(layout.metadataDir, '1.root.json')));
    const updater = new Updater({ metadataDir, metadataBaseUrl: served.metadataUrl, targetBaseUrl: served.targetsUrl, targetDir: dir.root });
    await updater.refresh();
    expect(JSON.parse(readFileSync(join(metadataDir, 'root.json'), 'utf8')).signed.version).toBe(2);
    expect(await updater.getTargetInfo('manifest.json')).toBeDefined();
  });

  test.concurrent('an expired timestamp is refused by the reader; refresh-timestamp fixes it', async () => {
    await using dir = makeTempDir();
    await released(dir);
    const expire = await brkt('brkt', ['repo', 'expire', dir.path('repo'), '--timestamp-expires', '2020-01-01T00:00:00Z'], {});
    expect(expire).toEqual({ stdout: 'Signed root 1, targets 2, snapshot 2, timestamp 3\n', stderr: '', code: 0 });
    const layout = repoLayout(dir.path('repo'));
    const platform = await trustingHost(dir.path('host'), readFileSync(join(layout.metadataDir, '1.root.json')));
    const load = () => UpdateRepository.load(platform, { metadataBaseUrl: fileUrls(layout).metadataUrl, targetsBaseUrl: fileUrls(layout).targetsUrl });
    await expect(load()).rejects.toThrow('(freeze attack');
    expect(await brkt('brkt', ['repo', 'refresh-timestamp', dir.path('repo')], {})).toEqual({ stdout: 'Signed timestamp version 4\n', stderr: '', code: 0 });
    expect((await load()).versions).toEqual({ root: 1, timestamp: 4, snapshot: 2, targets: 2 });
  });

  test.concurrent('add-migration lists lz4-compressed migrations in the manifest', async () => {
    await using dir = makeTempDir();
    await released(dir);
    writeFileSync(dir.path('migrate_v1.2.0_add-setting'), '#!/bin/sh\nexit 0\n');
    const add = await brkt('brkt', ['repo', 'add-migration', 'repo', '--from', '1.1.0', '--to', '1.2.0', 'migrate_v1.2.0_add-setting'], { cwd: dir.root });
    expect(add).toEqual({ stdout: 'Added (1.1.0, 1.2.0): migrate_v1.2.0_add-setting.lz4\n', stderr: '', code: 0 });
    const layout = repoLayout(dir.path('repo'));
    const platform = await trustingHost(dir.path('host'), readFileSync(join(layout.metadataDir, '1.root.json')));
    const repository = await UpdateRepository.load(platform, { metadataBaseUrl: fileUrls(layout).metadataUrl, targetsBaseUrl: fileUrls(layout).targetsUrl });
    expect((await repository.manifest()).migrations.map(m => [m.from.text, m.to.text, m.names])).toEqual([['1.1.0', '1.2.0', ['migrate_v1.2.0_add-setting.lz4']]]);
  });

  test.concurrent('usage errors and refusals', async () => {
    await using dir = makeTempDir();
    await released(dir);
    const again = await brkt('brkt', ['repo', 'init', dir.path('repo')], {});
    expect(again).toEqual({ stdout: '', stderr: `brkt: Refusing to create a repository in ${dir.path('repo')}: ${dir.path('repo/metadata')} already holds metadata\n`, code: 1 });
    const badKey = await brkt('brkt', ['repo', 'init', dir.path('other'), '--key-type', 'dsa'], {});
    expect(badKey).toEqual({ stdout: '', stderr: "brkt: Unknown key type 'dsa': use ed25519, ecdsa, rsa\n", code: 2 });
    const ohno = await brkt('brkt', ['repo', 'add-release', dir.path('repo'), '--variant', 'aws-dev', '--arch', 'x86_64', '--version', '1.3.0', '--boot-image', dir.path('boot.ext4'), '--root-image', dir.path('root.ext4'), '--hash-image', dir.path('root.verity'), '--waves', join(FIXTURES, 'waves/ohno.toml')], {});
    expect(ohno.stderr).toBe("brkt: Unable to parse 'start_after' offset from string '30 minutes': expected '[in] COUNT hours|days|weeks'\n");
    expect(ohno.code).toBe(2);
  });
});
