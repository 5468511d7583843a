import { expect, test } from 'bun:test';
import { failureShare, planWaves, shouldHalt } from './waves';

const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

test.each([
  [7, 1, 2, [[1], [2, 3], [4, 5, 6, 7]]],
  [10, 1, 2, [[1], [2, 3], [4, 5, 6, 7], [8, 9, 10]]],
  [5, 2, 1, [[1, 2], [3, 4], [5]]],
  [6, 1, 1.5, [[1], [2, 3], [4, 5, 6]]],
  [3, 5, 2, [[1, 2, 3]]],
  [0, 1, 2, []],
])('%i instances, canary %i, growth %p', (count, canary, growth, expected) => {
  expect(planWaves(ids(count), { canary, growth })).toEqual(expected);
});

test('bad plans are usage errors', () => {
  expect(() => planWaves(ids(3), { canary: 0, growth: 2 })).toThrow('Invalid --canary 0');
  expect(() => planWaves(ids(3), { canary: 1, growth: 0.5 })).toThrow('Invalid --growth 0.5');
});

test('halting: the failure share reaching the threshold stops the rollout', () => {
  expect(failureShare(1, 4)).toBe(25);
  expect(shouldHalt(1, 4, 25)).toBe(true);
  expect(shouldHalt(1, 4, 26)).toBe(false);
  expect(shouldHalt(0, 4, 1)).toBe(false);
  expect(shouldHalt(0, 0, 1)).toBe(false);
});
