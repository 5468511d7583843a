// The test vectors of datastore.md section 11, on a real directory tree.
import { describe, expect, test } from 'bun:test';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { makePlatform } from '../../platform';
import { decodeSegment, encodeSegment } from './encoding';
import { keyFromSegments, parseKey, startsWithSegments, stripPrefix } from './key';
import { assemble, flatten } from './pairs';
import { Datastore } from './store';
import { ensureVersionedDatastore } from './versioned';
import { parseJson } from './json-text';
import type { HostFiles } from '../../platform/types';

async function tempStore() {
  const dir = makeTempDir();
  const platform = makePlatform({ root: dir.root, env: {} });
  const store = new Datastore(platform.files, dir.path('base'));
  await platform.files.mkdirp(store.livePath);
  return Object.assign(dir, { store, files: platform.files });
}

describe('datastore.md 11', () => {
  test('1-2: data and metadata paths', () => {
    const store = new Datastore(makePlatform({ root: '/', env: {} }).files, '/base');
    const key = parseKey('a.b.c');
    expect(store.dataPath(key, 'test transaction')).toBe('/base/pending/test%20transaction/a/b/c');
    expect(store.dataPath(key)).toBe('/base/live/a/b/c');
    expect(store.metadataPath(key, 'my-metadata')).toBe('/base/live/a/b/c.my-metadata');
  });

  test('3: segment encoding', () => {
    expect(encodeSegment('a-b_42')).toBe('a-b_42');
    expect(encodeSegment('a.b')).toBe('a%2Eb');
    expect(encodeSegment('a/b')).toBe('a%2Fb');
    expect(encodeSegment('a b%c<d>e')).toBe('a%20b%25c%3Cd%3Ee');
    for (const raw of ['a-b_42', 'a.b', 'a/b', 'a b%c<d>e', 'ünï']) expect(decodeSegment(encodeSegment(raw))).toBe(raw);
    expect(() => decodeSegment('%C3%28')).toThrow('does not decode to UTF-8');
  });

  test('4: quoted segments', () => {
    expect(parseKey('a."b.c".d')).toEqual({ name: 'a."b.c".d', segments: ['a', 'b.c', 'd'] });
    expect(keyFromSegments(['a', 'b.c', 'd']).name).toBe('a."b.c".d');
    expect(keyFromSegments(['a', 'b', 'c']).name).toBe('a.b.c');
  });

  test.each([
    ['a.', 'ends with separator'],
    ['!', "invalid character in key: '!'"],
    ['$', 'invalid character'],
    ['&', 'invalid character'],
    [';', 'invalid character'],
    ['|', 'invalid character'],
    ['\\', 'invalid character'],
    ['a..b', 'empty key segment'],
    ['a."b', 'unbalanced quotes'],
    ['""', 'ends with separator'],
    ['a'.repeat(256), 'beyond maximum length'],
  ])('5: %p is not a key (%s)', (name, reason) => {
    expect(() => parseKey(name)).toThrow(reason);
  });

  test('5: limits and meta keys', () => {
    expect(parseKey('a'.repeat(255)).segments).toEqual(['a'.repeat(255)]);
    expect(() => parseKey('a.b.c', 'meta')).toThrow('meta keys may only have one segment');
    expect(parseKey('"b.c"', 'meta').segments).toEqual(['b.c']);
  });

  test('6-7: stripPrefix and startsWithSegments', () => {
    expect(stripPrefix(parseKey('a.b.c.d'), 'a.b').name).toBe('c.d');
    expect(stripPrefix(parseKey('a.b.c.d'), 'x.y').name).toBe('a.b.c.d');
    expect(stripPrefix(parseKey('a."b.c".d'), 'a.b').name).toBe('a."b.c".d');
    expect(stripPrefix(parseKey('a."b.c".d'), 'a."b.c"').name).toBe('d');
    expect(() => stripPrefix(parseKey('a.b.c.d'), 'a.b.c.d')).toThrow();
    expect(startsWithSegments(parseKey('a.b'), ['a'])).toBe(true);
    expect(startsWithSegments(parseKey('a.b'), ['"a.b"'])).toBe(false);
    expect(startsWithSegments(parseKey('a.b'), ['a.'])).toBe(false);
  });

  test('8: flatten', () => {
    const { value, floats } = parseJson('{"bool":true,"number":42,"string":"foo","array":["foo",true,null,42],"object":{"number":4.2},"null":null}');
    const pairs = flatten(value, ['object'], floats).map(p => [p.key.name, p.text]);
    expect(pairs).toEqual([
      ['object.bool', 'true'],
      ['object.number', '42'],
      ['object.string', '"foo"'],
      ['object.array', '["foo",true,null,42]'],
      ['object.object.number', '4.2'],
    ]);
    expect(() => flatten(42)).toThrow();
    expect(flatten(null, ['x'])).toEqual([]);
    // Number fidelity (5.1): an integral float keeps its fraction.
    const one = parseJson('{"n":1.0}');
    expect(flatten(one.value, ['x'], one.floats)[0]!.text).toBe('1.0');
  });

  test('9: a map key with a dot round-trips through a file', async () => {
    await using t = await tempStore();
    const pairs = flatten({ kubernetes: { 'node-labels': { 'a.b/c': 'v' } } }, ['settings']);
    expect(pairs.map(p => p.key.name)).toEqual(['settings.kubernetes.node-labels."a.b/c"']);
    await t.store.setKey(pairs[0]!.key, pairs[0]!.text);
    expect(readFileSync(`${t.store.livePath}/settings/kubernetes/node-labels/a%2Eb%2Fc`, 'utf8')).toBe('"v"');
    const listed = await t.store.getPrefix('settings.');
    expect(listed.map(v => v.key.name)).toEqual(['settings.kubernetes.node-labels."a.b/c"']);
    expect(assemble(listed.map(v => ({ segments: v.key.segments, text: v.text })), 1).value).toEqual({ kubernetes: { 'node-labels': { 'a.b/c': 'v' } } });
  });

  test('10-11: metadata inheritance and listing', async () => {
    await using t = await tempStore();
    await t.store.setMetadata(parseKey('a'), 'mymeta', '"value"');
    expect(await t.store.getMetadata(parseKey('a.b.c'), 'mymeta')).toBe('"value"');
    expect(await t.store.getMetadataRaw(parseKey('a.b.c'), 'mymeta')).toBeUndefined();
    await t.store.setMetadata(parseKey('x.1'), 'metatest1', '41');
    await t.store.setMetadata(parseKey('x.2'), 'metatest2', '42');
    await t.store.setMetadata(parseKey('y.3'), 'metatest3', '43');
    const { metadata } = await t.store.loadLive();
    const list = (prefix: string, name?: string) =>
      Object.fromEntries([...metadata].filter(([k]) => k.startsWith(prefix)).map(([k, m]) => [k, [...m.keys()].filter(n => !name || n === name)] as const).filter(([, m]) => m.length));
    expect(list('x.')).toEqual({ 'x.1': ['metatest1'], 'x.2': ['metatest2'] });
    expect(list('x.', 'metatest2')).toEqual({ 'x.2': ['metatest2'] });
  });

  test('12: getPrefix of a transaction', async () => {
    await using t = await tempStore();
    for (const name of ['x.1', 'x.2', 'y.3']) await t.store.setKey(parseKey(name), '1', 'tx');
    expect((await t.store.getPrefix('x.', 'tx')).map(v => v.key.name).sort()).toEqual(['x.1', 'x.2']);
    expect(await t.store.getPrefix('x.', 'missing')).toEqual([]);
  });

  test('13: commit', async () => {
    await using t = await tempStore();
    await t.store.setKey(parseKey('settings.motd'), '"json string"', 't');
    expect((await t.store.commitTransaction('t')).map(v => v.key.name)).toEqual(['settings.motd']);
    expect(readFileSync(`${t.store.livePath}/settings/motd`, 'utf8')).toBe('"json string"');
    expect(existsSync(`${t.store.pendingPath}/t`)).toBe(false);
    expect(await t.store.commitTransaction('t')).toEqual([]);
    await t.store.setKey(parseKey('services.x'), '1', 'only-services');
    expect(await t.store.commitTransaction('only-services')).toEqual([]);
  });

  test('14: unsetKey prunes empty directories, never live/', async () => {
    await using t = await tempStore();
    await t.store.setKey(parseKey('settings.a.b'), '1');
    await t.store.unsetKey(parseKey('settings.a.b'));
    expect(readdirSync(t.store.livePath)).toEqual([]);
    await t.store.setKey(parseKey('settings.a.b'), '1');
    await t.store.setKey(parseKey('settings.motd'), '"m"');
    await t.store.unsetKey(parseKey('settings.a.b'));
    expect(readdirSync(`${t.store.livePath}/settings`)).toEqual(['motd']);
  });

  test('15: the versioned directory chain', async () => {
    await using dir = makeTempDir();
    const files = makePlatform({ root: dir.root, env: {} }).files;
    const base = dir.path('datastore');
    await files.mkdirp(base);
    const first = await ensureVersionedDatastore(files, base, '1.5.2');
    expect(first.created).toBe(true);
    expect(first.directory).toMatch(/^v1\.5\.2_[A-Za-z0-9]{16}$/);
    const links = Object.fromEntries(['current', 'v1', 'v1.5', 'v1.5.2'].map(name => [name, readlinkSync(`${base}/${name}`)]));
    expect(links).toEqual({ current: 'v1', v1: 'v1.5', 'v1.5': 'v1.5.2', 'v1.5.2': first.directory! });
    expect(lstatSync(`${base}/${first.directory}`).isDirectory()).toBe(true);
    const before = readdirSync(base).sort();
    expect((await ensureVersionedDatastore(files, base, '1.5.2')).created).toBe(false);
    expect(readdirSync(base).sort()).toEqual(before);
  });
});

describe('crash recovery', () => {
  test('a multi-key commit interrupted after its marker is rolled forward', async () => {
    await using t = await tempStore();
    await t.store.setKey(parseKey('settings.a'), '1');
    await t.store.setKey(parseKey('settings.a'), '2', 'tx');
    await t.store.setKey(parseKey('settings.b'), '3', 'tx');
    // The state a crash leaves right after the marker was written and one value copied.
    await t.files.writeAtomic(`${t.store.path}/commit-in-progress`, JSON.stringify({ txs: ['tx'], values: [['settings.a', '2'], ['settings.b', '3']] }));
    await t.store.setKey(parseKey('settings.a'), '2');
    await Bun.write(`${t.store.livePath}/settings/.b.1.x.tmp`, '');
    expect(await t.store.recover()).toEqual([
      "finished the interrupted commit of transaction 'tx' (2 keys)",
      'removed 1 temp files of interrupted writes',
    ]);
    const live = await t.store.loadLive();
    expect([...live.data.values()].map(v => [v.key.name, v.text])).toEqual([['settings.a', '2'], ['settings.b', '3']]);
    expect(await t.store.listTransactions()).toEqual([]);
    expect(existsSync(`${t.store.path}/commit-in-progress`)).toBe(false);
  });
});

describe('the commit marker', () => {
  /** The real files, with every unlink and directory fsync recorded in order. */
  function recording(files: HostFiles, calls: string[]): HostFiles {
    return new Proxy(files, {
      get(target, name) {
        const method = Reflect.get(target, name) as (...args: unknown[]) => unknown;
        if (name === 'remove' || name === 'fsyncDir') return (path: string, ...rest: unknown[]) => (calls.push(`${name} ${path}`), method.call(target, path, ...rest));
        return typeof method === 'function' ? method.bind(target) : method;
      },
    });
  }

  /** The calls after the marker's unlink, up to the next unlink: its durability is what follows. */
  const afterMarkerRemoval = (calls: string[], path: string) => {
    const at = calls.indexOf(`remove ${path}/commit-in-progress`);
    expect(at).toBeGreaterThanOrEqual(0);
    return calls.slice(at + 1).filter(call => call.startsWith('fsyncDir'));
  };

  test('its removal after a commit is made durable by an fsync of the datastore directory', async () => {
    await using t = await tempStore();
    const calls: string[] = [];
    const store = new Datastore(recording(t.files, calls), t.store.path);
    await store.setKey(parseKey('settings.a'), '1', 'tx');
    await store.setKey(parseKey('settings.b'), '2', 'tx');
    await store.commitTransaction('tx');
    expect(afterMarkerRemoval(calls, store.path)).toEqual([`fsyncDir ${store.path}`]);
  });

  test('its removal by recovery is made durable too', async () => {
    await using t = await tempStore();
    const calls: string[] = [];
    const store = new Datastore(recording(t.files, calls), t.store.path);
    await t.files.writeAtomic(`${store.path}/commit-in-progress`, JSON.stringify({ txs: ['tx'], values: [['settings.a', '2']] }));
    await store.recover();
    expect(afterMarkerRemoval(calls, store.path)).toEqual([`fsyncDir ${store.path}`]);
  });
});

describe('a large commit', () => {
  test('is written unsynced and made durable by one filesystem sync, before the marker goes', async () => {
    await using t = await tempStore();
    const platform = makePlatform({ root: t.root, env: {} });
    const events: string[] = [];
    const writer = async (writes: Array<{ path: string; data: Uint8Array | string }>, options?: { sync?: boolean }) => {
      events.push(`write ${writes.length} sync=${options?.sync ?? true}`);
      await platform.writeFilesAtomic(writes, options);
    };
    const syncFilesystem = async (path: string) => {
      // What the sync makes durable is already in place, and the redo log still stands.
      expect(existsSync(`${t.store.path}/commit-in-progress`)).toBe(true);
      events.push(`syncfs ${path}`);
    };
    const store = new Datastore(platform.files, t.store.path, writer, { syncFilesystem });
    const values = Array.from({ length: 40 }, (_, i) => ({ key: parseKey(`settings.group.key-${i}`), text: `"${i}"` }));
    await store.setKeys(values, 'tx');
    events.length = 0;
    await store.commitTransaction('tx');
    expect(events).toEqual(['write 1 sync=true', 'write 40 sync=false', `syncfs ${t.store.path}`]);
    expect(existsSync(`${t.store.path}/commit-in-progress`)).toBe(false);
    expect((await store.loadLive()).data.size).toBe(40);
  });

  test('below the threshold each file is fsynced as before, and no filesystem sync runs', async () => {
    await using t = await tempStore();
    const platform = makePlatform({ root: t.root, env: {} });
    let synced = 0;
    const store = new Datastore(platform.files, t.store.path, platform.writeFilesAtomic, { syncFilesystem: async () => void synced++ });
    await store.setKeys([{ key: parseKey('settings.a'), text: '1' }, { key: parseKey('settings.b'), text: '2' }], 'tx');
    await store.commitTransaction('tx');
    expect(synced).toBe(0);
  });
});

describe('reading a tree', () => {
  test('links below live/ are skipped, never followed, and files come in name order', async () => {
    await using t = await tempStore();
    mkdirSync(t.path('elsewhere/settings'), { recursive: true });
    writeFileSync(t.path('elsewhere/settings/secret'), '"outside"');
    await t.store.setKey(parseKey('settings.b'), '"b"');
    await t.store.setKey(parseKey('settings.a'), '"a"');
    symlinkSync(t.path('elsewhere/settings'), `${t.store.livePath}/settings/linked-dir`);
    symlinkSync(t.path('elsewhere/settings/secret'), `${t.store.livePath}/settings/linked-file`);
    const live = await t.store.loadLive();
    expect([...live.data.keys()]).toEqual(['settings.a', 'settings.b']);
  });
});

describe('links planted in the datastore', () => {
  /** A datastore as the API server opens it (batch writer), and an outside directory beside the root. */
  async function storeWithOutside() {
    const dir = makeTempDir();
    mkdirSync(dir.path('outside'));
    const platform = makePlatform({ root: dir.path('root'), env: {} });
    const store = new Datastore(platform.files, dir.path('root/datastore'), platform.writeFilesAtomic, { soleWriter: true });
    await platform.files.mkdirp(store.livePath);
    return Object.assign(dir, { store, outside: () => readdirSync(dir.path('outside')) });
  }

  test('pending/<tx> a link out of the root: PATCH and commit write nothing there', async () => {
    await using t = await storeWithOutside();
    mkdirSync(t.store.pendingPath);
    symlinkSync(t.path('outside'), `${t.store.pendingPath}/${encodeSegment('tx')}`);
    await expect(t.store.setKey(parseKey('settings.motd'), '"x"', 'tx')).rejects.toThrow('outside the root');
    await expect(t.store.commitTransaction('tx')).rejects.toThrow('outside the root');
    expect(t.outside()).toEqual([]);
  });

  test.each(['live', 'live/settings'])('%s a link out of the root: a commit writes nothing there', async level => {
    await using t = await storeWithOutside();
    await t.store.setKey(parseKey('settings.motd'), '"x"', 'tx');
    await t.store.setKey(parseKey('settings.ntp.time-servers'), '["a"]', 'tx');
    rmSync(`${t.store.path}/${level}`, { recursive: true, force: true });
    symlinkSync(t.path('outside'), `${t.store.path}/${level}`);
    await expect(t.store.commitTransaction('tx')).rejects.toThrow('outside the root');
    await expect(t.store.setMetadata(parseKey('settings.motd'), 'affected-services', '["motd"]')).rejects.toThrow('outside the root');
    expect(t.outside()).toEqual([]);
  });

  test('a link deep in a large batch, beside directories the batch enters: nothing is written there', async () => {
    await using t = await storeWithOutside();
    const values = Array.from({ length: 40 }, (_, i) => ({ key: parseKey(`settings.host-containers.c${i}.source`), text: `"s${i}"` }));
    await t.store.setKeys(values, 'tx');
    mkdirSync(`${t.store.livePath}/settings/host-containers/c0`, { recursive: true });
    symlinkSync(t.path('outside'), `${t.store.livePath}/settings/host-containers/c7`);
    await expect(t.store.commitTransaction('tx')).rejects.toThrow('outside the root');
    expect(t.outside()).toEqual([]);
  });

  test('the commit marker a link out of the root: it is neither written through nor read', async () => {
    await using t = await storeWithOutside();
    writeFileSync(t.path('outside/intent'), JSON.stringify({ txs: [], values: [['settings.motd', '"forged"']] }));
    symlinkSync(t.path('outside/intent'), `${t.store.path}/commit-in-progress`);
    await expect(t.store.recover()).rejects.toThrow('outside the root');
    expect(readFileSync(t.path('outside/intent'), 'utf8')).toContain('forged');
  });
});

describe('the sole writer', () => {
  test('a second one on the same datastore, by any path to it, is refused until the first settles', async () => {
    await using t = await tempStore();
    const platform = makePlatform({ root: t.root, env: {} });
    symlinkSync('base', t.path('current'));
    const first = new Datastore(platform.files, t.store.path, platform.writeFilesAtomic, { soleWriter: true });
    const second = new Datastore(platform.files, t.path('current'), platform.writeFilesAtomic, { soleWriter: true });
    await first.recover();
    await expect(second.recover()).rejects.toThrow(`Another API server is already serving the datastore at ${t.path('current')}`);
    expect(await t.store.recover()).toEqual([]); // a reader that is not a sole writer is not refused
    await first.settled();
    expect(await second.recover()).toEqual([]);
    await second.settled();
  });
});
