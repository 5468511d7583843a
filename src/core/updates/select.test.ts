import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { instantFromDate, NANOS_PER_MILLI, parseInstant } from './datetime';
import { parseManifest, type Manifest, type WaveBound } from './manifest';
import { applicableUpdates, archName, chooseUpdate, type SelectionInput } from './select';
import { parseVersion } from './version';
import { chronoDiv, isUpdateReady } from './waves';
import { UPSTREAM_FIXTURES } from '../../../test/helpers/fixtures';

const FIXTURES = UPSTREAM_FIXTURES;
const ARCH = archName(process.arch);
const manifestFor = (name: string) => parseManifest(readFileSync(join(FIXTURES, 'updog-manifests', `${name}_${ARCH}.json`), 'utf8'));
const fixture = (name: string) => parseManifest(readFileSync(join(FIXTURES, 'updog-manifests', name), 'utf8'));
const now = () => instantFromDate(new Date());

function input(current: string, variant: string, seed: number, extra: Partial<SelectionInput> = {}): SelectionInput {
  return { current: parseVersion(current), variant, arch: ARCH, seed, versionLock: 'latest', ignoreWaves: false, now: now(), ...extra };
}

const chosen = (manifest: Manifest, selection: SelectionInput) => chooseUpdate(manifest, selection)?.version.text;

describe('upstream updog selection tests (fixtures README A.1)', () => {
  test('test_versions: regret.json gives no update (1.25.0 is above its max 1.20.0)', () => {
    // regret.json is x86_64 only; pin the arch so the outcome does not depend on the host.
    expect(chosen(fixture('regret.json'), { ...input('1.18.0', 'bottlerocket-aws-eks', 123), arch: 'x86_64' })).toBeUndefined();
  });

  test('older_versions: running 0.1.3 above max 0.1.2 downgrades to 0.1.2', () => {
    expect(chosen(manifestFor('example_3'), input('0.1.3', 'aws-k8s-1.15', 1487))).toBe('0.1.2');
  });

  test('test_multiple: 1.15.0 (not 1.13.0 lower, 1.25.0 above max, 1.16.0 other arch)', () => {
    expect(chosen(manifestFor('multiple'), input('1.10.0', 'bottlerocket-aws-eks', 123))).toBe('1.15.0');
  });

  test('force_update_version: --image 1.13.0', () => {
    expect(chosen(manifestFor('multiple'), input('1.10.0', 'bottlerocket-aws-eks', 123, { forced: parseVersion('1.13.0') }))).toBe('1.13.0');
  });

  test('check_update_waves: seed 0 gets the update, seed 2000 does not', () => {
    const t = now();
    const hour = 3600n * 1000n * NANOS_PER_MILLI;
    const manifest: Manifest = {
      updates: [{
        variant: 'aws-k8s-1.15', arch: ARCH, version: parseVersion('1.1.1'), maxVersion: parseVersion('1.1.1'),
        waves: [{ seed: 0, start: t }, { seed: 1024, start: t + hour }, { seed: 2048, start: t + hour }],
        images: { boot: 'b', root: 'r', hash: 'h' },
      }],
      migrations: [],
    };
    expect(chosen(manifest, input('1.0.0', 'aws-k8s-1.15', 0, { now: t }))).toBe('1.1.1');
    expect(chosen(manifest, input('1.0.0', 'aws-k8s-1.15', 2000, { now: t }))).toBeUndefined();
  });
});

describe('selection vectors (updates.md 8, derived)', () => {
  test('--image 1.16.0 (other arch) and --image 1.25.0 (above max) give nothing', () => {
    const manifest = manifestFor('multiple');
    expect(chosen(manifest, input('1.10.0', 'bottlerocket-aws-eks', 123, { forced: parseVersion('1.16.0') }))).toBeUndefined();
    expect(chosen(manifest, input('1.10.0', 'bottlerocket-aws-eks', 123, { forced: parseVersion('1.25.0') }))).toBeUndefined();
  });

  test('version_lock v1.13.0 picks 1.13.0; a lock equal to the running version gives nothing; a bad lock fails', () => {
    const manifest = manifestFor('multiple');
    expect(chosen(manifest, input('1.10.0', 'bottlerocket-aws-eks', 123, { versionLock: 'v1.13.0' }))).toBe('1.13.0');
    expect(chosen(manifest, input('1.10.0', 'bottlerocket-aws-eks', 123, { versionLock: '1.10.0' }))).toBeUndefined();
    expect(() => chooseUpdate(manifest, input('1.10.0', 'bottlerocket-aws-eks', 123, { versionLock: '1.0' }))).toThrow("Bad version string '1.0' in config");
  });

  test('a forced version ignores the version lock, even a bad one', () => {
    const selection = input('1.10.0', 'bottlerocket-aws-eks', 123, { versionLock: 'nonsense', forced: parseVersion('1.13.0') });
    expect(chosen(manifestFor('multiple'), selection)).toBe('1.13.0');
  });

  test('check-update --all lists [1.15.0, 1.13.0] newest first', () => {
    const list = applicableUpdates(manifestFor('multiple'), { variant: 'bottlerocket-aws-eks', arch: ARCH, seed: 123, ignoreWaves: false, now: now() });
    expect(list.map(u => u.version.text)).toEqual(['1.15.0', '1.13.0']);
  });

  test('the variant must match exactly', () => {
    expect(chosen(manifestFor('multiple'), input('1.10.0', 'bottlerocket-aws-ek', 123))).toBeUndefined();
  });

  test('differing max_versions: running 1.5.0 skips 1.5.0/max 1.5.0 and picks 1.3.0/max 1.3.0', () => {
    const entry = (version: string, max: string) => ({ variant: 'v', arch: ARCH, version: parseVersion(version), maxVersion: parseVersion(max), waves: [], images: { boot: 'b', root: 'r', hash: 'h' } });
    const manifest: Manifest = { updates: [entry('1.3.0', '1.3.0'), entry('1.5.0', '1.5.0')], migrations: [] };
    expect(chosen(manifest, input('1.5.0', 'v', 1))).toBe('1.3.0');
  });

  test('ignore_waves makes a not-yet-ready release applicable', () => {
    const future = now() + 86_400_000n * NANOS_PER_MILLI;
    const manifest: Manifest = {
      updates: [{ variant: 'v', arch: ARCH, version: parseVersion('2.0.0'), maxVersion: parseVersion('2.0.0'), waves: [{ seed: 0, start: future }, { seed: 100, start: future + 1n }], images: { boot: 'b', root: 'r', hash: 'h' } }],
      migrations: [],
    };
    expect(chosen(manifest, input('1.0.0', 'v', 1500))).toBeUndefined();
    expect(chosen(manifest, input('1.0.0', 'v', 1500, { ignoreWaves: true }))).toBe('2.0.0');
  });

  test('a seed above 2048 with waves is an error, not a panic; without waves it is fine', () => {
    const manifest = fixture('example.json');
    expect(() => chooseUpdate(manifest, { ...input('1.0.0', 'bottlerocket-aws-eks', 3000), arch: 'x86_64' })).toThrow('Seed 3000 out of range');
    expect(isUpdateReady([], 3000, now())).toBe(true);
  });
});

describe('wave readiness (fixtures README A.3, updates.md 8)', () => {
  const T = parseInstant('2000-01-01T00:00:00Z');
  const ms = (n: number) => T + BigInt(n) * NANOS_PER_MILLI;
  const waves = (...pairs: Array<[number, bigint]>): WaveBound[] => pairs.map(([seed, start]) => ({ seed, start }));
  const range = (from: number, to: number, step = 1) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

  test('test_update_ready_no_wave', () => {
    expect(isUpdateReady([], 100, T)).toBe(true);
  });

  test.each([100, 200, 300, 400])('test_update_ready_single_wave: seed %d ready exactly at T+seed ms', seed => {
    const w = waves([0, T], [2048, ms(2048)]);
    expect(isUpdateReady(w, seed, ms(seed - 1))).toBe(false);
    expect(isUpdateReady(w, seed, ms(seed))).toBe(true);
  });

  const second = waves([0, T], [50, ms(200)], [100, ms(1024)], [1024, ms(4096)]);

  test('test_update_ready_second_wave: seed 60', () => {
    for (const t of [...range(0, 190, 10), ...range(200, 958, 2)]) expect(isUpdateReady(second, 60, ms(t))).toBe(false);
    for (const t of [...range(1160, 1220, 4), ...range(1024, 4088, 8)]) expect(isUpdateReady(second, 60, ms(t))).toBe(true);
    // Derived boundary: the target lies beyond the wave's end, so it becomes ready at the end.
    expect(isUpdateReady(second, 60, ms(1023))).toBe(false);
  });

  test('test_update_ready_third_wave: seed 148', () => {
    for (const t of range(0, 1020, 4)) expect(isUpdateReady(second, 148, ms(t))).toBe(false);
    for (const t of range(1668, 5316, 8)) expect(isUpdateReady(second, 148, ms(t))).toBe(true);
    // Derived: tps = 3 324 675 ns, target T+1516.0519 ms.
    expect(chronoDiv(3072n * NANOS_PER_MILLI, 924n)).toBe(3_324_675n);
    expect(isUpdateReady(second, 148, ms(1516))).toBe(false);
    expect(isUpdateReady(second, 148, ms(1517))).toBe(true);
  });

  test.each([[10, 40], [1024, 4096], [1500, 4096]])('derived: seed %d is ready from T+%d ms', (seed, from) => {
    expect(isUpdateReady(second, seed, ms(from - 1))).toBe(false);
    expect(isUpdateReady(second, seed, ms(from))).toBe(true);
  });

  test('test_update_ready_final_wave: a last wave that already started', () => {
    const hour = 3600 * 1000;
    expect(isUpdateReady(waves([0, ms(-3 * hour)], [256, ms(-2 * hour)], [512, ms(-hour)]), 1024, T)).toBe(true);
  });

  test('the initial wave is ready even before it starts; a single key gates everyone else', () => {
    const w = waves([0, ms(1000)]);
    expect(isUpdateReady(w, 0, T)).toBe(true);
    expect(isUpdateReady(w, 1, ms(999))).toBe(false);
    expect(isUpdateReady(w, 1, ms(1000))).toBe(true);
  });
});

describe('readiness with a fixed clock on example.json (fixtures README C.2, derived)', () => {
  const exampleWaves = fixture('example.json').updates[0]!.waves;
  test.each([
    [0, '2019-10-01T00:00:00Z', true],
    [100, '2019-10-06T19:47:59Z', false],
    [100, '2019-10-06T19:48:00Z', true],
    [499, '2019-10-07T14:59:59Z', true],
    [600, '2019-10-07T15:00:00Z', false],
    [700, '2019-10-08T14:59:59Z', false],
    [700, '2019-10-08T15:00:00Z', true],
    [2000, '2019-10-08T14:59:59Z', false],
    [2000, '2019-10-08T15:00:00Z', true],
  ])('seed %d at %s: ready %p', (seed, time, ready) => {
    expect(isUpdateReady(exampleWaves, seed, parseInstant(time))).toBe(ready);
  });

  test('multiple.json: key 858993459 is above 2048, so seed 123 is in the last wave from 15:00', () => {
    const w = fixture('multiple_x86_64.json').updates[0]!.waves;
    expect(isUpdateReady(w, 123, parseInstant('2019-10-06T14:59:59Z'))).toBe(false);
    expect(isUpdateReady(w, 123, parseInstant('2019-10-06T15:00:00Z'))).toBe(true);
  });

  test('example_3 0.1.2, seed 1487: target 18:38:38.144113062 (tps 1 758 671 226 ns)', () => {
    const w = fixture('example_3_x86_64.json').updates[1]!.waves;
    expect(isUpdateReady(w, 1487, parseInstant('2019-09-27T18:38:00Z'))).toBe(false);
    expect(isUpdateReady(w, 1487, parseInstant('2019-09-27T18:38:38.144113061Z'))).toBe(false);
    expect(isUpdateReady(w, 1487, parseInstant('2019-09-27T18:38:38.144113062Z'))).toBe(true);
    expect(isUpdateReady(w, 1487, parseInstant('2019-09-27T18:39:00Z'))).toBe(true);
  });
});

describe('worked example of updates.md 3.6', () => {
  const S = parseInstant('2024-07-01T17:00:00Z');
  const h = (n: number) => S + BigInt(n) * 3_600_000n * NANOS_PER_MILLI;
  const w: WaveBound[] = [[0, 1], [20, 4], [102, 24], [307, 48], [819, 96], [1228, 120], [1843, 144]].map(([seed, hours]) => ({ seed: seed!, start: h(hours!) }));
  test.each([
    [500, '2024-07-04T17:00:00Z', false],
    [500, '2024-07-05T15:52:29.999Z', false],
    [500, '2024-07-05T15:52:30Z', true],
    [10, '2024-07-01T19:29:59Z', false],
    [10, '2024-07-01T19:30:00Z', true],
    [0, '2024-06-01T00:00:00Z', true],
    [1900, '2024-07-07T16:59:59Z', false],
    [1900, '2024-07-07T17:00:00Z', true],
  ])('seed %d at %s: ready %p', (seed, time, ready) => {
    expect(isUpdateReady(w, seed, parseInstant(time))).toBe(ready);
  });
});
