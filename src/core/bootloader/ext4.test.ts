// The ext4 reader against images mke2fs -d builds: extents, inline data off and on, a
// multi-block directory, symlinks (relative, absolute, through directories), holes, and foreign bytes.
import { describe, expect } from 'bun:test';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withTool } from '../../../test/helpers/tools';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { Ext4Reader, ext4OsRelease } from './ext4';

const readerOf = (image: string) => {
  const bytes = new Uint8Array(readFileSync(image));
  return (position: number, length: number) => Promise.resolve(bytes.slice(position, position + length));
};

function makeImage(dir: string, options: string[] = []): string {
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'usr/lib'), { recursive: true });
  mkdirSync(join(tree, 'etc'), { recursive: true });
  mkdirSync(join(tree, 'many'), { recursive: true });
  writeFileSync(join(tree, 'usr/lib/os-release'), 'NAME=Bottlerocket\nVERSION_ID=1.2.3\nVARIANT_ID=aws-dev\n');
  symlinkSync('../usr/lib/os-release', join(tree, 'etc/os-release'));
  symlinkSync('/usr/lib', join(tree, 'lib'));
  for (let i = 0; i < 300; i++) writeFileSync(join(tree, 'many', `file-with-a-long-name-${i}`), `content ${i}\n`);
  const big = new Uint8Array(3 * 1024 * 1024 + 123);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
  big.fill(0, 1 << 20, 2 << 20); // a hole mke2fs leaves unallocated
  writeFileSync(join(tree, 'big.bin'), big);
  const image = join(dir, 'root.ext4');
  const result = Bun.spawnSync(['mke2fs', '-q', '-F', ...(options.includes('-t') ? [] : ['-t', 'ext4']), ...options, '-d', tree, image, '32M']);
  if (result.exitCode !== 0) throw new Error(result.stderr.toString());
  return image;
}

const test = withTool('mke2fs');

describe('ext4 reader', () => {
  test('reads files by path through symlinks and a directory of several blocks, as mke2fs wrote them', async () => {
    await using dir = makeTempDir();
    const image = makeImage(dir.root, ['-O', '^has_journal']);
    const reader = (await Ext4Reader.open(readerOf(image)))!;
    const text = (bytes: Uint8Array | undefined) => bytes && new TextDecoder().decode(bytes);
    expect(text(await reader.readFile('/etc/os-release'))).toBe('NAME=Bottlerocket\nVERSION_ID=1.2.3\nVARIANT_ID=aws-dev\n');
    expect(text(await reader.readFile('/lib/os-release'))).toContain('VERSION_ID=1.2.3');
    expect(text(await reader.readFile('/etc/../lib/./os-release'))).toContain('VARIANT_ID=aws-dev');
    for (const i of [0, 150, 299]) expect(text(await reader.readFile(`/many/file-with-a-long-name-${i}`))).toBe(`content ${i}\n`);
    expect(await reader.readFile('/many/file-with-a-long-name-300')).toBeUndefined();
    expect(await reader.readFile('/usr/lib/missing')).toBeUndefined();
    expect(await reader.readFile('/usr/lib')).toBeUndefined();
    expect(Buffer.from((await reader.readFile('/big.bin'))!).equals(readFileSync(join(dir.root, 'tree/big.bin')))).toBe(true);
    expect(await ext4OsRelease(readerOf(image))).toContain('VERSION_ID=1.2.3');
  });

  test('reads a journalled 1 KiB-block image with inline data, and an ext2 block-mapped one', async () => {
    for (const options of [['-b', '1024', '-O', 'inline_data'], ['-t', 'ext2']]) {
      await using dir = makeTempDir();
      const image = makeImage(dir.root, options);
      expect(await ext4OsRelease(readerOf(image))).toBe('NAME=Bottlerocket\nVERSION_ID=1.2.3\nVARIANT_ID=aws-dev\n');
      const reader = (await Ext4Reader.open(readerOf(image)))!;
      expect(Buffer.from((await reader.readFile('/big.bin'))!).equals(readFileSync(join(dir.root, 'tree/big.bin')))).toBe(true);
    }
  });

  test('bytes that are not an ext4 file system hold no release', async () => {
    const zeros = (position: number, length: number) => Promise.resolve(new Uint8Array(length));
    expect(await ext4OsRelease(zeros)).toBeUndefined();
    const noise = (position: number, length: number) => Promise.resolve(Uint8Array.from({ length }, (_, i) => ((position + i) * 2654435761) >>> 24));
    expect(await ext4OsRelease(noise)).toBeUndefined();
  });
});
