import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest, type MigrationStep } from '../updates/manifest';
import { parseReleaseToml } from '../updates/manifest-edit';
import { parseVersion } from '../updates/version';
import { findMigrations, migrationDirection, migrationsToFetch } from './select';
import { UPSTREAM_FIXTURES } from '../../../test/helpers/fixtures';

const FIXTURES = UPSTREAM_FIXTURES;
const fixture = (rel: string) => readFileSync(join(FIXTURES, rel), 'utf8');
const v = parseVersion;
const migrationsJson = parseManifest(fixture('update-metadata/migrations.json')).migrations;
const releaseToml = parseReleaseToml(fixture('updog-manifests/release.toml')).migrations;
const exampleJson = parseManifest(fixture('updog-manifests/example.json')).migrations;

describe('migrations.md 9: selection vectors', () => {
  test.each([
    ['1', migrationsJson, '1.0.0', '1.5.0', ['migration_1.1.0_a', 'migration_1.1.0_b', 'migration_1.5.0_shortcut']],
    ['2', migrationsJson, '1.5.0', '1.0.0', ['migration_1.5.0_shortcut', 'migration_1.1.0_b', 'migration_1.1.0_a']],
    ['3', migrationsJson, '1.0.0', '1.2.0', ['migration_1.1.0_a', 'migration_1.1.0_b', 'migration_1.2.0_skip']],
    ['4', migrationsJson, '1.2.0', '1.5.0', ['migration_1.5.0_skip']],
    ['6', migrationsJson, '1.1.0', '1.1.0', []],
    ['6 (empty manifest)', [], '1.1.0', '1.1.0', []],
    ['7', releaseToml, '0.0.0', '0.0.3', ['migrate_0.0.1_foo', 'migrate_0.0.1_baz', 'migrate_0.0.2_bar', 'migrate_0.0.3_foobar']],
    ['8', releaseToml, '0.0.0', '0.0.1', ['migrate_0.0.1_foo', 'migrate_0.0.1_baz']],
    ['9 forward', exampleJson, '1.11.0', '1.13.0', ['migrate_1.12.0_foo', 'migrate_1.13.0_foo', 'migrate_1.13.0_bar']],
    ['9 backward', exampleJson, '1.13.0', '1.11.0', ['migrate_1.13.0_bar', 'migrate_1.13.0_foo', 'migrate_1.12.0_foo']],
  ] as Array<[string, MigrationStep[], string, string, string[]]>)('vector %s', (_, steps, from, to, expected) => {
    expect(findMigrations(steps, v(from), v(to))).toEqual(expected);
  });

  test('vector 5: a gap in the chain is MissingMigration at the last reachable version', () => {
    expect(() => findMigrations(migrationsJson, v('1.0.0'), v('1.3.0'))).toThrow('Reached end of migration chain at 1.2.0 but target is 1.3.0');
  });

  test('the error names the higher version as target for a downgrade too', () => {
    expect(() => findMigrations(migrationsJson, v('1.3.0'), v('1.0.0'))).toThrow('Reached end of migration chain at 1.2.0 but target is 1.3.0');
  });

  test.each([
    ['0.0.1', '0.0.2', 'forward'],
    ['0.0.2', '0.0.1', 'backward'],
    ['0.0.1', '0.0.1', undefined],
    ['0.0.2', '0.1.0', 'forward'],
    ['0.1.0', '0.0.2', 'backward'],
  ])('vector 10: direction(%p, %p) = %p', (from, to, expected) => {
    expect(migrationDirection(v(from), v(to))).toBe(expected as 'forward' | 'backward' | undefined);
  });

  test('build metadata takes part in equality', () => {
    expect(migrationDirection(v('1.0.0+a'), v('1.0.0+b'))).toBe('forward');
    expect(migrationDirection(v('1.0.0+a'), v('1.0.0+a'))).toBeUndefined();
  });
});

describe('brkt termination rule for malformed manifests (migrations.md 4)', () => {
  const step = (from: string, to: string, names: string[]): MigrationStep => ({ from: v(from), to: v(to), names });

  test('a self-loop key fails instead of looping', () => {
    expect(() => findMigrations([step('1.0.0', '1.0.0', ['loop'])], v('1.0.0'), v('1.1.0'))).toThrow('Reached end of migration chain at 1.0.0 but target is 1.1.0');
  });

  test('a cycle through lower versions fails at the version that would be revisited', () => {
    const steps = [step('1.0.0', '1.0.5', ['up']), step('1.0.5', '1.0.2', ['down']), step('1.0.2', '1.0.5', ['up-again'])];
    expect(() => findMigrations(steps, v('1.0.0'), v('1.1.0'))).toThrow('Reached end of migration chain at 1.0.2 but target is 1.1.0');
  });

  test('a key going down to a new version is followed, as upstream follows it', () => {
    const steps = [step('1.0.0', '1.0.5', ['a']), step('1.0.5', '1.0.2', ['b']), step('1.0.2', '1.1.0', ['c'])];
    expect(findMigrations(steps, v('1.0.0'), v('1.1.0'))).toEqual(['a', 'b', 'c']);
  });
});

describe('migrationsToFetch: what an update stores for both directions', () => {
  test('an upgrade and its rollback need the same names', () => {
    const up = migrationsToFetch(migrationsJson, v('1.0.0'), v('1.5.0'));
    expect(up).toEqual(['migration_1.1.0_a', 'migration_1.1.0_b', 'migration_1.5.0_shortcut']);
    expect(migrationsToFetch(migrationsJson, v('1.5.0'), v('1.0.0'))).toEqual(up);
  });

  test('a missing link is an error before anything is downloaded', () => {
    expect(() => migrationsToFetch(migrationsJson, v('1.0.0'), v('1.3.0'))).toThrow('Reached end of migration chain');
  });

  test('a name listed under two pairs is fetched once', () => {
    const steps = [{ from: v('1.0.0'), to: v('1.1.0'), names: ['x', 'y'] }, { from: v('1.1.0'), to: v('1.2.0'), names: ['x'] }];
    expect(migrationsToFetch(steps, v('1.0.0'), v('1.2.0'))).toEqual(['x', 'y']);
  });
});
