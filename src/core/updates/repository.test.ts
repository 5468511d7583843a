// TUF attacks at the repository-reading level, against repositories built by brkt's writer,
// by @tufjs/repo-mock and by hand; served over HTTP on 127.0.0.1 and read through file://.
import { describe, expect, test } from 'bun:test';
import { existsSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { initializeTUFRepo } from '@tufjs/repo-mock';
import nock from 'nock';
import { makeTempDir, type TempDir } from '../../../test/helpers/sandbox';
import { expiringIn, fileUrls, makeTufRepo, publishRelease, serveRepo, trustingHost } from '../../../test/helpers/tuf-repo';
import { generateSigningKey } from '../repo/keys';
import { encodeMetadata, signMetadata, type Signed, type SignedMetadata } from '../repo/metadata';
import type { RepoWriter } from '../repo/repository';
import { QueryParams } from './query-params';
import { UpdateRepository } from './repository';
import { decodeLz4Frames } from '../lz4/frame-decoder';

// repo-mock loads nock, which replaces the global fetch on import; its stand-in drops Bun's
// `unix` option, so every later test in this process would miss its socket. Only repo-mock's
// files are used here (served by Bun.serve), so interception is switched off again.
nock.restore();

const images = {
  boot: new TextEncoder().encode('boot image '.repeat(1000)),
  root: new Uint8Array(200_000).map((_, i) => (i % 251) ^ (i >> 10)),
  hash: new TextEncoder().encode('verity '.repeat(300)),
};

interface Fixture {
  dir: TempDir;
  repo: RepoWriter;
  hostRoot: string;
  [Symbol.asyncDispose](): PromiseLike<void>;
}

async function fixture(): Promise<Fixture> {
  const dir = makeTempDir('brkt-tuf-');
  const repo = await makeTufRepo(dir.path('repo'));
  await publishRelease(repo, '1.1.0', images);
  return { dir, repo, hostRoot: dir.path('host'), [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose]() };
}

async function load(f: Fixture, urls: { metadataUrl: string; targetsUrl: string }, options: { now?: () => Date; query?: QueryParams } = {}) {
  const platform = await trustingHost(f.hostRoot, await f.repo.initialRoot(), options.now);
  return UpdateRepository.load(platform, { metadataBaseUrl: urls.metadataUrl, targetsBaseUrl: urls.targetsUrl, query: options.query });
}

async function collect(chunks: AsyncIterable<Uint8Array>) {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

const metadataPath = (f: Fixture, name: string) => join(f.repo.layout.metadataDir, name);
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as SignedMetadata;

describe('reading a repository', () => {
  test('over HTTP: metadata, manifest and a decoded image, with the query on every request', async () => {
    await using f = await fixture();
    using served = serveRepo(f.repo.layout);
    const query = new QueryParams().add('version', '1.0.0').add('seed', '1487');
    const repository = await load(f, served, { query });
    const manifest = await repository.manifest();
    expect(manifest.updates.map(u => u.version.text)).toEqual(['1.1.0']);
    query.add('target', '1.1.0');
    const decoded = await collect(decodeLz4Frames(repository.streamTarget(manifest.updates[0]!.images.root), 'root'));
    expect(decoded).toEqual(Buffer.from(images.root));
    expect(served.requests.every(path => path.endsWith('?seed=1487&version=1.0.0') || path.endsWith('?seed=1487&target=1.1.0&version=1.0.0'))).toBe(true);
    expect(served.requests.at(-1)).toMatch(/^\/targets\/[0-9a-f]{64}\.bottlerocket-aws-dev-x86_64-1\.1\.0-abcdef12-root\.ext4\.lz4\?seed=1487&target=1\.1\.0&version=1\.0\.0$/);
    expect(served.requests.slice(0, 4).map(p => p.split('?')[0])).toEqual(['/metadata/2.root.json', '/metadata/timestamp.json', '/metadata/2.snapshot.json', '/metadata/2.targets.json']);
  });

  test('through file:// URLs', async () => {
    await using f = await fixture();
    const repository = await load(f, fileUrls(f.repo.layout));
    expect((await repository.manifest()).updates).toHaveLength(1);
  });

  test('tuf-js itself accepts what brkt repo writes', async () => {
    await using f = await fixture();
    using served = serveRepo(f.repo.layout);
    const metadataDir = f.dir.path('tufjs');
    mkdirSync(metadataDir);
    mkdirSync(f.dir.path('tufjs-targets'));
    writeFileSync(join(metadataDir, 'root.json'), await f.repo.initialRoot());
    const updater = new Updater({ metadataDir, metadataBaseUrl: served.metadataUrl, targetBaseUrl: served.targetsUrl, targetDir: f.dir.path('tufjs-targets') });
    await updater.refresh();
    const info = await updater.getTargetInfo('manifest.json');
    const path = await updater.downloadTarget(info!);
    expect(JSON.parse(readFileSync(path, 'utf8')).updates[0].version).toBe('1.1.0');
  });

  test('a repository built independently by @tufjs/repo-mock (no consistent snapshots, ECDSA keys)', async () => {
    await using dir = makeTempDir();
    const manifest = '{"updates":[],"migrations":{"(1.0.0, 1.1.0)":["migrate_v1.1.0_x.lz4"]}}';
    const mock = initializeTUFRepo([{ name: 'manifest.json', content: manifest }]);
    const files: Record<string, string> = {
      '/metadata/timestamp.json': JSON.stringify(mock.timestampMeta.toJSON()),
      '/metadata/snapshot.json': JSON.stringify(mock.snapshotMeta.toJSON()),
      '/metadata/targets.json': JSON.stringify(mock.targetsMeta.toJSON()),
      '/targets/manifest.json': manifest,
    };
    const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: r => (files[new URL(r.url).pathname] ? new Response(files[new URL(r.url).pathname]) : new Response('', { status: 404 })) });
    try {
      const platform = await trustingHost(dir.path('host'), new TextEncoder().encode(JSON.stringify(mock.rootMeta.toJSON())));
      const base = `http://127.0.0.1:${server.port}`;
      const repository = await UpdateRepository.load(platform, { metadataBaseUrl: `${base}/metadata`, targetsBaseUrl: `${base}/targets` });
      expect(repository.consistentSnapshot).toBe(false);
      expect((await repository.manifest()).migrations[0]!.names).toEqual(['migrate_v1.1.0_x.lz4']);
    } finally {
      server.stop(true);
    }
  });

  test('a legitimate root rotation (new keys for every role) is followed and remembered', async () => {
    await using f = await fixture();
    const version = await f.repo.rotateRoot({ newKeys: ['root', 'targets', 'snapshot', 'timestamp'] });
    expect(version).toBe(2);
    using served = serveRepo(f.repo.layout);
    const repository = await load(f, served);
    expect(repository.versions.root).toBe(2);
    expect(JSON.parse(readFileSync(join(f.hostRoot, 'var/lib/brkt/tuf/root.json'), 'utf8')).signed.version).toBe(2);
    expect((await repository.manifest()).updates).toHaveLength(1);
  });

  test('a new shipped root.json discards the trusted cache', async () => {
    await using f = await fixture();
    using served = serveRepo(f.repo.layout);
    await load(f, served);
    const other = await makeTufRepo(f.dir.path('other'));
    const platform = await trustingHost(f.hostRoot, await other.initialRoot());
    using otherServed = serveRepo(other.layout);
    const repository = await UpdateRepository.load(platform, { metadataBaseUrl: otherServed.metadataUrl, targetsBaseUrl: otherServed.targetsUrl });
    expect(repository.versions.timestamp).toBe(1);
  });
});

describe('TUF attacks are refused, naming them', () => {
  test('arbitrary target: a name the signed targets do not list', async () => {
    await using f = await fixture();
    using served = serveRepo(f.repo.layout);
    const repository = await load(f, served);
    await expect(collect(repository.streamTarget('evil.img.lz4'))).rejects.toThrow("Target evil.img.lz4 is not listed in the repository's signed targets metadata");
  });

  test('tampered target: same length, other bytes', async () => {
    await using f = await fixture();
    const name = (await f.repo.readManifest()).updates[0]!.images.boot;
    const entry = f.repo.targets.signed.targets[name]!;
    const path = join(f.repo.layout.targetsDir, `${entry.hashes.sha256}.${name}`);
    const bytes = readFileSync(path);
    bytes[bytes.length >> 1]! ^= 0xff;
    writeFileSync(path, bytes);
    using served = serveRepo(f.repo.layout);
    const repository = await load(f, served);
    await expect(collect(repository.streamTarget(name))).rejects.toThrow(/Refusing target .*-boot\.ext4\.lz4: SHA-256 [0-9a-f]{64} differs from [0-9a-f]{64} in the signed targets metadata \(tampered target\)/);
  });

  test('endless data: a target longer than listed stops at the listed length', async () => {
    await using f = await fixture();
    const name = (await f.repo.readManifest()).updates[0]!.images.hash;
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 65536;
        controller.enqueue(new Uint8Array(65536));
        if (sent > 64 << 20) controller.close(); // a bound for the test itself, far beyond the limit
      },
    });
    using served = serveRepo(f.repo.layout, path => (path.startsWith('/targets/') && path.endsWith(name) ? new Response(endless) : undefined));
    const repository = await load(f, served);
    await expect(collect(repository.streamTarget(name))).rejects.toThrow(`Refusing target ${name}: more data than the`);
    expect(sent).toBeLessThan(8 << 20);
  });

  test('endless data: a timestamp.json above 1 MiB', async () => {
    await using f = await fixture();
    using served = serveRepo(f.repo.layout, path => (path === '/metadata/timestamp.json' ? new Response(new Uint8Array((1 << 20) + 1).fill(32)) : undefined));
    await expect(load(f, served)).rejects.toThrow('Refusing timestamp.json: larger than its limit of 1048576 bytes (endless data attack)');
  });

  test('endless data: a snapshot longer than the timestamp lists', async () => {
    await using f = await fixture();
    const snapshotFile = `${f.repo.snapshot.signed.version}.snapshot.json`;
    const padded = Buffer.concat([readFileSync(metadataPath(f, snapshotFile)), Buffer.alloc(10, 32)]);
    using served = serveRepo(f.repo.layout, path => (path === `/metadata/${snapshotFile}` ? new Response(padded) : undefined));
    await expect(load(f, served)).rejects.toThrow(`Refusing ${snapshotFile}: larger than its limit`);
  });

  test('rollback: an older timestamp than one trusted before, across runs', async () => {
    await using f = await fixture();
    const old = readFileSync(metadataPath(f, 'timestamp.json'));
    await publishRelease(f.repo, '1.2.0', images);
    {
      using served = serveRepo(f.repo.layout);
      await load(f, served);
    }
    using replay = serveRepo(f.repo.layout, path => (path === '/metadata/timestamp.json' ? new Response(old) : undefined));
    await expect(load(f, replay)).rejects.toThrow(/Refusing timestamp.json: New timestamp version 2 is less than current version 3 \(rollback attack\)/);
  });

  test('an unreadable cached file fails the load instead of losing rollback protection', async () => {
    await using f = await fixture();
    const old = readFileSync(metadataPath(f, 'timestamp.json'));
    await publishRelease(f.repo, '1.2.0', images);
    {
      using served = serveRepo(f.repo.layout);
      await load(f, served);
    }
    // Not missing but unreadable (here a directory: EISDIR, whoever runs the test).
    const cached = join(f.hostRoot, 'var/lib/brkt/tuf/timestamp.json');
    rmSync(cached);
    mkdirSync(cached);
    using replay = serveRepo(f.repo.layout, path => (path === '/metadata/timestamp.json' ? new Response(old) : undefined));
    await expect(load(f, replay)).rejects.toThrow(`Failed to read the trusted metadata ${cached}: EISDIR`);
    for (const name of ['root.json', 'trust.json']) {
      const path = join(f.hostRoot, 'var/lib/brkt/tuf', name);
      rmSync(cached, { recursive: true });
      writeFileSync(cached, readFileSync(metadataPath(f, 'timestamp.json')));
      const saved = existsSync(path) ? readFileSync(path) : undefined;
      rmSync(path, { force: true });
      mkdirSync(path);
      await expect(load(f, replay)).rejects.toThrow(`Failed to read the trusted metadata ${path}: EISDIR`);
      rmSync(path, { recursive: true });
      if (saved) writeFileSync(path, saved);
    }
  });

  test('only a missing cached file counts as absent', async () => {
    await using f = await fixture();
    using served = serveRepo(f.repo.layout);
    await load(f, served);
    rmSync(join(f.hostRoot, 'var/lib/brkt/tuf/timestamp.json'));
    expect((await load(f, served)).versions.timestamp).toBe(2);
  });

  test('rollback: a snapshot version below the trusted one (a re-signed old timestamp)', async () => {
    await using f = await fixture();
    const oldSnapshot = f.repo.snapshot;
    await publishRelease(f.repo, '1.2.0', images);
    {
      using served = serveRepo(f.repo.layout);
      await load(f, served);
    }
    // The timestamp key signs a newer timestamp that names the old snapshot.
    const timestamp = readJson(metadataPath(f, 'timestamp.json'));
    const snapshotBytes = encodeMetadata(oldSnapshot);
    const signed = { ...timestamp.signed, version: timestamp.signed.version + 1, meta: { 'snapshot.json': { version: oldSnapshot.signed.version, length: snapshotBytes.length, hashes: (timestamp.signed.meta as never)['snapshot.json']['hashes'] } } } as Signed;
    const forged = encodeMetadata(signMetadata(signed, f.repo.keysFor('timestamp')));
    using replay = serveRepo(f.repo.layout, path => (path === '/metadata/timestamp.json' ? new Response(forged) : undefined));
    await expect(load(f, replay)).rejects.toThrow('Refusing timestamp.json: New snapshot version 2 is less than current version 3 (rollback attack)');
  });

  test('indefinite freeze: an expired timestamp', async () => {
    await using dir = makeTempDir();
    const repo = await makeTufRepo(dir.path('repo'), { expires: { ...expiringIn(365), timestamp: new Date(Date.now() - 60_000) } });
    using served = serveRepo(repo.layout);
    const platform = await trustingHost(dir.path('host'), await repo.initialRoot());
    await expect(UpdateRepository.load(platform, { metadataBaseUrl: served.metadataUrl, targetsBaseUrl: served.targetsUrl })).rejects.toThrow(
      'Refusing timestamp.json: Final timestamp.json is expired (freeze attack: the repository serves stale metadata)',
    );
  });

  test('indefinite freeze: metadata that expires while loaded is refused before a target read', async () => {
    await using f = await fixture();
    using served = serveRepo(f.repo.layout);
    let clock = new Date();
    const repository = await load(f, served, { now: () => clock });
    clock = new Date(Date.now() + 400 * 86_400_000);
    await expect(collect(repository.streamTarget('manifest.json'))).rejects.toThrow(/Refusing to read targets: root\.json expired at .* \(freeze attack/);
  });

  test('indefinite freeze: a clock set back before the latest known time', async () => {
    await using f = await fixture();
    using served = serveRepo(f.repo.layout);
    await load(f, served);
    const yesterday = new Date(Date.now() - 86_400_000);
    await expect(load(f, served, { now: () => yesterday })).rejects.toThrow('is behind the latest known time');
  });

  test('mix-and-match: a snapshot from another version under the requested name', async () => {
    await using f = await fixture();
    const older = readFileSync(metadataPath(f, `${f.repo.snapshot.signed.version}.snapshot.json`));
    await publishRelease(f.repo, '1.2.0', images);
    const current = `${f.repo.snapshot.signed.version}.snapshot.json`;
    using served = serveRepo(f.repo.layout, path => (path === `/metadata/${current}` ? new Response(older) : undefined));
    await expect(load(f, served)).rejects.toThrow(/Refusing \d+\.snapshot\.json: .*\(mix-and-match attack\)/);
  });

  test('mix-and-match: targets metadata of another version', async () => {
    await using f = await fixture();
    const older = readFileSync(metadataPath(f, `${f.repo.targets.signed.version}.targets.json`));
    await publishRelease(f.repo, '1.2.0', images);
    const current = `${f.repo.targets.signed.version}.targets.json`;
    using served = serveRepo(f.repo.layout, path => (path === `/metadata/${current}` ? new Response(older) : undefined));
    await expect(load(f, served)).rejects.toThrow(`Refusing ${current}: Expected length`);
    await expect(load(f, served)).rejects.toThrow('(mix-and-match attack)');
  });

  test('wrong signatures: a timestamp signed by a key the root does not trust', async () => {
    await using f = await fixture();
    const timestamp = readJson(metadataPath(f, 'timestamp.json'));
    const forged = encodeMetadata(signMetadata(timestamp.signed, [generateSigningKey('ed25519')]));
    using served = serveRepo(f.repo.layout, path => (path === '/metadata/timestamp.json' ? new Response(forged) : undefined));
    await expect(load(f, served)).rejects.toThrow('Refusing timestamp.json: timestamp was signed by 0/1 keys: wrong or too few signatures (arbitrary software attack)');
  });

  test('too few signatures: targets metadata with its signature removed', async () => {
    await using f = await fixture();
    const name = `${f.repo.targets.signed.version}.targets.json`;
    const unsigned = readJson(metadataPath(f, name));
    unsigned.signatures = [];
    const bytes = encodeMetadata(unsigned);
    // Re-sign snapshot and timestamp so only the missing signature is wrong.
    const snapshot = { ...f.repo.snapshot.signed, version: f.repo.snapshot.signed.version + 1, meta: { 'targets.json': { version: f.repo.targets.signed.version, length: bytes.length, hashes: { sha256: new Bun.CryptoHasher('sha256').update(bytes).digest('hex') } } } } as Signed;
    const snapshotBytes = encodeMetadata(signMetadata(snapshot, f.repo.keysFor('snapshot')));
    const timestamp = { ...f.repo.timestamp.signed, version: f.repo.timestamp.signed.version + 1, meta: { 'snapshot.json': { version: snapshot.version, length: snapshotBytes.length, hashes: { sha256: new Bun.CryptoHasher('sha256').update(snapshotBytes).digest('hex') } } } } as Signed;
    const timestampBytes = encodeMetadata(signMetadata(timestamp, f.repo.keysFor('timestamp')));
    using served = serveRepo(f.repo.layout, path =>
      path === `/metadata/${name}` ? new Response(bytes)
      : path === `/metadata/${snapshot.version}.snapshot.json` ? new Response(snapshotBytes)
      : path === '/metadata/timestamp.json' ? new Response(timestampBytes)
      : undefined);
    await expect(load(f, served)).rejects.toThrow(`Refusing ${name}: targets was signed by 0/1 keys: wrong or too few signatures (arbitrary software attack)`);
  });

  test('malicious root rotation: 2.root.json signed only by the attacker', async () => {
    await using f = await fixture();
    const attacker = generateSigningKey('ed25519');
    const root = readJson(metadataPath(f, '1.root.json'));
    const keys = { [attacker.key.keyID]: attacker.key.toJSON() };
    const roles = Object.fromEntries(['root', 'targets', 'snapshot', 'timestamp'].map(role => [role, { keyids: [attacker.key.keyID], threshold: 1 }]));
    const forged = encodeMetadata(signMetadata({ ...root.signed, version: 2, keys, roles } as Signed, [attacker]));
    using served = serveRepo(f.repo.layout, path => (path === '/metadata/2.root.json' ? new Response(forged) : undefined));
    await expect(load(f, served)).rejects.toThrow('Refusing 2.root.json: root was signed by 0/1 keys of the trusted root or of its own (malicious root rotation)');
  });

  test('malicious root rotation: a new root that skips a version (rollback of the chain)', async () => {
    await using f = await fixture();
    await f.repo.rotateRoot();
    const two = readJson(metadataPath(f, '2.root.json'));
    const forged = encodeMetadata(signMetadata({ ...two.signed, version: 5 } as Signed, f.repo.keysFor('root')));
    using served = serveRepo(f.repo.layout, path => (path === '/metadata/2.root.json' ? new Response(forged) : undefined));
    await expect(load(f, served)).rejects.toThrow('Refusing 2.root.json: Expected version 2, got 5 (rollback attack)');
  });

  test('a root above 1 MiB is refused as endless data', async () => {
    await using f = await fixture();
    using served = serveRepo(f.repo.layout, path => (path === '/metadata/2.root.json' ? new Response(new Uint8Array((1 << 20) + 10)) : undefined));
    await expect(load(f, served)).rejects.toThrow('Refusing 2.root.json: larger than its limit of 1048576 bytes (endless data attack)');
  });

  test('a server error while looking for the next root aborts loading (not taken as "no new root")', async () => {
    await using f = await fixture();
    using served = serveRepo(f.repo.layout, path => (path === '/metadata/2.root.json' ? new Response('', { status: 500 }) : undefined));
    await expect(load(f, served)).rejects.toThrow('HTTP 500');
  });
});
