// Strength metadata in pending transactions and checked commits (settings-now.md 1.2, 1.4), on a
// real directory tree: stored, read, listed and deleted with the transaction; committed in the
// same batch (and redo log) as the values.
import { describe, expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { makePlatform } from '../../platform';
import { parseKey } from './key';
import { Datastore, type MetadataMap } from './store';
import { checkStrengths, inheritedStrength, StrengthRejection, strengthMetadataFor } from './strength';

async function tempStore(options: ConstructorParameters<typeof Datastore>[3] = {}) {
  const dir = makeTempDir();
  const platform = makePlatform({ root: dir.root, env: {} });
  const store = new Datastore(platform.files, dir.path('base'), platform.writeFilesAtomic, options);
  await platform.files.mkdirp(store.livePath);
  return Object.assign(dir, { store, platform });
}

const weak = (...names: string[]) => strengthMetadataFor(names.map(name => ({ key: parseKey(name), text: '1' })), 'weak');

describe('pending metadata', () => {
  test.each([false, true])('is stored beside pending values, read, listed and deleted with the transaction (sole writer: %p)', async soleWriter => {
    await using t = await tempStore({ soleWriter });
    const values = [{ key: parseKey('settings.motd'), text: '"x"' }];
    await t.store.setKeys(values, 'a', strengthMetadataFor(values, 'weak'));
    expect(readFileSync(`${t.store.path}/pending/a/settings/motd.strength`, 'utf8')).toBe('"weak"');
    expect(t.store.metadataPath(parseKey('settings.motd'), 'strength', 'a')).toBe(`${t.store.path}/pending/a/settings/motd.strength`);
    expect([...(await t.store.getPendingMetadata('a'))]).toEqual([['settings.motd', new Map([['strength', '"weak"']])]]);
    expect((await t.store.getPrefix('', 'a')).map(v => v.key.name)).toEqual(['settings.motd']); // metadata is no data key
    expect(await t.store.listTransactions()).toEqual(['a']);
    expect(await t.store.deleteTransaction('a')).toEqual([parseKey('settings.motd')]);
    expect(existsSync(`${t.store.path}/pending/a`)).toBe(false);
    expect((await t.store.getPendingMetadata('a')).size).toBe(0);
    expect((await t.store.getPendingMetadata('never')).size).toBe(0);
  });
});

describe('a checked commit', () => {
  test('writes the metadata the check returns with the values; a refused transaction stays as it was', async () => {
    await using t = await tempStore({ soleWriter: true });
    await t.store.setKeys([{ key: parseKey('settings.a'), text: '1' }], 'ok', weak('settings.a'));
    await t.store.setKeys([{ key: parseKey('settings.b'), text: '2' }], 'refused', weak('settings.b'));
    const seen: Array<[string, MetadataMap]> = [];
    const outcomes = await t.store.commitChecked(['ok', 'refused'], (tx, values, metadata) => {
      seen.push([tx, metadata]);
      if (tx === 'refused') throw new StrengthRejection('no');
      return values.map(value => ({ key: value.key, meta: 'strength', text: '"weak"' }));
    });
    expect(seen.map(([tx]) => tx)).toEqual(['ok', 'refused']);
    expect(seen[1]![1].get('settings.b')?.get('strength')).toBe('"weak"');
    expect(outcomes[0]).toEqual({ committed: [{ key: parseKey('settings.a'), text: '1' }], metadata: [{ key: parseKey('settings.a'), meta: 'strength', text: '"weak"' }] });
    expect((outcomes[1] as { rejected: Error }).rejected.message).toBe('no');
    const live = await t.store.loadLive();
    expect([...live.data.keys()]).toEqual(['settings.a']);
    expect(live.metadata.get('settings.a')?.get('strength')).toBe('"weak"');
    expect(await t.store.listTransactions()).toEqual(['refused']);
    expect(readFileSync(`${t.store.path}/pending/refused/settings/b.strength`, 'utf8')).toBe('"weak"');
  });

  test('one value and its strength go under the commit marker, and recovery writes the metadata too', async () => {
    await using t = await tempStore();
    await t.store.setKey(parseKey('settings.a'), '2', 'tx');
    // The state a crash leaves right after the marker: the value copied, its strength not yet.
    await t.platform.files.writeAtomic(`${t.store.path}/commit-in-progress`, JSON.stringify({ txs: ['tx'], values: [['settings.a', '2']], metadata: [['settings.a', 'strength', '"weak"']] }));
    await t.store.setKey(parseKey('settings.a'), '2');
    await t.store.recover();
    const live = await t.store.loadLive();
    expect(live.metadata.get('settings.a')?.get('strength')).toBe('"weak"');
    expect(await t.store.listTransactions()).toEqual([]);
  });

  test('a single value with strength metadata writes the marker first (two files are no longer one rename)', async () => {
    await using t = await tempStore();
    const markers: string[] = [];
    const writer = async (writes: Array<{ path: string; data: Uint8Array | string }>, options?: { sync?: boolean }) => {
      for (const write of writes) if (write.path.endsWith('commit-in-progress')) markers.push(String(write.data));
      await t.platform.writeFilesAtomic(writes, options);
    };
    const store = new Datastore(t.platform.files, t.store.path, writer);
    await store.setKey(parseKey('settings.a'), '1', 'tx');
    await store.commitChecked(['tx'], () => weak('settings.a'));
    expect(markers.map(text => JSON.parse(text))).toEqual([{ txs: ['tx'], values: [['settings.a', '1']], metadata: [['settings.a', 'strength', '"weak"']] }]);
    await store.setKey(parseKey('settings.b'), '1', 'tx2');
    await store.commitChecked(['tx2'], () => []);
    expect(markers).toHaveLength(1); // one key, nothing else: its rename is the commit point
  });

  test('a large commit writes values and strength metadata in one unsynced batch, then one filesystem sync', async () => {
    const events: string[] = [];
    await using t = await tempStore();
    const writer = async (writes: Array<{ path: string; data: Uint8Array | string }>, options?: { sync?: boolean }) => {
      events.push(`write ${writes.length} sync=${options?.sync ?? true}`);
      await t.platform.writeFilesAtomic(writes, options);
    };
    const store = new Datastore(t.platform.files, t.store.path, writer, { syncFilesystem: async path => void events.push(`syncfs ${path}`) });
    const names = Array.from({ length: 20 }, (_, i) => `settings.group.key-${i}`);
    await store.setKeys(names.map(name => ({ key: parseKey(name), text: '1' })), 'tx', weak(...names));
    events.length = 0;
    await store.commitChecked(['tx'], () => weak(...names));
    expect(events).toEqual(['write 1 sync=true', 'write 40 sync=false', `syncfs ${t.store.path}`]);
    expect((await store.loadLive()).metadata.size).toBe(20);
  });
});

describe('the check (settings-now.md 1.4)', () => {
  const meta = (entries: Record<string, string>): MetadataMap => new Map(Object.entries(entries).map(([name, s]) => [name, new Map([['strength', JSON.stringify(s)]])]));
  const check = (pending: Record<string, string>, live: Record<string, string>, populated: string[]) =>
    checkStrengths(meta(pending), { strength: key => inheritedStrength(meta(live), key), hasValue: key => populated.includes(key.name) }, name => parseKey(name));

  test.each([
    ['weak over absent strong, no value: live becomes weak', { 'settings.a': 'weak' }, {}, [], [['settings.a', '"weak"']]],
    ['strong over weak, with a value: live becomes strong', { 'settings.a': 'strong' }, { 'settings.a': 'weak' }, ['settings.a'], [['settings.a', '"strong"']]],
    ['strong over weak, no value', { 'settings.a': 'strong' }, { 'settings.a': 'weak' }, [], [['settings.a', '"strong"']]],
    ['weak over weak: unchanged', { 'settings.a': 'weak' }, { 'settings.a': 'weak' }, ['settings.a'], []],
    ['strong over strong: unchanged', { 'settings.a': 'strong' }, {}, ['settings.a'], []],
    ['weak over a weak parent: inherited, unchanged', { 'settings.p.a': 'weak' }, { 'settings.p': 'weak' }, ['settings.p.a'], []],
  ])('%s', (_, pending, live, populated, expected) => {
    expect(check(pending, live, populated).map(w => [w.key.name, w.text])).toEqual(expected as Array<[string, string]>);
  });

  test('weak over a populated strong value refuses the whole transaction', () => {
    expect(() => check({ 'settings.a': 'weak', 'settings.b': 'weak' }, {}, ['settings.b'])).toThrow('Cannot change setting settings.b strength from strong to weak');
    expect(() => check({ 'settings.p.a': 'weak' }, { 'settings.p': 'weak', 'settings.p.a': 'strong' }, ['settings.p.a'])).toThrow(StrengthRejection);
  });

  test('a stored strength that is neither weak nor strong is an error', () => {
    expect(() => checkStrengths(new Map([['settings.a', new Map([['strength', '"medium"']])]]), { strength: () => 'strong', hasValue: () => false }, name => parseKey(name))).toThrow('is not one of weak or strong');
  });
});
