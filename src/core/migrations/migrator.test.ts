import { describe, expect, test } from 'bun:test';
import { lstatSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { makePlatform } from '../../platform';
import type { Platform } from '../../platform/types';
import { Datastore } from '../datastore/store';
import { parseKey } from '../datastore/key';
import { randomDatastoreId } from '../datastore/versioned';
import { osReleaseFor } from '../sandbox/init';
import { parseVersion } from '../updates/version';
import { readDatastoreVersion } from './datastore-version';
import { runMigrator, type MigratorOutcome } from './migrator';
import { migratorStep } from './boot-step';

const v = parseVersion;

interface Host extends AsyncDisposable {
  root: string;
  platform: Platform;
  base: string;
  migrations: string;
}

/** A host root whose datastore is at `version`, created the way storewolf creates it. */
async function makeHost(version: string, values: Record<string, unknown> = {}, running = version): Promise<Host> {
  const dir = makeTempDir('brkt-migrator-');
  const platform = makePlatform({ root: dir.root, env: {} });
  await platform.files.writeAtomic(platform.paths.osRelease, osReleaseFor(running, 'aws-dev'));
  const base = platform.paths.datastoreBase;
  const directory = `v${version}_${randomDatastoreId()}`;
  mkdirSync(join(base, directory, 'live'), { recursive: true });
  const [major, minor] = version.split('.');
  symlinkSync(directory, join(base, `v${version}`));
  symlinkSync(`v${version}`, join(base, `v${major}.${minor}`));
  symlinkSync(`v${major}.${minor}`, join(base, `v${major}`));
  symlinkSync(`v${major}`, join(base, 'current'));
  const store = new Datastore(platform.files, `${base}/current`);
  for (const [name, value] of Object.entries(values)) await store.setKey(parseKey(name), JSON.stringify(value));
  return { root: dir.root, platform, base, migrations: platform.paths.migrations, [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose]() };
}

async function publish(host: Host, table: Record<string, string[]>, documents: Record<string, unknown>) {
  await host.platform.files.writeAtomic(`${host.migrations}/manifest.json`, JSON.stringify({ updates: [], migrations: table }));
  for (const [name, doc] of Object.entries(documents)) await host.platform.files.writeAtomic(`${host.migrations}/${name}`, JSON.stringify(doc));
}

const migrate = (host: Host, target: string, lines: string[] = []) =>
  runMigrator(host.platform, { datastorePath: host.platform.paths.datastore, migrationDirectory: host.migrations, target: v(target), log: (level, line) => lines.push(`${level}: ${line}`) });

const entries = (host: Host) => readdirSync(host.base).sort();
const links = (host: Host) => Object.fromEntries(entries(host).filter(name => lstatSync(join(host.base, name)).isSymbolicLink()).map(name => [name, readlinkSync(join(host.base, name))]));
const currentDir = (host: Host) => basename(realpathSync(join(host.base, 'current')));
const liveValue = async (host: Host, name: string) => {
  const text = await new Datastore(host.platform.files, `${host.base}/current`).getKey(parseKey(name));
  return text === undefined ? undefined : JSON.parse(text);
};

/** Each migration moves `settings.step` one notch: only the listed order reaches the end. */
const notch = (from: string, to: string) => ({ steps: [{ kind: 'ReplaceString', setting: 'settings.step', old: from, new: to }] });
const ORDERED = {
  'b-first-migration': notch('0', '1'),
  'a-second-migration': notch('1', '2'),
  'third-migration': notch('2', '3'),
  'failing-migration': { steps: [{ kind: 'ReplaceLists', replacements: [{ setting: 'settings.broken', old: ['x'], new: ['y'] }] }] },
};

describe('migrations.md 9: migrator vectors', () => {
  test('11: the version comes from the link chain, the patch link is not followed', async () => {
    await using dir = makeTempDir();
    const platform = makePlatform({ root: dir.root, env: {} });
    mkdirSync(dir.path('ds/v1.5.2_0123456789abcdef'), { recursive: true });
    symlinkSync('v1.5.2_0123456789abcdef', dir.path('ds/v1.5.2'));
    symlinkSync('v1.5.2', dir.path('ds/v1.5'));
    symlinkSync('v1.5', dir.path('ds/v1'));
    symlinkSync('v1', dir.path('ds/current'));
    expect((await readDatastoreVersion(platform.files, dir.path('ds'))).text).toBe('1.5.2');
  });

  test('11: a missing link or a bad name is an error', async () => {
    await using dir = makeTempDir();
    const platform = makePlatform({ root: dir.root, env: {} });
    symlinkSync('v1', dir.path('current'));
    await expect(readDatastoreVersion(platform.files, dir.root)).rejects.toThrow('Failed to read the minor version link of the datastore');
    symlinkSync('v1.x', dir.path('v1'));
    symlinkSync('vnope', dir.path('v1.x'));
    await expect(readDatastoreVersion(platform.files, dir.root)).rejects.toThrow("link name 'vnope' is not a version");
  });

  test('12: forward runs the listed order (not alphabetical) and leaves exactly the new chain', async () => {
    // settings-now.md 1.8: since core-kit 14.0.1 the other version's links and directory go too.
    await using host = await makeHost('0.99.0', { 'settings.step': '0' });
    await publish(host, { '(0.99.0, 0.99.1)': ['b-first-migration', 'a-second-migration', 'third-migration'] }, ORDERED);
    const lines: string[] = [];
    const outcome = await migrate(host, '0.99.1', lines);
    expect(outcome).toMatchObject({ kind: 'migrated', direction: 'forward', migrations: ['b-first-migration', 'a-second-migration', 'third-migration'] });
    expect(lines.filter(line => line.includes('Running migration')).map(line => /'(.*)' --(\w+)/.exec(line)!.slice(1).join(' '))).toEqual([
      'b-first-migration forward',
      'a-second-migration forward',
      'third-migration forward',
    ]);
    expect(await liveValue(host, 'settings.step')).toBe('3');
    const names = entries(host);
    expect(names.length).toBe(5);
    expect(names.filter(n => /^v0\.99\.1_[A-Za-z0-9]{16}$/.test(n)).length).toBe(1);
    expect(names.filter(n => !n.includes('_'))).toEqual(['current', 'v0', 'v0.99', 'v0.99.1']);
    expect(currentDir(host)).toMatch(/^v0\.99\.1_/);
  });

  test('13: backward runs the list reversed, each backward', async () => {
    await using host = await makeHost('0.99.1', { 'settings.step': '3' });
    await publish(host, { '(0.99.0, 0.99.1)': ['b-first-migration', 'a-second-migration', 'third-migration'] }, ORDERED);
    const lines: string[] = [];
    await migrate(host, '0.99.0', lines);
    expect(lines.filter(line => line.includes('Running migration')).map(line => /'(.*)' --(\w+)/.exec(line)!.slice(1).join(' '))).toEqual([
      'third-migration backward',
      'a-second-migration backward',
      'b-first-migration backward',
    ]);
    expect(await liveValue(host, 'settings.step')).toBe('0');
    expect(currentDir(host)).toMatch(/^v0\.99\.0_/);
  });

  test('14: a failing forward migration leaves current alone, and two generated directories', async () => {
    await using host = await makeHost('0.99.0', { 'settings.step': '0', 'settings.broken': [0] });
    const before = currentDir(host);
    await publish(host, { '(0.99.0, 0.99.1)': ['b-first-migration', 'a-second-migration', 'failing-migration'] }, ORDERED);
    await expect(migrate(host, '0.99.1')).rejects.toThrow("Migration 'failing-migration' failed: Cannot replace list of setting 'settings.broken'");
    expect(currentDir(host)).toBe(before);
    expect(links(host)).toMatchObject({ current: 'v0', v0: 'v0.99', 'v0.99': 'v0.99.0' });
    expect(entries(host).filter(n => n.startsWith('v0.99.1_')).length).toBe(2);
    expect(await liveValue(host, 'settings.step')).toBe('0');
  });

  test('15: a failing backward migration leaves the original live, and two generated directories', async () => {
    await using host = await makeHost('0.99.1', { 'settings.step': '3', 'settings.broken': [0] });
    const before = currentDir(host);
    await publish(host, { '(0.99.0, 0.99.1)': ['failing-migration', 'a-second-migration', 'third-migration'] }, ORDERED);
    const lines: string[] = [];
    await expect(migrate(host, '0.99.0', lines)).rejects.toThrow("Migration 'failing-migration' failed");
    expect(lines.filter(line => line.includes('Running migration')).map(line => /'(.*)' --(\w+)/.exec(line)!.slice(1).join(' '))).toEqual([
      'third-migration backward',
      'a-second-migration backward',
      'failing-migration backward',
    ]);
    expect(currentDir(host)).toBe(before);
    expect(entries(host).filter(n => n.startsWith('v0.99.0_')).length).toBe(2);
  });

  test('16: a datastore at the target version is left exactly as it is', async () => {
    await using host = await makeHost('0.99.1', { 'settings.step': '3' });
    const before = links(host);
    const outcome = await migrate(host, '0.99.1');
    expect(outcome.kind).toBe('up-to-date');
    expect(links(host)).toEqual(before);
    expect(entries(host).length).toBe(5);
  });
});

describe('the migrator on a settings datastore', () => {
  const RENAME_AND_ADD = {
    description: 'motd becomes greeting; updates gain ignore-waves',
    steps: [
      { kind: 'RenameSettings', renames: [{ from: 'settings.motd', to: 'settings.greeting' }] },
      { kind: 'AddSettings', keys: ['settings.updates.ignore-waves'] },
    ],
  };

  test('1.0.0 -> 1.1.0 renames and adds a setting; back to 1.0.0 undoes it; the links follow', async () => {
    await using host = await makeHost('1.0.0', { 'settings.motd': 'hello', 'settings.updates.seed': 42 });
    const original = currentDir(host);
    await publish(host, { '(1.0.0, 1.1.0)': ['migrate_v1.1.0_greeting.json'] }, { 'migrate_v1.1.0_greeting.json': RENAME_AND_ADD });

    const up = (await migrate(host, '1.1.0')) as Extract<MigratorOutcome, { kind: 'migrated' }>;
    const upgraded = currentDir(host);
    expect(upgraded).toMatch(/^v1\.1\.0_[A-Za-z0-9]{16}$/);
    expect(up.datastore).toBe(join(realpathSync(host.base), upgraded));
    expect(links(host)).toEqual({ current: 'v1', v1: 'v1.1', 'v1.1': 'v1.1.0', 'v1.1.0': upgraded });
    expect(await liveValue(host, 'settings.greeting')).toBe('hello');
    expect(await liveValue(host, 'settings.motd')).toBeUndefined();
    expect(await liveValue(host, 'settings.updates.seed')).toBe(42);
    // Quirk kept: the running image's os.* keys are written as data.
    expect(await liveValue(host, 'os.version_id')).toBe('1.0.0');

    // The default storewolf adds at 1.1.0, which must go again when going back.
    await new Datastore(host.platform.files, `${host.base}/current`).setKey(parseKey('settings.updates.ignore-waves'), 'false');
    await migrate(host, '1.0.0');
    const downgraded = currentDir(host);
    expect(downgraded).toMatch(/^v1\.0\.0_[A-Za-z0-9]{16}$/);
    expect(downgraded).not.toBe(original);
    expect(links(host)).toEqual({ current: 'v1', v1: 'v1.0', 'v1.0': 'v1.0.0', 'v1.0.0': downgraded });
    expect(await liveValue(host, 'settings.motd')).toBe('hello');
    expect(await liveValue(host, 'settings.greeting')).toBeUndefined();
    expect(await liveValue(host, 'settings.updates.ignore-waves')).toBeUndefined();
    // Only the chain of the running version stays (core-kit 14.0.1); going back migrates backward.
    expect(entries(host).filter(n => n.includes('_'))).toEqual([downgraded]);
  });

  test('pending transactions are migrated one by one; metadata is dropped on a version change', async () => {
    await using host = await makeHost('1.0.0', { 'settings.motd': 'live' });
    const store = new Datastore(host.platform.files, `${host.base}/current`);
    await store.setMetadata(parseKey('settings.motd'), 'affected-services', '["motd"]');
    await store.setKey(parseKey('settings.motd'), '"pending"', 'bottlerocket-launch');
    await store.setKey(parseKey('settings.ntp.time-servers'), '["a"]', 'user tx');
    await store.setKey(parseKey('settings.number'), '1.0', 'user tx');
    await publish(host, { '(1.0.0, 1.1.0)': ['migrate_v1.1.0_greeting.json'] }, { 'migrate_v1.1.0_greeting.json': RENAME_AND_ADD });
    await migrate(host, '1.1.0');
    const after = new Datastore(host.platform.files, `${host.base}/current`);
    expect((await after.listTransactions()).sort()).toEqual(['bottlerocket-launch', 'user tx']);
    expect(await after.getKey(parseKey('settings.greeting'), 'bottlerocket-launch')).toBe('"pending"');
    expect(await after.getKey(parseKey('settings.motd'), 'bottlerocket-launch')).toBeUndefined();
    expect(await after.getKey(parseKey('settings.ntp.time-servers'), 'user tx')).toBe('["a"]');
    expect(await after.getKey(parseKey('settings.number'), 'user tx')).toBe('1.0');
    // The migration moved the metadata with the rename; the version change then drops all of it.
    expect(await after.getMetadataRaw(parseKey('settings.greeting'), 'affected-services')).toBeUndefined();
    expect(await after.getMetadataRaw(parseKey('settings.motd'), 'affected-services')).toBeUndefined();
  });

  test('no migrations between two versions: still a new directory, the old one removed', async () => {
    await using host = await makeHost('1.21.0', { 'settings.motd': 'hi' });
    const before = currentDir(host);
    await publish(host, { '(1.21.0, 1.22.0)': [] }, {});
    const outcome = await migrate(host, '1.22.0');
    expect(outcome).toMatchObject({ kind: 'migrated', migrations: [] });
    const after = currentDir(host);
    expect(after).toMatch(/^v1\.22\.0_[A-Za-z0-9]{16}$/);
    expect(links(host)).toEqual({ 'v1.22.0': after, 'v1.22': 'v1.22.0', v1: 'v1.22', current: 'v1' });
    expect(entries(host).filter(n => n.includes('_'))).toEqual([after]);
    expect(before).not.toBe(after);
    expect(await liveValue(host, 'settings.motd')).toBe('hi');
  });

  test('a major version change creates v2 and removes v1', async () => {
    await using host = await makeHost('1.9.0', {});
    await publish(host, { '(1.9.0, 2.0.0)': [] }, {});
    await migrate(host, '2.0.0');
    const links2 = links(host);
    expect(links2).toMatchObject({ current: 'v2', v2: 'v2.0', 'v2.0': 'v2.0.0' });
    expect(Object.keys(links2).sort()).toEqual(['current', 'v2', 'v2.0', 'v2.0.0']);
  });

  test('settings-now.md 8 vector 7: a version change keeps strong settings only, and no metadata', async () => {
    await using host = await makeHost('1.0.0', {
      'settings.motd': 'generated',
      'settings.ntp.time-servers': ['a.example.com'],
      'services.motd.configuration-files': ['motd'],
      'configuration-files.motd.path': '/etc/motd',
    });
    const store = new Datastore(host.platform.files, `${host.base}/current`);
    await store.setMetadata(parseKey('settings.motd'), 'strength', '"weak"');
    await store.setMetadata(parseKey('settings.ntp.time-servers'), 'strength', '"strong"');
    await store.setMetadata(parseKey('settings.motd'), 'affected-services', '["motd"]');
    await publish(host, { '(1.0.0, 1.1.0)': [] }, {});
    await migrate(host, '1.1.0');
    expect(currentDir(host)).toMatch(/^v1\.1\.0_[A-Za-z0-9]{16}$/);
    const live = await new Datastore(host.platform.files, `${host.base}/current`).loadLive();
    expect([...live.data.keys()]).toEqual(['settings.ntp.time-servers']);
    expect(live.metadata.size).toBe(0);
  });

  test('strength is inherited from the longest prefix, and a transaction\'s own strength comes first', async () => {
    await using host = await makeHost('1.0.0', {
      'settings.host-containers.admin.source': 'generated',
      'settings.host-containers.admin.enabled': true,
      'settings.host-containers.control.source': 'mine',
    });
    const store = new Datastore(host.platform.files, `${host.base}/current`);
    await store.setMetadata(parseKey('settings.host-containers'), 'strength', '"weak"');
    await store.setMetadata(parseKey('settings.host-containers.admin.enabled'), 'strength', '"strong"');
    await store.setMetadata(parseKey('settings.host-containers.control'), 'strength', '"strong"');
    await store.setKey(parseKey('settings.motd'), '"pending weak"', 'tx');
    await host.platform.files.writeAtomic(`${store.baseOf('tx')}/settings/motd.strength`, '"weak"');
    await store.setKey(parseKey('settings.ntp.time-servers'), '["b"]', 'tx');
    await publish(host, { '(1.0.0, 1.1.0)': [] }, {});
    await migrate(host, '1.1.0');
    const after = new Datastore(host.platform.files, `${host.base}/current`);
    expect([...(await after.loadLive()).data.keys()].sort()).toEqual(['settings.host-containers.admin.enabled', 'settings.host-containers.control.source']);
    expect(await after.listTransactions()).toEqual(['tx']);
    expect((await after.getPrefix('', 'tx')).map(value => value.key.name)).toEqual(['settings.ntp.time-servers']);
  });

  test('a missing manifest, chain or document changes nothing and says why', async () => {
    await using host = await makeHost('1.0.0', { 'settings.motd': 'hi' });
    const before = links(host);
    await expect(migrate(host, '1.1.0')).rejects.toThrow(`Failed to read the update manifest ${host.migrations}/manifest.json: no such file`);
    await publish(host, { '(1.0.0, 1.0.5)': [] }, {});
    await expect(migrate(host, '1.1.0')).rejects.toThrow('Reached end of migration chain at 1.0.5 but target is 1.1.0');
    await publish(host, { '(1.0.0, 1.1.0)': ['migrate_v1.1.0_gone.json'] }, {});
    await expect(migrate(host, '1.1.0')).rejects.toThrow(`Migration 'migrate_v1.1.0_gone.json' not found in ${host.migrations}`);
    await publish(host, { '(1.0.0, 1.1.0)': ['../../etc/passwd'] }, {});
    await expect(migrate(host, '1.1.0')).rejects.toThrow("Refusing migration name '../../etc/passwd'");
    expect(links(host)).toEqual(before);
    expect(entries(host).filter(n => n.includes('_')).length).toBe(1);
  });

  test('no datastore yet (first boot) is not an error', async () => {
    await using dir = makeTempDir();
    const platform = makePlatform({ root: dir.root, env: {} });
    const outcome = await runMigrator(platform, { datastorePath: platform.paths.datastore, migrationDirectory: platform.paths.migrations, target: v('1.0.0') });
    expect(outcome).toEqual({ kind: 'no-datastore', path: platform.paths.datastore });
  });

  test('a commit interrupted by a crash is finished before migrating, so the migration sees it', async () => {
    await using host = await makeHost('1.0.0', { 'settings.motd': 'old' });
    const store = new Datastore(host.platform.files, `${host.base}/current`);
    await store.setKey(parseKey('settings.motd'), '"new"', 'tx');
    await store.setKey(parseKey('settings.blocked'), '"value"', 'tx');
    // A non-empty directory where one value goes stops the commit half-way, as a crash would.
    mkdirSync(join(host.base, 'current/live/settings/blocked/%ZZ'), { recursive: true });
    await expect(store.commitTransaction('tx')).rejects.toThrow();
    rmSync(join(host.base, 'current/live/settings/blocked'), { recursive: true });
    await publish(host, { '(1.0.0, 1.1.0)': ['rename'] }, { rename: { steps: [{ kind: 'RenameSettings', renames: [{ from: 'settings.motd', to: 'settings.greeting' }] }] } });
    const lines: string[] = [];
    await migrate(host, '1.1.0', lines);
    expect(lines.join('\n')).toContain('info: Datastore recovery: finished the interrupted commit');
    expect([await liveValue(host, 'settings.greeting'), await liveValue(host, 'settings.blocked'), await liveValue(host, 'settings.motd')]).toEqual(['new', 'value', undefined]);
    const after = new Datastore(host.platform.files, `${host.base}/current`);
    expect([await after.listTransactions(), await after.recover()]).toEqual([[], []]);
  });
});

describe('the migrator boot step', () => {
  test('reports what it did in one line, and names a failing migration', async () => {
    await using host = await makeHost('1.0.0', { 'settings.motd': 'hi', 'settings.broken': [0] }, '1.1.0');
    const lines: string[] = [];
    const context = { platform: host.platform, log: (line: string) => lines.push(line) };
    await publish(host, { '(1.0.0, 1.1.0)': ['broken'] }, { broken: ORDERED['failing-migration'] });
    await expect(migratorStep.run(context)).rejects.toThrow("Migration 'broken' failed: Cannot replace list of setting 'settings.broken'");
    await publish(host, { '(1.0.0, 1.1.0)': ['b-first-migration'] }, ORDERED);
    expect(await migratorStep.run(context)).toBe('forward 1.0.0 -> 1.1.0, ran b-first-migration');
    expect(await migratorStep.run(context)).toBe('datastore already at 1.1.0');
    expect(lines).toEqual([]);
  });
});
