// `brkt migrator` through the compiled binary: a settings datastore moved 1.0.0 -> 1.1.0 and
// back, upstream's flags and exit codes, and documents as `brkt update` stores them.
import { describe, expect, test } from 'bun:test';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { brkt } from '../helpers/brkt';
import { makeTempDir, type TempDir } from '../helpers/sandbox';
import { DATASTORE_BASE, makeDatastoreRoot, MIGRATIONS_DIR } from '../helpers/datastore-root';
import { parseKey } from '../../src/core/datastore/key';
import { osReleaseFor } from '../../src/core/sandbox/init';
import { encodeLz4Frame } from '../../src/core/lz4/frame-encoder';

const BASE = DATASTORE_BASE;
const MIGRATIONS = MIGRATIONS_DIR;

const RENAME_AND_ADD = {
  description: 'motd becomes greeting; updates gain ignore-waves (a default at 1.1.0)',
  steps: [
    { kind: 'RenameSettings', renames: [{ from: 'settings.motd', to: 'settings.greeting' }] },
    { kind: 'AddSettings', keys: ['settings.updates.ignore-waves'] },
  ],
};

/** A root running `running`, with a 1.0.0 datastore holding `values`. */
async function makeRoot(running: string, values: Record<string, unknown>): Promise<TempDir> {
  const { dir, store } = makeDatastoreRoot('brkt-migrator-e2e-', running);
  for (const [name, value] of Object.entries(values)) await store.setKey(parseKey(name), JSON.stringify(value));
  return dir;
}

function publish(dir: TempDir, table: Record<string, string[]>, documents: Record<string, unknown> = {}) {
  mkdirSync(dir.path(MIGRATIONS), { recursive: true });
  writeFileSync(dir.path(`${MIGRATIONS}/manifest.json`), JSON.stringify({ updates: [], migrations: table }, null, 2));
  for (const [name, doc] of Object.entries(documents)) writeFileSync(dir.path(`${MIGRATIONS}/${name}`), JSON.stringify(doc, null, 2));
}

const setRunning = (dir: TempDir, version: string) => writeFileSync(dir.path('etc/os-release'), osReleaseFor(version, 'aws-dev'));
const links = (dir: TempDir) =>
  Object.fromEntries(readdirSync(dir.path(BASE)).filter(n => lstatSync(dir.path(`${BASE}/${n}`)).isSymbolicLink()).map(n => [n, readlinkSync(dir.path(`${BASE}/${n}`))]));
const currentDir = (dir: TempDir) => basename(realpathSync(dir.path(`${BASE}/current`)));
const live = (dir: TempDir, rel: string) => {
  try {
    return JSON.parse(readFileSync(dir.path(`${BASE}/current/live/${rel}`), 'utf8'));
  } catch {
    return undefined;
  }
};

describe('brkt migrator on a sandbox root', () => {
  test.concurrent('1.0.0 -> 1.1.0 renames and adds a setting; back to 1.0.0 migrates it back', async () => {
    await using dir = await makeRoot('1.1.0', { 'settings.motd': 'hello', 'settings.updates.seed': 42 });
    publish(dir, { '(1.0.0, 1.1.0)': ['migrate_v1.1.0_greeting.json'] }, { 'migrate_v1.1.0_greeting.json': RENAME_AND_ADD });

    const up = await brkt('brkt', ['migrator'], { root: dir.root });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const upgraded = currentDir(dir);
    expect(upgraded).toMatch(/^v1\.1\.0_[A-Za-z0-9]{16}$/);
    const base = realpathSync(dir.path(BASE));
    const lines = up.stdout.split('\n');
    const migratedInto = /into (\S+)$/.exec(lines[2] ?? '')?.[1] ?? '';
    // The migration writes one directory; the version change copies it into the final one
    // (settings-now.md 1.8), and the other version's datastore and links go.
    expect(migratedInto).toMatch(new RegExp(`^${base}/v1\\.1\\.0_[A-Za-z0-9]{16}$`));
    expect(migratedInto).not.toBe(`${base}/${upgraded}`);
    expect(lines).toEqual([
      '[INFO] Migrating the datastore forward from 1.0.0 to 1.1.0',
      '[INFO] Migrations to run: migrate_v1.1.0_greeting.json',
      `[INFO] Running migration 'migrate_v1.1.0_greeting.json' --forward from ${base}/v1.0.0_AAAAAAAAAAAAAAAA into ${migratedInto}`,
      `[INFO] Copied 7 keys into ${base}/${upgraded}; dropped 0 weak or image-owned keys and all metadata`,
      `[INFO] The datastore is at 1.1.0: current -> v1 -> v1.1 -> v1.1.0 -> ${upgraded}`,
      `[INFO] Removed datastores and links of other versions: ${[migratedInto.slice(base.length + 1), 'v1.0', 'v1.0.0', 'v1.0.0_AAAAAAAAAAAAAAAA'].sort().join(', ')}`,
      '',
    ]);
    expect(links(dir)).toEqual({ current: 'v1', v1: 'v1.1', 'v1.1': 'v1.1.0', 'v1.1.0': upgraded });
    expect([live(dir, 'settings/greeting'), live(dir, 'settings/motd'), live(dir, 'settings/updates/seed')]).toEqual(['hello', undefined, 42]);

    // What storewolf adds at 1.1.0 goes again on the way back.
    writeFileSync(dir.path(`${BASE}/current/live/settings/updates/ignore-waves`), 'true');
    setRunning(dir, '1.0.0');
    const down = await brkt('brkt', ['migrator', '--log-level', 'debug'], { root: dir.root });
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('[DEBUG] migrate_v1.1.0_greeting.json: Removed settings.updates.ignore-waves, which was set to \'true\'');
    expect(down.stdout).toContain('[DEBUG] migrate_v1.1.0_greeting.json: Moved settings.greeting to settings.motd (1 key)');
    const downgraded = currentDir(dir);
    expect(downgraded).toMatch(/^v1\.0\.0_[A-Za-z0-9]{16}$/);
    expect(downgraded).not.toBe('v1.0.0_AAAAAAAAAAAAAAAA');
    expect(links(dir)).toEqual({ current: 'v1', v1: 'v1.0', 'v1.0': 'v1.0.0', 'v1.0.0': downgraded });
    expect([live(dir, 'settings/motd'), live(dir, 'settings/greeting'), live(dir, 'settings/updates/ignore-waves')]).toEqual(['hello', undefined, undefined]);

    const again = await brkt('brkt', ['migrator'], { root: dir.root });
    expect(again).toEqual({ stdout: '[INFO] Requested version 1.0.0 matches the datastore version; nothing to do\n', stderr: '', code: 0 });
  });

  test.concurrent("upstream's unit command line works under the root, and LZ4-compressed documents are read", async () => {
    await using dir = await makeRoot('1.1.0', { 'settings.motd': 'hello' });
    publish(dir, { '(1.0.0, 1.1.0)': ['migrate_v1.1.0_greeting.json.lz4'] });
    const chunks: Uint8Array[] = [];
    for await (const chunk of encodeLz4Frame((async function* () { yield new TextEncoder().encode(JSON.stringify(RENAME_AND_ADD)); })())) chunks.push(chunk);
    writeFileSync(dir.path(`${MIGRATIONS}/migrate_v1.1.0_greeting.json.lz4`), Buffer.concat(chunks));
    // Started as `migrator`, the name of its link: upstream's unit line, word for word.
    const result = await brkt('migrator', [
      '--datastore-path', '/var/lib/bottlerocket/datastore/current',
      '--migration-directory', '/var/lib/bottlerocket-migrations',
      '--root-path', '/usr/share/updog/root.json',
      '--metadata-directory', '/var/cache/bottlerocket-metadata',
      '--migrate-to-version-from-os-release',
      '--log-level', 'warn',
    ], { root: dir.root });
    expect(result).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(live(dir, 'settings/greeting')).toBe('hello');
  });

  test.concurrent('a failing migration exits 1 with its name and reason; current is untouched', async () => {
    await using dir = await makeRoot('1.1.0', { 'settings.motd': 'hello', 'settings.ntp.time-servers': ['a', 7] });
    const failing = { steps: [{ kind: 'ReplaceLists', replacements: [{ setting: 'settings.ntp.time-servers', old: ['a'], new: ['b'] }] }] };
    publish(dir, { '(1.0.0, 1.1.0)': ['migrate_v1.1.0_greeting.json', 'migrate_v1.1.0_ntp.json'] }, { 'migrate_v1.1.0_greeting.json': RENAME_AND_ADD, 'migrate_v1.1.0_ntp.json': failing });
    const before = links(dir);
    const result = await brkt('brkt', ['migrator', '--log-level', 'error'], { root: dir.root });
    expect(result).toEqual({
      stdout: '',
      stderr: `brkt migrator: Migration 'migrate_v1.1.0_ntp.json' failed: Cannot replace list of setting 'settings.ntp.time-servers': it holds a value that is not a string: ["a",7]\n`,
      code: 1,
    });
    expect(links(dir)).toEqual(before);
    expect(live(dir, 'settings/motd')).toBe('hello');
  });

  test.concurrent('a malformed document is a runtime failure (exit 1) naming the document', async () => {
    await using dir = await makeRoot('1.1.0', { 'settings.motd': 'hello' });
    publish(dir, { '(1.0.0, 1.1.0)': ['migrate_v1.1.0_bad.json'] }, { 'migrate_v1.1.0_bad.json': { steps: [{ kind: 'Exec', argv: ['/bin/sh'] }] } });
    const result = await brkt('brkt', ['migrator'], { root: dir.root });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("brkt migrator: Invalid migration document migrate_v1.1.0_bad.json: steps/0/kind: unknown kind 'Exec' (known: AddSettings, AddPrefixes, RemoveSettings, ReplaceString, ReplaceLists, ReplaceTemplate, AddMetadata, RemoveMetadata, ReplaceMetadataLists, ReplaceMetadata, RenameSettings, NoOp)\n");
    expect(currentDir(dir)).toBe('v1.0.0_AAAAAAAAAAAAAAAA');
  });

  test.concurrent('--migrate-to-version picks the target; the later version option wins', async () => {
    await using dir = await makeRoot('1.0.0', { 'settings.motd': 'hello' });
    publish(dir, { '(1.0.0, 1.1.0)': [] });
    const stay = await brkt('brkt', ['migrator', '--migrate-to-version', '1.1.0', '--migrate-to-version-from-os-release'], { root: dir.root });
    expect(stay.stdout).toContain('nothing to do');
    const move = await brkt('brkt', ['migrator', '--migrate-to-version-from-os-release', '--migrate-to-version', '1.1.0'], { root: dir.root });
    expect(move.code).toBe(0);
    expect(links(dir)).toMatchObject({ current: 'v1', v1: 'v1.1', 'v1.1': 'v1.1.0' });
    expect(currentDir(dir)).toMatch(/^v1\.1\.0_[A-Za-z0-9]{16}$/);
    expect(live(dir, 'settings/motd')).toBe('hello');
  });

  test.concurrent('no datastore yet: a notice and exit 0, before os-release is read', async () => {
    await using dir = makeTempDir();
    expect(await brkt('brkt', ['migrator'], { root: dir.root })).toEqual({
      stdout: '',
      stderr: `brkt migrator: Data store does not exist at ${dir.path(`${BASE}/current`)}, exiting (first boot: storewolf creates it)\n`,
      code: 0,
    });
  });

  test.concurrent.each([
    [['--bogus'], "Unknown argument '--bogus'"],
    [['--no-color'], "Unknown argument '--no-color'"],
    [['--datastore-path'], 'Did not give argument to --datastore-path'],
    [['--migrate-to-version', 'v1.0.0'], "Invalid version 'v1.0.0' given to --migrate-to-version"],
    [['--log-level', 'loud'], "Invalid log level 'loud'"],
  ])('usage errors exit 2: %p', async (args, message) => {
    await using dir = await makeRoot('1.0.0', {});
    const result = await brkt('brkt', ['migrator', ...args], { root: dir.root });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(`brkt migrator: ${message}`);
    expect(result.stderr).toContain('Usage: migrator');
  });

  test.concurrent('an unreadable os-release is a usage error (exit 2), as upstream', async () => {
    await using dir = await makeRoot('1.0.0', {});
    writeFileSync(dir.path('etc/os-release'), 'NAME=Bottlerocket\n');
    const result = await brkt('brkt', ['migrator'], { root: dir.root });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`brkt migrator: ${dir.path('etc/os-release')} has no valid VERSION_ID\n`);
  });
});
