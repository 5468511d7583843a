import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatInstant, parseInstant, tryParseInstant } from './datetime';
import { manifestToJson, parseManifest, serializeManifest } from './manifest';
import { compareVersions, parseVersion, tryParseVersion } from './version';
import { UPSTREAM_FIXTURES } from '../../../test/helpers/fixtures';

const FIXTURES = UPSTREAM_FIXTURES;
const fixture = (rel: string) => readFileSync(join(FIXTURES, rel), 'utf8');

describe('upstream updog tests (fixtures README A.1)', () => {
  test('test_manifest_json: example.json parses, unknown status ignored', () => {
    const manifest = parseManifest(fixture('updog-manifests/example.json'));
    expect(manifest.updates.length).toBeGreaterThan(0);
    const step = manifest.migrations.find(s => s.from.text === '1.11.0' && s.to.text === '1.12.0');
    expect(step?.names[0]).toBe('migrate_1.12.0_foo');
    expect(manifest.migrations.find(s => s.from.text === '1.12.0')?.names).toEqual(['migrate_1.13.0_foo', 'migrate_1.13.0_bar']);
  });

  test('test_serde_reader: example_2.json with single-digit months parses', () => {
    const manifest = parseManifest(fixture('updog-manifests/example_2.json'));
    expect(manifest.updates).toHaveLength(1);
    expect(formatInstant(manifest.updates[0]!.waves[0]!.start)).toBe('2019-08-06T15:00:00Z');
  });

  test('serialize_metadata: example_2.json serialises and parses back to the same manifest', () => {
    const manifest = parseManifest(fixture('updog-manifests/example_2.json'));
    const text = serializeManifest(manifest);
    expect(manifestToJson(parseManifest(text))).toEqual(manifestToJson(manifest));
    expect(JSON.parse(text).updates[0].waves).toEqual({ '0': '2019-08-06T15:00:00Z', '500': '2019-08-07T15:00:00Z', '1024': '2019-08-31T15:00:00Z' });
  });

  test('bad_bound: a wave key that is not a u32 fails the manifest', () => {
    expect(() => parseManifest(fixture('updog-manifests/bad-bound.json'))).toThrow("bad bound field '234ab32'");
  });

  test('duplicate_bound: a wave key given twice fails the manifest', () => {
    expect(() => parseManifest(fixture('updog-manifests/duplicate-bound.json'))).toThrow('duplicate key ID 0');
  });

  test('single_wave.json: datastore_versions is ignored', () => {
    expect(parseManifest(fixture('updog-manifests/single_wave.json')).updates[0]!.waves).toHaveLength(1);
  });
});

describe('manifest parsing edge cases (updates.md 2.1)', () => {
  const withWaves = (waves: string) =>
    `{"updates":[{"variant":"v","arch":"x86_64","version":"1.0.0","max_version":"1.0.0","waves":${waves},"images":{"boot":"b","root":"r","hash":"h"}}],"migrations":{}}`;

  test('a key above 2048 alone is accepted (not range-checked)', () => {
    expect(parseManifest(withWaves('{"2342352":"2019-10-07T15:00:00Z"}')).updates[0]!.waves[0]!.seed).toBe(2342352);
  });

  test.each([
    ['"+5"', true],
    ['"007"', true],
    ['"4294967295"', true],
    ['"4294967296"', false],
    ['"-1"', false],
    ['" 1"', false],
    ['""', false],
  ])('wave key %s accepted: %p', (key, ok) => {
    const parse = () => parseManifest(withWaves(`{${key}:"2019-10-07T15:00:00Z"}`));
    if (ok) expect(parse).not.toThrow();
    else expect(parse).toThrow('bad bound field');
  });

  test('keys with the same integer value are duplicates ("0" and "00")', () => {
    expect(() => parseManifest(withWaves('{"0":"2019-10-07T15:00:00Z","00":"2019-10-08T15:00:00Z"}'))).toThrow('duplicate key ID 0');
  });

  test('migration keys denoting the same pair are duplicates', () => {
    const text = '{"updates":[],"migrations":{"(1.0.0, 1.1.0)":[],"(1.0.0,1.1.0)":["x"]}}';
    expect(() => parseManifest(text)).toThrow("duplicate version key '(1.0.0, 1.1.0)'");
  });

  test('the migration key pattern is searched, not anchored, and spaces are optional', () => {
    const manifest = parseManifest('{"updates":[],"migrations":{"from (1.0.0,   1.1.0) on":["a"]}}');
    expect(manifest.migrations.map(s => [s.from.text, s.to.text, s.names])).toEqual([['1.0.0', '1.1.0', ['a']]]);
  });

  test('migration keys without two versions are rejected', () => {
    expect(() => parseManifest('{"updates":[],"migrations":{"(1.0, 1.1.0)":[]}}')).toThrow('could not parse OS versions');
  });

  test('both top-level members are required', () => {
    expect(() => parseManifest('{"updates":[]}')).toThrow("missing field 'migrations'");
    expect(() => parseManifest('{"migrations":{}}')).toThrow("missing field 'updates'");
  });

  test('a duplicated known field is an error (serde: duplicate field)', () => {
    expect(() => parseManifest('{"updates":[],"updates":[],"migrations":{}}')).toThrow("duplicate field 'updates'");
  });

  test('missing image names are rejected', () => {
    const text = '{"updates":[{"variant":"v","arch":"x86_64","version":"1.0.0","max_version":"1.0.0","waves":{},"images":{"boot":"b","root":"r"}}],"migrations":{}}';
    expect(() => parseManifest(text)).toThrow("missing field 'hash' in updates[0].images");
  });

  test('invalid versions and dates are rejected with the field named', () => {
    expect(() => parseManifest(withWaves('{}').replace('"1.0.0","max', '"v1.0.0","max'))).toThrow("updates[0].version 'v1.0.0'");
    expect(() => parseManifest(withWaves('{"0":"2019-13-01T00:00:00Z"}'))).toThrow('updates[0].waves["0"]');
  });

  test('not JSON at all', () => {
    expect(() => parseManifest('{"updates": [,]}')).toThrow('Failed to parse manifest.json');
  });

  test('serialisation orders members and sorts migrations by their string form', () => {
    const manifest = parseManifest('{"migrations":{"(1.9.0, 1.10.0)":[],"(1.10.0, 1.11.0)":["m"]},"updates":[{"images":{"hash":"h","root":"r","boot":"b"},"waves":{"20":"2024-07-01T21:00:00.5+01:00","0":"2024-07-01T18:00:00Z"},"max_version":"1.0.0","version":"1.0.0","arch":"x86_64","variant":"v"}]}');
    expect(serializeManifest(manifest)).toBe(`{
  "updates": [
    {
      "variant": "v",
      "arch": "x86_64",
      "version": "1.0.0",
      "max_version": "1.0.0",
      "waves": {
        "0": "2024-07-01T18:00:00Z",
        "20": "2024-07-01T20:00:00.500Z"
      },
      "images": {
        "boot": "b",
        "root": "r",
        "hash": "h"
      }
    }
  ],
  "migrations": {
    "(1.10.0, 1.11.0)": [
      "m"
    ],
    "(1.9.0, 1.10.0)": []
  }
}`);
  });
});

describe('dates as chrono reads them', () => {
  test.each([
    ['2019-8-06T15:00:00Z', '2019-08-06T15:00:00Z'],
    ['2019-08-6t5:0:0z', '2019-08-06T05:00:00Z'],
    ['2019-08-06 15:00:00+02:00', '2019-08-06T13:00:00Z'],
    ['2019-08-06T15:00:00.123456Z', '2019-08-06T15:00:00.123456Z'],
    ['2019-08-06T15:00:00.000000001Z', '2019-08-06T15:00:00.000000001Z'],
    ['2019-08-06T15:00:00.1234567891Z', '2019-08-06T15:00:00.123456789Z'],
    ['1969-12-31T23:59:59.5Z', '1969-12-31T23:59:59.500Z'],
  ])('%s is %s', (input, output) => {
    expect(formatInstant(parseInstant(input))).toBe(output);
  });

  test.each(['2019-02-29T00:00:00Z', '2019-08-06T24:00:00Z', '2019-08-06T15:00:00', '2019-08-06', '19-08-06T15:00:00Z', '2019-08-06T15:00:00+2:00'])('%s is rejected', input => {
    expect(tryParseInstant(input)).toBeUndefined();
  });
});

describe('versions (Rust semver 1.x)', () => {
  test.each(['1.0', 'v1.0.0', '01.0.0', '1.0.0-01', '1.0.0 ', '1.0.0-', '1.0.0+'])('%s is not a version', text => {
    expect(tryParseVersion(text)).toBeUndefined();
  });

  test('ordering: pre-release before release, build metadata as a tie-breaker', () => {
    const sorted = ['1.0.0', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0+build.2', '1.0.0+build.10', '0.9.99']
      .map(text => parseVersion(text))
      .sort(compareVersions)
      .map(v => v.text);
    expect(sorted).toEqual(['0.9.99', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.0+build.2', '1.0.0+build.10']);
  });
});
