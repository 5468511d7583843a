import { describe, expect, test } from 'bun:test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { makeTufRepo, publishRelease, serveRepo, trustingHost } from '../../../test/helpers/tuf-repo';
import { writeImage } from './image-stream';
import { UpdateRepository } from './repository';

const MiB = 1 << 20;
const root = new Uint8Array(3 * MiB + 123).map((_, i) => (i * 7) & 0xff ^ (i >> 14));
const images = { boot: new Uint8Array(300_000).fill(0x42), root, hash: new Uint8Array(5000).fill(0x17) };

async function setup() {
  const dir = makeTempDir('brkt-image-');
  const repo = await makeTufRepo(dir.path('repo'));
  const names = await publishRelease(repo, '1.1.0', images);
  const served = serveRepo(repo.layout);
  const platform = await trustingHost(dir.path('host'), await repo.initialRoot());
  const repository = await UpdateRepository.load(platform, { metadataBaseUrl: served.metadataUrl, targetsBaseUrl: served.targetsUrl });
  // A disk image file: the "partition" is a range of it, filled with a pattern to detect writes.
  const disk = dir.path('host/dev/disk.img');
  mkdirSync(dir.path('host/dev'), { recursive: true });
  writeFileSync(disk, new Uint8Array(8 * MiB).fill(0xee));
  return {
    dir, repo, names, repository, platform, disk,
    async [Symbol.asyncDispose]() {
      served[Symbol.dispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
}

describe('writeImage', () => {
  test('decodes the verified image into its range of the disk and leaves the rest alone', async () => {
    await using s = await setup();
    const device = await s.platform.files.open(s.disk, 'r+');
    const progress: number[] = [];
    const result = await writeImage(s.repository, s.names.root, device, { offset: MiB, maxBytes: 4 * MiB, partition: 'B root', onProgress: p => progress.push(p.written) });
    await device.close();
    expect(result.written).toBe(root.length);
    expect(result.read).toBe(s.repository.target(s.names.root)!.length);
    expect(progress.at(-1)).toBe(root.length);
    const disk = readFileSync(s.disk);
    expect(disk.subarray(MiB, MiB + root.length).equals(Buffer.from(root))).toBe(true);
    expect(disk.subarray(0, MiB).every(b => b === 0xee)).toBe(true);
    expect(disk.subarray(MiB + root.length).every(b => b === 0xee)).toBe(true);
  });

  test('a partition too small for the image fails before any byte is written', async () => {
    await using s = await setup();
    const device = await s.platform.files.open(s.disk, 'r+');
    await expect(writeImage(s.repository, s.names.root, device, { offset: 0, maxBytes: 2 * MiB, partition: 'B root' })).rejects.toThrow(
      `Image ${s.names.root} (${root.length} bytes decoded) does not fit partition B root (${2 * MiB} bytes)`,
    );
    await device.close();
    expect(readFileSync(s.disk).every(b => b === 0xee)).toBe(true);
  });

  test('a tampered image is an error naming it (after partial writes the caller has made unbootable)', async () => {
    await using s = await setup();
    const entry = s.repo.targets.signed.targets[s.names.boot]!;
    const path = join(s.repo.layout.targetsDir, `${entry.hashes.sha256}.${s.names.boot}`);
    const bytes = readFileSync(path);
    bytes[bytes.length - 10]! ^= 1;
    writeFileSync(path, bytes);
    const device = await s.platform.files.open(s.disk, 'r+');
    try {
      await expect(writeImage(s.repository, s.names.boot, device, { offset: 0, maxBytes: MiB, partition: 'B boot' })).rejects.toThrow(
        new RegExp(`^Refusing target ${s.names.boot}: SHA-256 [0-9a-f]+ differs from [0-9a-f]+ in the signed targets metadata \\(tampered target\\)$`),
      );
    } finally {
      await device.close();
    }
  });

  test('an image that is not in the targets metadata', async () => {
    await using s = await setup();
    const device = await s.platform.files.open(s.disk, 'r+');
    try {
      await expect(writeImage(s.repository, 'other-root.ext4.lz4', device, { offset: 0, maxBytes: MiB, partition: 'B root' })).rejects.toThrow('is not listed');
    } finally {
      await device.close();
    }
  });
});
