// Confinement through links: links planted inside a root never let a read or a write reach a
// file outside it, while links that stay inside (the datastore's version chain) keep working.
import { describe, expect, test } from 'bun:test';
import { closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { makeTempDir } from '../../test/helpers/sandbox';
import { makePlatform } from '.';
import { Confinement } from './confined';

/** A root and, beside it, a directory that must stay untouched: `outside/secret` holds a secret. */
function rootAndOutside() {
  const dir = makeTempDir();
  mkdirSync(dir.path('root/etc'), { recursive: true });
  mkdirSync(dir.path('outside'));
  writeFileSync(dir.path('outside/secret'), 'secret');
  const platform = makePlatform({ root: dir.path('root'), env: {} });
  const outside = () => readdirSync(dir.path('outside')).sort();
  return Object.assign(dir, { platform, files: platform.files, root: dir.path('root'), outside });
}

describe('a directory link out of the root', () => {
  test.each(['etc', 'var', 'var/lib'])('at %p: no read, write, append, list or lock reaches outside', async level => {
    await using t = rootAndOutside();
    mkdirSync(t.path(`root/${level}`), { recursive: true });
    const linked = t.path(`root/${level}`);
    rmSync(linked, { recursive: true });
    symlinkSync(t.path('outside'), linked);
    const inside = `${linked}/secret`;
    await expect(t.files.readText(inside)).rejects.toThrow('outside the root');
    await expect(t.files.writeAtomic(`${linked}/motd`, 'x')).rejects.toThrow('outside the root');
    await expect(t.files.append(`${linked}/log`, 'x')).rejects.toThrow('outside the root');
    await expect(t.files.mkdirp(`${linked}/sub`)).rejects.toThrow('outside the root');
    await expect(t.files.list(linked)).rejects.toThrow('outside the root');
    await expect(t.files.remove(inside)).rejects.toThrow('outside the root');
    await expect(t.platform.writeFilesAtomic([{ path: `${linked}/a`, data: 'x' }])).rejects.toThrow('outside the root');
    await expect(t.platform.lockFile(`${linked}/lock`, 'exclusive')).rejects.toThrow('outside the root');
    expect(t.outside()).toEqual(['secret']);
    expect(readFileSync(t.path('outside/secret'), 'utf8')).toBe('secret');
  });

  test('a link that climbs out with .. is refused the same way', async () => {
    await using t = rootAndOutside();
    symlinkSync('../../outside', t.path('root/etc/up'));
    await expect(t.files.writeAtomic(t.path('root/etc/up/motd'), 'x')).rejects.toThrow('outside the root');
    await expect(t.files.readText(t.path('root/etc/up/secret'))).rejects.toThrow('outside the root');
    expect(t.outside()).toEqual(['secret']);
  });
});

describe('a file link out of the root', () => {
  test('is not read nor appended to; an atomic write replaces the link itself', async () => {
    await using t = rootAndOutside();
    symlinkSync(t.path('outside/secret'), t.path('root/etc/motd'));
    await expect(t.files.readText(t.path('root/etc/motd'))).rejects.toThrow('outside the root');
    await expect(t.files.append(t.path('root/etc/motd'), 'more')).rejects.toThrow('outside the root');
    await expect(t.files.open(t.path('root/etc/motd'), 'r+')).rejects.toThrow('outside the root');
    await t.files.writeAtomic(t.path('root/etc/motd'), 'hello');
    expect(lstatSync(t.path('root/etc/motd')).isFile()).toBe(true);
    expect(readFileSync(t.path('root/etc/motd'), 'utf8')).toBe('hello');
    expect(readFileSync(t.path('outside/secret'), 'utf8')).toBe('secret');
  });

  test('a dangling one is not created through', async () => {
    await using t = rootAndOutside();
    mkdirSync(t.path('root/var/log/brkt'), { recursive: true });
    symlinkSync(t.path('outside/new.log'), t.path('root/var/log/brkt/restarts.log'));
    await expect(t.platform.runRestartCommand('chronyd', ['true'], ['settings.ntp'])).rejects.toThrow('outside the root');
    await expect(t.platform.lockFile(t.path('root/var/log/brkt/restarts.log'), 'shared')).rejects.toThrow('outside the root');
    expect(t.outside()).toEqual(['secret']);
  });
});

describe('links that stay inside the root', () => {
  test('are followed, relative or absolute', async () => {
    await using t = rootAndOutside();
    mkdirSync(t.path('root/real/etc'), { recursive: true });
    symlinkSync('real/etc', t.path('root/rel'));
    symlinkSync(t.path('root/real/etc'), t.path('root/abs'));
    symlinkSync('../real/etc/../etc/motd', t.path('root/etc/motd'));
    await t.files.writeAtomic(t.path('root/rel/motd'), 'one');
    expect(await t.files.readText(t.path('root/abs/motd'))).toBe('one');
    expect(await t.files.readText(t.path('root/etc/motd'))).toBe('one');
    await t.files.append(t.path('root/etc/motd'), '+two');
    await t.platform.writeFilesAtomic([{ path: t.path('root/abs/other'), data: 'three' }]);
    expect(readdirSync(t.path('root/real/etc')).sort()).toEqual(['motd', 'other']);
    expect(readFileSync(t.path('root/real/etc/motd'), 'utf8')).toBe('one+two');
    expect(await t.files.list(t.path('root/rel'))).toEqual(['motd', 'other']);
  });

  test('an absolute link is read as a host path: one into another directory is outside', async () => {
    await using t = rootAndOutside();
    symlinkSync('/etc', t.path('root/hostetc'));
    await expect(t.files.readText(t.path('root/hostetc/hostname'))).rejects.toThrow('outside the root');
  });
});

describe('links swapped in after the check', () => {
  test('a directory renamed away and replaced by a link: the write lands in the directory that was checked', async () => {
    await using t = rootAndOutside();
    const confinement = new Confinement(t.root);
    const located = confinement.locate(t.path('root/etc/motd'), { create: true });
    try {
      renameSync(t.path('root/etc'), t.path('root/etc-old'));
      symlinkSync(t.path('outside'), t.path('root/etc'));
      writeFileSync(located.path, 'x');
    } finally {
      located.close();
    }
    expect(readFileSync(t.path('root/etc-old/motd'), 'utf8')).toBe('x');
    expect(t.outside()).toEqual(['secret']);
  });

  test('a file replaced by a link after the walk is not opened', async () => {
    await using t = rootAndOutside();
    writeFileSync(t.path('root/etc/motd'), 'mine');
    const located = new Confinement(t.root).locate(t.path('root/etc/motd'), { followLast: true });
    try {
      renameSync(t.path('root/etc/motd'), t.path('root/etc/motd.old'));
      symlinkSync(t.path('outside/secret'), t.path('root/etc/motd'));
      expect(() => closeSync(openSync(located.path, constants.O_RDONLY | located.noFollow))).toThrow('ELOOP');
    } finally {
      located.close();
    }
  });

  test('a recursive removal does not follow a link inside the tree', async () => {
    await using t = rootAndOutside();
    mkdirSync(t.path('root/tree/sub'), { recursive: true });
    symlinkSync(t.path('outside'), t.path('root/tree/sub/link'));
    await t.files.remove(t.path('root/tree'), { recursive: true });
    expect(existsSync(t.path('root/tree'))).toBe(false);
    expect(t.outside()).toEqual(['secret']);
  });
});
