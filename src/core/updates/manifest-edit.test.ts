import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatInstant, parseInstant } from './datetime';
import { emptyManifest, manifestToJson, parseManifest } from './manifest';
import { addUpdate, parseReleaseToml, setMigrations, setWaves } from './manifest-edit';
import { findMigrations } from '../migrations/select';
import { parseVersion } from './version';
import { convertWaves, parseOffset, parseWaveFile, seedAfterPercentage } from './waves';
import { UPSTREAM_FIXTURES } from '../../../test/helpers/fixtures';

const FIXTURES = UPSTREAM_FIXTURES;
const fixture = (rel: string) => readFileSync(join(FIXTURES, rel), 'utf8');
const v = parseVersion;
const images = { boot: 'b', root: 'r', hash: 'h' };

describe('upstream updata tests (fixtures README A.2)', () => {
  test('test_set_waves: single_wave.json with default_waves.toml gets exactly 4 waves', () => {
    const manifest = parseManifest(fixture('updog-manifests/single_wave.json'));
    const first = manifest.updates[0]!;
    const start = parseInstant('2024-01-01T00:00:00Z');
    const { manifest: edited, matched } = setWaves(manifest, first, parseWaveFile(fixture('updog-manifests/default_waves.toml')), start);
    expect(matched).toBe(1);
    expect(edited.updates[0]!.waves.map(w => w.seed)).toEqual([0, 20, 204, 512]);
    expect(edited.updates[0]!.waves.map(w => formatInstant(w.start))).toEqual(['2024-01-01T12:00:00Z', '2024-01-02T00:00:00Z', '2024-01-04T00:00:00Z', '2024-01-07T00:00:00Z']);
  });

  test('test_migration_copy: a fresh manifest gets release.toml migrations (3 pairs)', () => {
    const release = parseReleaseToml(fixture('updog-manifests/release.toml'));
    const manifest = setMigrations(emptyManifest(), release);
    expect(manifestToJson(manifest).migrations).toEqual({
      '(0.0.0, 0.0.1)': ['migrate_0.0.1_foo', 'migrate_0.0.1_baz'],
      '(0.0.0, 0.0.2)': ['migrate_0.0.1_foo', 'migrate_0.0.1_baz', 'migrate_0.0.2_bar'],
      '(0.0.2, 0.0.3)': ['migrate_0.0.3_foobar'],
    });
  });

  test('test_migration_update: example.json migrations are replaced, not merged', () => {
    const release = parseReleaseToml(fixture('updog-manifests/release.toml'));
    const manifest = setMigrations(parseManifest(fixture('updog-manifests/example.json')), release);
    expect(Object.keys(manifestToJson(manifest).migrations)).toEqual(['(0.0.0, 0.0.1)', '(0.0.0, 0.0.2)', '(0.0.2, 0.0.3)']);
  });

  test('max_versions: 1.2.3, 1.2.5 (max 1.2.3), 1.2.4 (max 1.2.4) all end at 1.2.4', () => {
    let manifest = emptyManifest();
    manifest = addUpdate(manifest, { variant: 'yum', arch: 'x86_64', version: v('1.2.3'), maxVersion: v('1.2.3'), images });
    manifest = addUpdate(manifest, { variant: 'yum', arch: 'x86_64', version: v('1.2.5'), maxVersion: v('1.2.3'), images });
    manifest = addUpdate(manifest, { variant: 'yum', arch: 'x86_64', version: v('1.2.4'), maxVersion: v('1.2.4'), images });
    expect(manifest.updates.map(u => u.maxVersion.text)).toEqual(['1.2.4', '1.2.4', '1.2.4']);
  });

  test('add-update without a max: the larger of the new version and the first entry max; other variants untouched', () => {
    let manifest = addUpdate(emptyManifest(), { variant: 'a', arch: 'x86_64', version: v('1.0.0'), images });
    manifest = addUpdate(manifest, { variant: 'b', arch: 'x86_64', version: v('0.5.0'), images });
    manifest = addUpdate(manifest, { variant: 'a', arch: 'x86_64', version: v('1.1.0'), images });
    expect(manifest.updates.map(u => `${u.variant} ${u.version.text} ${u.maxVersion.text}`)).toEqual(['a 1.0.0 1.1.0', 'b 0.5.0 1.0.0', 'a 1.1.0 1.1.0']);
  });
});

describe('upstream update_metadata migration tests (fixtures README A.3, C.3)', () => {
  const manifest = parseManifest(fixture('update-metadata/migrations.json'));
  test('test_migrations_forward: 1.0.0 -> 1.5.0 takes the longest hop', () => {
    expect(findMigrations(manifest.migrations, v('1.0.0'), v('1.5.0'))).toEqual(['migration_1.1.0_a', 'migration_1.1.0_b', 'migration_1.5.0_shortcut']);
  });
  test('test_migrations_backward: 1.5.0 -> 1.0.0 is the forward path reversed', () => {
    expect(findMigrations(manifest.migrations, v('1.5.0'), v('1.0.0'))).toEqual(['migration_1.5.0_shortcut', 'migration_1.1.0_b', 'migration_1.1.0_a']);
  });
  test.each([
    ['1.0.0', '1.2.0', ['migration_1.1.0_a', 'migration_1.1.0_b', 'migration_1.2.0_skip']],
    ['1.2.0', '1.5.0', ['migration_1.5.0_skip']],
    ['1.1.0', '1.5.0', ['migration_1.5.0_shortcut']],
    ['1.0.0', '1.0.0', []],
  ])('derived: %s -> %s', (from, to, names) => {
    expect(findMigrations(manifest.migrations, v(from), v(to))).toEqual(names);
  });
  test('derived: 1.0.0 -> 1.3.0 fails where the chain ends', () => {
    expect(() => findMigrations(manifest.migrations, v('1.0.0'), v('1.3.0'))).toThrow('Reached end of migration chain at 1.2.0 but target is 1.3.0');
  });
  test('derived: release.toml 0.0.0 -> 0.0.3 takes the (0.0.0, 0.0.2) hop', () => {
    const edited = setMigrations(emptyManifest(), parseReleaseToml(fixture('updog-manifests/release.toml')));
    expect(findMigrations(edited.migrations, v('0.0.0'), v('0.0.3'))).toEqual(['migrate_0.0.1_foo', 'migrate_0.0.1_baz', 'migrate_0.0.2_bar', 'migrate_0.0.3_foobar']);
  });
});

describe('wave files (updates.md 7, fixtures README C.1)', () => {
  const start = parseInstant('2024-07-01T17:00:00Z');
  const hours = (waves: ReturnType<typeof convertWaves>) => waves.map(w => [w.seed, Number((w.start - start) / 3_600_000_000_000n)]);
  test.each([
    ['updog-manifests/default_waves.toml', [[0, 12], [20, 24], [204, 72], [512, 144]]],
    ['waves/default-waves.toml', [[0, 1], [20, 4], [102, 24], [307, 48], [819, 96], [1228, 120], [1843, 144]]],
    ['waves/accelerated-waves.toml', [[0, 1], [61, 4], [245, 8], [819, 16], [1638, 24]]],
    ['waves/slow-roll.toml', [[0, 1], [20, 24], [102, 72], [307, 168], [819, 216], [1228, 288], [1843, 312]]],
  ])('%s', (file, expected) => {
    expect(hours(convertWaves(parseWaveFile(fixture(file)), start))).toEqual(expected);
  });

  test('ohno.toml is rejected: minutes are not an offset unit (quirk)', () => {
    expect(() => convertWaves(parseWaveFile(fixture('waves/ohno.toml')), start)).toThrow("Unable to parse 'start_after' offset from string '30 minutes'");
  });

  test('fleet percentages 1,5,15,40,60,90,100 give seeds 20,102,307,819,1228,1843,2048 (f32 arithmetic)', () => {
    expect([1, 5, 15, 40, 60, 90, 100].map(seedAfterPercentage)).toEqual([20, 102, 307, 819, 1228, 1843, 2048]);
    expect([3, 10, 12, 25, 50, 80].map(seedAfterPercentage)).toEqual([61, 204, 245, 512, 1024, 1638]);
  });

  test.each(['in 0 hours', 'in 1 hour', 'in 5000000 hours', 'in 0 days', 'in 1 day', 'in 5000000 days', 'in 0 weeks', 'in 1 week', 'in 5000000 weeks', '0 weeks', '1 week', '5000000 weeks'])('parse_offset accepts %s', text => {
    expect(() => parseOffset(text)).not.toThrow();
  });

  test.each(['in', '0 hou', 'hours', 'in 1 month', '1 minute', 'in in 1 day', '-1 day', '2024-01-01T00:00:00Z'])('parse_offset rejects %s', text => {
    expect(() => parseOffset(text)).toThrow('Unable to parse');
  });

  test('a percentage outside 1..100 is refused', () => {
    expect(() => convertWaves([{ start_after: '1 hour', fleet_percentage: 0 }], start)).toThrow('Invalid fleet_percentage 0');
  });

  test('unordered waves are refused and nothing changes', () => {
    const manifest = parseManifest(fixture('updog-manifests/single_wave.json'));
    const waves = [{ start_after: '2 days', fleet_percentage: 10 }, { start_after: '1 day', fleet_percentage: 100 }];
    expect(() => setWaves(manifest, manifest.updates[0]!, waves, start)).toThrow('Waves are not ordered');
  });
});
