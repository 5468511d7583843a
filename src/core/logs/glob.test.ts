import { describe, expect, test } from 'bun:test';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundleIo } from '../../platform/bundle-io';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { compileGlob, expandGlob } from './glob';

const io = makeBundleIo();

/** logs.md 10.4's tree: three files at depth 0, again in depth1/ and in depth1/depth2/. */
function sourceTree(dir: string) {
  for (const sub of ['', 'depth1', 'depth1/depth2']) {
    mkdirSync(join(dir, sub), { recursive: true });
    for (const [name, content] of [['foo.source', '1'], ['bar.source', '2'], ['for-bar.log', '3']]) writeFileSync(join(dir, sub, name!), content!);
  }
}

const members = async (root: string, pattern: string) => (await expandGlob(io, root, pattern)).files.map(file => file.member).sort();

describe("logdog's glob test vectors", () => {
  test('one named file', async () => {
    await using dir = makeTempDir();
    sourceTree(dir.root);
    expect(await members(dir.root, '/foo.source')).toEqual(['foo.source']);
  });

  test('*.source takes the two top-level .source files', async () => {
    await using dir = makeTempDir();
    sourceTree(dir.root);
    expect(await members(dir.root, '/*.source')).toEqual(['bar.source', 'foo.source']);
  });

  test('**/*.source takes the .source files at all three depths', async () => {
    await using dir = makeTempDir();
    sourceTree(dir.root);
    expect(await members(dir.root, '/**/*.source')).toEqual([
      'bar.source', 'depth1/bar.source', 'depth1/depth2/bar.source', 'depth1/depth2/foo.source', 'depth1/foo.source', 'foo.source',
    ]);
  });

  test('**/ walks every directory, so every file under depth1 is taken', async () => {
    await using dir = makeTempDir();
    sourceTree(dir.root);
    const found = await members(dir.root, '/**/');
    for (const sub of ['depth1', 'depth1/depth2']) for (const name of ['foo.source', 'bar.source', 'for-bar.log']) expect(found).toContain(`${sub}/${name}`);
  });

  test('absolute patterns on the real root keep the full path below the top directory', async () => {
    await using dir = makeTempDir();
    sourceTree(dir.root);
    expect(await members('/', `${dir.root}/depth1/*.log`)).toEqual([`${dir.root.slice(1)}/depth1/for-bar.log`]);
  });

  test('no match is not an error', async () => {
    await using dir = makeTempDir();
    expect(await expandGlob(io, dir.root, '/var/log/kdump/*')).toEqual({ files: [], skipped: [], invalidNames: [] });
  });
});

describe('patterns', () => {
  test.each([
    ['/var/log/*.log', 'app.log', true],
    ['/var/log/*.log', '.hidden.log', true],
    ['/var/log/a?c', 'abc', true],
    ['/var/log/a?c', 'ac', false],
    ['/var/log/[ab]x', 'bx', true],
    ['/var/log/[!ab]x', 'bx', false],
    ['/var/log/[!ab]x', 'cx', true],
    ['/var/log/a.b', 'axb', false],
  ])('%p on %p: %p', (pattern, name, matches) => {
    const last = compileGlob(pattern).segments.at(-1)!;
    const hit = last.kind === 'wild' ? last.regex.test(name) : last.kind === 'literal' && last.name === name;
    expect(hit).toBe(matches);
  });

  test.each([
    ['/var/log/a**', 'recursive wildcards must form a single path component'],
    ['/var/log/[ab', 'invalid range pattern'],
    ['/var/../etc/*', "'..' is not allowed"],
  ])('%p is refused', (pattern, reason) => {
    expect(() => compileGlob(pattern)).toThrow(`Invalid glob pattern '${pattern}': ${reason}`);
  });
});

describe('links', () => {
  test('a link to a file inside the directory is taken; one pointing outside is skipped and reported', async () => {
    await using dir = makeTempDir();
    await using outside = makeTempDir();
    mkdirSync(join(dir.root, 'var/log/app'), { recursive: true });
    writeFileSync(join(dir.root, 'var/log/app/real.log'), 'x');
    writeFileSync(join(outside.root, 'secret'), 'secret');
    symlinkSync('real.log', join(dir.root, 'var/log/app/current.log'));
    symlinkSync(join(outside.root, 'secret'), join(dir.root, 'var/log/app/leak.log'));
    const result = await expandGlob(io, dir.root, '/var/log/*');
    expect(result.files.map(file => file.member)).toEqual(['var/log/app/current.log', 'var/log/app/real.log']);
    expect(result.skipped).toEqual([`/var/log/app/leak.log -> ${outside.root}/secret`]);
  });

  test("a pattern whose fixed directory is a link out of the root matches nothing", async () => {
    await using dir = makeTempDir();
    await using outside = makeTempDir();
    writeFileSync(join(outside.root, 'secret.log'), 'secret');
    mkdirSync(join(dir.root, 'var'));
    symlinkSync(outside.root, join(dir.root, 'var/log'));
    const result = await expandGlob(io, dir.root, '/var/log/*');
    expect(result.files).toEqual([]);
    expect(result.skipped).toEqual([`/var/log -> ${outside.root}`]);
  });
});
